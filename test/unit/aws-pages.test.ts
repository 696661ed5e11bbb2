// Listings through the SDK's paginators, bounded in pages.
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudFormationClient, DescribeStackEventsCommand } from '@aws-sdk/client-cloudformation';
import { firstPages } from '../../lib/aws/pages.js';
import { eventsSince } from '../../lib/deploy/changeset.js';

const cfn = mockClient(CloudFormationClient);
const client = new CloudFormationClient({ region: 'eu-west-1' });
beforeEach(() => {
  cfn.reset();
});

describe('firstPages', () => {
  it('passes every page of a short listing and stops a listing that never ends', async () => {
    async function* endless() {
      for (let i = 0; ; i++) yield i;
    }
    const seen: number[] = [];
    for await (const p of firstPages(endless(), 3)) seen.push(p);
    expect(seen).toEqual([0, 1, 2]);
    async function* two() {
      yield* [7, 8];
    }
    const short: number[] = [];
    for await (const p of firstPages(two(), 5)) short.push(p);
    expect(short).toEqual([7, 8]);
  });
});

describe('eventsSince', () => {
  const event = (id: string, at: string) => ({
    EventId: id,
    StackId: 's',
    StackName: 's',
    Timestamp: new Date(at),
  });

  it('reads newest pages until an older event, oldest first, and no further', async () => {
    cfn
      .on(DescribeStackEventsCommand, { StackName: 's', NextToken: undefined })
      .resolves({ StackEvents: [event('e4', '2026-01-01T00:04:00Z')], NextToken: 't1' })
      .on(DescribeStackEventsCommand, { StackName: 's', NextToken: 't1' })
      .resolves({
        StackEvents: [event('e3', '2026-01-01T00:03:00Z'), event('e1', '2026-01-01T00:01:00Z')],
        NextToken: 't2',
      })
      .on(DescribeStackEventsCommand, { StackName: 's', NextToken: 't2' })
      .rejects(new Error('read past the moment asked for'));
    const events = await eventsSince(client, 's', new Date('2026-01-01T00:02:00Z'));
    expect(events.map((e) => e.EventId)).toEqual(['e3', 'e4']);
    expect(cfn.commandCalls(DescribeStackEventsCommand)).toHaveLength(2);
  });

  it('stops after 20 pages of a stack that keeps answering with a token', async () => {
    let n = 0;
    cfn.on(DescribeStackEventsCommand).callsFake(() => ({
      StackEvents: [event(`e${n}`, '2026-01-01T00:05:00Z')],
      NextToken: `t${++n}`,
    }));
    const events = await eventsSince(client, 's', new Date('2026-01-01T00:00:00Z'));
    expect(events).toHaveLength(20);
    expect(cfn.commandCalls(DescribeStackEventsCommand)).toHaveLength(20);
  });
});
