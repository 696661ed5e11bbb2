import { describe, expect, it } from '@jest/globals';
import type { EC2Client } from '@aws-sdk/client-ec2';
import { executionName, failoverExecutionName } from '../../lib/names.js';
import { parseSdkResource, stepFunctionsErrorName } from '../../lib/workflows/sdk.js';
import {
  checkRequest,
  operate,
  parseZones,
  summaryRows,
  WorkflowInputError,
} from '../../lib/workflows/operate.js';
import { zoneReasons } from '../../lib/workflows/report.js';
import type { Starter } from '../../lib/workflows/follow.js';
import { exampleEnv } from '../helpers.js';

const VALID = /^[A-Za-z0-9._-]{1,80}$/;

describe('execution names', () => {
  it('keeps names valid for Step Functions whatever the origin', () => {
    const at = new Date('2026-11-23T08:41:02.345Z');
    expect(executionName('Failover', 'cli', at)).toMatch(
      /^Failover-cli-20261123T084102Z-[a-z0-9]{4}$/,
    );
    const odd = executionName('ReplaceInstances', 'gha 123/45: "x"'.repeat(10), at);
    expect(odd).toMatch(VALID);
    expect(odd).toMatch(/-20261123T084102Z-[a-z0-9]{4}$/);
    expect(failoverExecutionName('ap-southeast-2a', at)).toMatch(VALID);
  });
});

describe('the SDK adapter', () => {
  it('reads service and action from a resource ARN', () => {
    expect(parseSdkResource('arn:aws:states:::aws-sdk:ec2:replaceRoute')).toEqual({
      service: 'ec2',
      action: 'replaceRoute',
    });
    expect(parseSdkResource('arn:aws:states:::lambda:invoke')).toBeUndefined();
  });

  it('names errors as Step Functions does', () => {
    expect(stepFunctionsErrorName('ec2', 'InvalidAMIID.NotFound')).toBe(
      'Ec2.InvalidAMIIDNotFoundException',
    );
    expect(stepFunctionsErrorName('ssm', 'ParameterNotFound')).toBe(
      'Ssm.ParameterNotFoundException',
    );
    expect(stepFunctionsErrorName('sfn', 'ExecutionAlreadyExistsException')).toBe(
      'Sfn.ExecutionAlreadyExistsException',
    );
  });
});

describe('operating a workflow', () => {
  const env = exampleEnv('prod');
  const zones = env.zones.map((z) => z.availabilityZone);

  it('checks the request before anything starts', () => {
    expect(checkRequest({ env, verb: 'replace', reason: ' patch ', origin: 'cli' })).toEqual({
      workflow: 'ReplaceInstances',
      input: { reason: 'patch' },
    });
    const bad = (r: object, message: string) =>
      expect(() =>
        checkRequest({ env, verb: 'failover', reason: 'x', origin: 'cli', ...r }),
      ).toThrow(new WorkflowInputError(message));
    bad(
      { verb: 'reboot' },
      'workflow: expected one of failover | fallback | replace | maintenance, got "reboot"',
    );
    bad({ reason: '  ' }, 'reason: expected a few words on why (it is recorded with the run)');
    bad(
      { zones: ['mars-1a'] },
      `zones: mars-1a is not a zone of prod; expected some of ${zones.join(', ')}`,
    );
    bad({ zones: [] }, `zones: expected at least one of ${zones.join(', ')}`);
  });

  it('parses a zones list; empty means every zone', () => {
    expect(parseZones(' eu-west-1a, eu-west-1b ,')).toEqual(['eu-west-1a', 'eu-west-1b']);
    expect(parseZones('')).toBeUndefined();
    expect(parseZones(undefined)).toBeUndefined();
  });

  it('finds per-zone reasons in an output, an object of zones, or a failure cause', () => {
    expect(
      zoneReasons({ status: 'SUCCEEDED', output: { zones: [{ zone: 'a', why: 'x' }] } }),
    ).toEqual({ a: 'x' });
    expect(
      zoneReasons({ status: 'FAILED', cause: 'stopped. Per zone: {"a":{"zone":"a","why":"y"}}' }),
    ).toEqual({ a: 'y' });
    expect(
      zoneReasons({
        status: 'FAILED',
        cause: 'Failover incomplete; per zone: [{"zone":"b","why":"z"}]',
      }),
    ).toEqual({ b: 'z' });
  });

  it('summarises per table: before, after, why — not chosen and not reached included', () => {
    const [a, b] = env.zones as [(typeof env.zones)[0], (typeof env.zones)[0]];
    const before = [a, b].flatMap((z) =>
      z.routeTables.map((t) => ({
        routeTableId: t,
        defaultRoute: { networkInterfaceId: 'eni-1', state: 'active' as const },
      })),
    );
    const after = before.map((t) =>
      a.routeTables.includes(t.routeTableId)
        ? { ...t, defaultRoute: { natGatewayId: 'nat-1', state: 'active' as const } }
        : t,
    );
    const rows = summaryRows(env, before, after, {
      status: 'FAILED',
      cause: `per zone: [{"zone":"${a.availabilityZone}","why":"moved"}]`,
    });
    expect(rows[0]).toEqual({
      zone: a.availabilityZone,
      routeTableId: a.routeTables[0],
      before: 'eni-1',
      after: 'nat-1',
      why: 'moved',
    });
    expect(rows.find((r) => r.zone === b.availabilityZone)!.why).toBe('not reached');
    const chosen = summaryRows(env, before, before, { status: 'SUCCEEDED', output: {} }, [
      a.availabilityZone,
    ]);
    expect(chosen.find((r) => r.zone === b.availabilityZone)!.why).toBe('not chosen');
  });

  it('logs a heartbeat while a long wait is silent', async () => {
    const ec2 = { send: async () => ({ RouteTables: [] }) } as unknown as EC2Client;
    // The execution ends once a heartbeat was logged (or, bounded, after 10 s): no race between
    // a 40 ms heartbeat and a fixed wait on a busy machine.
    const log: string[] = [];
    let heard: () => void = () => undefined;
    const heartbeat = new Promise<void>((resolve) => (heard = resolve));
    const starter: Starter = {
      start: async (_arn, _input, _name, onEvent) => ({
        executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:x:y',
        result: (async () => {
          onEvent({ time: new Date(), kind: 'entered', state: 'PollWait' });
          let bound: ReturnType<typeof setTimeout> | undefined;
          await Promise.race([heartbeat, new Promise((r) => (bound = setTimeout(r, 10_000)))]);
          clearTimeout(bound);
          return { status: 'SUCCEEDED' as const, output: { zones: [] } };
        })(),
      }),
    };
    const done = await operate(
      { env, verb: 'maintenance', reason: 'x', origin: 'cli' },
      {
        ec2,
        starter,
        log: (l) => {
          log.push(l);
          if (l.includes('still running')) heard();
        },
        heartbeatMs: 40,
      },
    );
    expect(done.result.status).toBe('SUCCEEDED');
    expect(log.some((l) => /… still running, in PollWait \(\d+ s so far\)$/.test(l))).toBe(true);
    expect(log.at(-1)).toBe('Maintenance SUCCEEDED');
  });
});
