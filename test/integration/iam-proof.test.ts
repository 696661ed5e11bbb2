// Every role proved sufficient and minimal: the calls the workflows and the checker make against
// moto, recorded and evaluated against the rendered policies with a real IAM evaluator (see
// test/iam-proof.ts). 0 denied, 0 unused. With NATFLEET_CALLS_FROM (a folder the whole suite
// recorded into, scripts/test.sh) the same proof runs over every call of the suite.
import { describe, expect, test } from '@jest/globals';
import { SFNClient } from '@aws-sdk/client-sfn';
import * as ec2sdk from '@aws-sdk/client-ec2';
import { DeleteRouteCommand, ModifyInstanceAttributeCommand } from '@aws-sdk/client-ec2';
import * as sfnsdk from '@aws-sdk/client-sfn';
import * as ssmsdk from '@aws-sdk/client-ssm';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { CheckerSdk } from '../../lib/checker/sdk.js';
import { fallbackView, readZoneMode, startExecution } from '../../lib/checker/aws.js';
import { stateMachineArn, stateMachineName } from '../../lib/names.js';
import { releaseHolds } from '../../lib/holds.js';
import { LOCKED, lockParameter } from '../../lib/workflows/lock.js';
import { recordedCalls, recordOn, recordSetting, recording, tagLookup } from '../calls.js';
import { describeProof, prove, type Proof } from '../iam-proof.js';
import { renderStacks } from '../../cloudformation/index.js';
import type { Environment } from '../../lib/config/schema.js';
import type { Json } from '../../lib/cfn.js';
import { EXPLICIT_CASES } from '../iam-cases.js';
import { worldPerTest, type World } from '../workflows-world.js';

/** The checker's SDK on moto, every call recorded as the checker role's. */
function checkerSdk(setting: string, w: World): CheckerSdk {
  const lookup = tagLookup(w.ec2);
  const sfn = new SFNClient({ region: 'eu-west-1' });
  // moto's Step Functions cannot run natfleet's machines: StartExecution answers as AWS would.
  const started = recording(setting, 'checker/Role', 'sfn', {
    send: async () => ({ executionArn: 'arn:aws:states:…', startDate: new Date() }),
  });
  (sfn as unknown as { send: unknown }).send = started.send;
  return {
    ec2: recordOn(setting, 'checker/Role', 'ec2', new ec2sdk.EC2Client({ region: 'eu-west-1' })),
    ssm: recordOn(setting, 'checker/Role', 'ssm', new SSMClient({ region: 'eu-west-1' }), lookup),
    sfn,
    commands: {
      DescribeRouteTablesCommand: ec2sdk.DescribeRouteTablesCommand,
      DescribeInstancesCommand: ec2sdk.DescribeInstancesCommand,
      DescribeInstanceStatusCommand: ec2sdk.DescribeInstanceStatusCommand,
      StartExecutionCommand: sfnsdk.StartExecutionCommand,
      paginateListCommands: ssmsdk.paginateListCommands,
      SendCommandCommand: ssmsdk.SendCommandCommand,
    },
  };
}

/** One checker invocation's calls: its zone's mode, a failover start, and with auto-fallback
 * the instance's health and a fallback start. */
async function checkerRound(w: World, autoFallback: boolean) {
  const env = { ...w.env, checker: { ...w.env.checker, autoFallback } };
  const setting = recordSetting({ env, refs: recordedCalls().settings.get(w.setting)!.refs });
  const sdk = checkerSdk(setting, w);
  const z = env.zones[0]!;
  await readZoneMode(sdk, z.routeTables);
  const arn = (wf: 'Failover' | 'Fallback') =>
    stateMachineArn(env.region, env.accountId, env.name, wf);
  await startExecution(sdk, arn('Failover'), 'failover-1', {
    zones: [z.availabilityZone],
  } as never);
  if (autoFallback) {
    const view = fallbackView(sdk, env.name, z.availabilityZone, env.checker.urls);
    const facts = await view.facts(env.checker.healthyMinutes);
    expect(facts.instance).toBeDefined();
    await view.runHealthCommand(facts.instance!.instanceId);
    await startExecution(sdk, arn('Fallback'), 'fallback-1', {
      zones: [z.availabilityZone],
    } as never);
  }
}

describe('the IAM proof', () => {
  const world = worldPerTest();

  test('every workflow and checker call is allowed, and every grant is used', async () => {
    // Launches fail once this is set: ReplaceInstances then rolls a zone back to its standby.
    let launchesFail = false;
    const w = await world({
      ec2: (c) => ({
        send: async (cmd: unknown) => {
          if (launchesFail && (cmd as object).constructor.name === 'RunInstancesCommand')
            throw Object.assign(new Error('no capacity'), { name: 'InsufficientInstanceCapacity' });
          return c.send(cmd);
        },
      }),
    });
    const since = recordedCalls().calls.length;
    // A table without its default route each time: the workflows create it (CreateRoute).
    const table = w.zones[0]!.routeTables[0]!;
    const noDefault = () =>
      w.ec2.send(
        new DeleteRouteCommand({ RouteTableId: table, DestinationCidrBlock: '0.0.0.0/0' }),
      );
    await noDefault();
    expect((await w.run('Failover', { zones: [w.zones[0]!.zone], reason: 'drill' })).r.status).toBe(
      'SUCCEEDED',
    );
    // An operator's hold (the hold's tags on the zone's route tables), then lifted.
    const held = { zones: [w.zones[1]!.zone], reason: 'game day', hold: { by: 'ops' } };
    expect((await w.run('Failover', held)).r.status).toBe('SUCCEEDED');
    await releaseHolds(w.ec2, w.env, [w.zones[1]!.zone]);
    // The lock left behind by a run of each locked workflow that no longer exists: every locked
    // workflow reads its holder and takes it over.
    for (const holder of LOCKED) {
      for (const wf of LOCKED) {
        await w.ssm.send(
          new PutParameterCommand({
            Name: lockParameter(w.env.name),
            Value: `arn:aws:states:eu-west-1:123456789012:execution:${stateMachineName(w.env.name, holder)}:gone`,
            Type: 'String',
            Overwrite: true,
          }),
        );
        const zones = wf === 'Fallback' ? {} : { zones: [w.zones[0]!.zone] };
        expect((await w.run(wf, { ...zones, reason: 'stale lock' })).r.status).toBe('SUCCEEDED');
      }
    }
    await noDefault();
    // Zone b's instance not ready (source/dest check on): Fallback keeps it on its standby.
    await w.ec2.send(
      new ModifyInstanceAttributeCommand({
        InstanceId: w.zones[1]!.instanceId,
        SourceDestCheck: { Value: true },
      }),
    );
    expect((await w.run('Fallback', { reason: 'recovered' })).r.status).toBe('SUCCEEDED');
    await noDefault();
    expect((await w.run('ReplaceInstances', { reason: 'patch' })).r.status).toBe('SUCCEEDED');
    expect((await w.run('Maintenance', { reason: 'image due' })).r.status).toBe('SUCCEEDED');
    // A build that never ends: Maintenance cancels it.
    w.images.statuses = ['BUILDING'];
    expect((await w.run('Maintenance', { reason: 'image due' })).r.status).toBe('FAILED');
    expect(w.images.calls).toContain('CancelImageCreationCommand');
    await checkerRound(w, false);
    await checkerRound(w, true);
    launchesFail = true;
    const rolled = await w.run('ReplaceInstances', { zones: [w.zones[1]!.zone], reason: 'patch' });
    expect(rolled.r.status).toBe('FAILED');

    const { calls, settings } = recordedCalls();
    expect(calls.length).toBeGreaterThan(since);
    const proof = await prove(calls, settings, EXPLICIT_CASES);
    expect(describeProof(proof)).toBe('');
    // Every role of the workflows and checker stacks was exercised.
    for (const role of [
      'workflows/FailoverRole',
      'workflows/FallbackRole',
      'workflows/ReplaceInstancesRole',
      'workflows/MaintenanceRole',
      'checker/Role',
      'checker/AlarmRole',
    ]) {
      expect(proof.evaluated[role]).toBeGreaterThan(0);
    }
  });

  test('the proof fails on what the policies would refuse, and on grants nobody uses', async () => {
    const w = await world();
    await w.run('Failover', { zones: [w.zones[0]!.zone] });
    const { calls, settings } = recordedCalls();
    const mine = calls.filter((c) => c.setting === w.setting);
    // A call the Failover role has no grant for: denied.
    const forged = { ...mine[0]!, service: 'ec2', operation: 'TerminateInstances' };
    forged.input = { InstanceIds: [w.zones[0]!.instanceId] };
    const proof = await prove(
      [...mine, forged],
      new Map([[w.setting, settings.get(w.setting)!]]),
      [],
    );
    expect(proof.denied.map((d) => `${d.role} ${d.request.action}`)).toContain(
      'workflows/FailoverRole ec2:TerminateInstances',
    );
    // Without the explicit cases the log-delivery grants are unused.
    expect(proof.unused.map((u) => `${u.role} ${u.action}`)).toContain(
      'workflows/FailoverRole logs:CreateLogDelivery',
    );
  });
});

describe('endpoint policies in the proof', () => {
  const world = worldPerTest();

  test('a call through the Step Functions endpoint needs its policy too; an endpoint grant nobody uses is listed', async () => {
    const w = await world();
    const since = recordedCalls().calls.length;
    await checkerRound(w, true);
    const { calls, settings } = recordedCalls();
    const mine = calls.slice(since);
    const own = new Map([...settings].filter(([k]) => mine.some((c) => c.setting === k)));
    // As rendered: the checker's starts pass its role and the endpoint, every statement used.
    const checkerOnly = (p: Proof): Proof => ({
      ...p,
      denied: p.denied.filter((d) => d.role.startsWith('checker/')),
      unused: p.unused.filter((u) => u.role.startsWith('checker/')),
    });
    const asRendered = checkerOnly(await prove(mine, own, EXPLICIT_CASES));
    expect(describeProof(asRendered)).toBe('');
    // An endpoint that lets Failover through only, with a statement no call needs.
    const narrowed = (env: Environment) =>
      renderStacks(env).map((s) => {
        if (s.kind !== 'checker') return s;
        const t = structuredClone(s.template);
        const doc = t.Resources.StatesEndpoint!.Properties!.PolicyDocument as {
          Statement: Record<string, Json>[];
        };
        doc.Statement[0]!.Resource = (doc.Statement[0]!.Resource as Json[]).slice(0, 1);
        doc.Statement.push({
          ...doc.Statement[0]!,
          Sid: 'NoCallNeedsIt',
          Action: 'states:ListExecutions',
        });
        return { ...s, template: t };
      });
    const proof = checkerOnly(await prove(mine, own, EXPLICIT_CASES, narrowed));
    const fallback = stateMachineArn(w.env.region, w.env.accountId, w.env.name, 'Fallback');
    expect(proof.denied.map((d) => `${d.role} ${d.request.action} ${d.request.resource}`)).toEqual([
      `checker/Role states:StartExecution ${fallback}`,
    ]);
    // The role's grant to start Fallback is unused now too: no start of it gets through.
    expect(
      proof.unused.map((u) => `${u.role} ${u.statement} ${u.action} ${u.resource}`).sort(),
    ).toEqual([
      `checker/Role StartWorkflows states:StartExecution ${fallback}`,
      'checker/StatesEndpoint NoCallNeedsIt states:ListExecutions ' +
        stateMachineArn(w.env.region, w.env.accountId, w.env.name, 'Failover'),
    ]);
  });
});

const suite = process.env.NATFLEET_CALLS_FROM;
(suite ? describe : describe.skip)('the IAM proof over the whole suite', () => {
  test('every call the suites recorded is allowed, and every grant is used', async () => {
    const { calls, settings } = recordedCalls(suite);
    expect(calls.length).toBeGreaterThan(0);
    const proof = await prove(calls, settings, EXPLICIT_CASES);
    expect(describeProof(proof)).toBe('');
  });
});
