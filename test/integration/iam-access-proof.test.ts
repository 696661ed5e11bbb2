// The access stack's roles proved like the others (test/iam-proof.ts): what GitHub's jobs do
// with each — plan and drift (plan role), deploy and record-state (deploy role), the workflow
// verbs, status and release (operate role) — run against moto with every SDK call recorded as
// that role's (test/calls.ts recordingAs), then evaluated against the rendered access stack.
// The CloudFormation service role's requests are CloudFormation's own: explicit cases, per
// resource type, from the handlers' published permissions (test/cfn-handlers.ts).
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { CreateImageCommand, EC2Client } from '@aws-sdk/client-ec2';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { renderStacks } from '../../cloudformation/index.js';
import type { Environment } from '../../lib/config/schema.js';
import type { DeployOptions } from '../../lib/deploy/deploy.js';
import { accessRoleArn, amiParameter, stackName, type StackKind } from '../../lib/names.js';
import { snapshot } from '../../lib/record/snapshot.js';
import { awsClients } from '../../lib/aws/clients.js';
import { SfnEndpoint } from '../../lab/sfn-endpoint.js';
import { buildVpc, type BuiltZone } from '../../lab/vpc.js';
import { run } from '../../cli/run.js';
import { recordedCalls, recordingAs, recordSetting, tagLookup, type Call } from '../calls.js';
import { describeProof, prove } from '../iam-proof.js';
import { EXPLICIT_CASES } from '../iam-cases.js';
import { deployToMoto, startMoto, type Moto } from '../moto.js';
import { captureIo, stubCheckerDir, writeConfigFile } from '../helpers.js';

const timing = { minDelay: 0.2, maxDelay: 1, maxWait: 120 };
// The image stack is left out: moto keeps no Image Builder resources (deploy-moto.test.ts).
const STACKS: StackKind[] = ['artifacts', 'gateway', 'fleet', 'checker', 'workflows'];
const ROLES = [
  'access/PlanRole',
  'access/DeployRole',
  'access/OperateRole',
  'access/CloudFormationRole',
];

let moto: Moto;
let env: Environment;
let zones: BuiltZone[];
let endpoint: SfnEndpoint;
let configFile: string;
let checkerDir: string;
const ec2 = () => new EC2Client({ region: 'eu-west-1' });

beforeAll(async () => {
  moto = await startMoto();
  const built = await buildVpc(ec2(), 'acc', ['eu-west-1a', 'eu-west-1b']);
  zones = built.zones;
  env = { ...built.env, github: { repository: 'acme/network-fleet' } };
  checkerDir = stubCheckerDir();
  configFile = writeConfigFile(env);
}, 120_000);

afterAll(async () => {
  await endpoint?.stop();
  await moto?.stop();
});

const deployAs = (mode: 'plan' | 'apply', extra: Partial<DeployOptions> = {}) =>
  deployToMoto(env, { stacks: STACKS, mode, checkerDir, timing, ...extra });

/** An image as Maintenance publishes it (test/record-fleet.ts), for the record to read. */
async function publishImage() {
  const image = await ec2().send(
    new CreateImageCommand({ InstanceId: zones[0]!.instanceId, Name: 'natfleet-acc-image 1.0.0' }),
  );
  await new SSMClient({ region: env.region }).send(
    new PutParameterCommand({
      Name: amiParameter(env.name),
      Value: image.ImageId!,
      Type: 'String',
      Overwrite: true,
    }),
  );
}

async function natfleet(...args: string[]) {
  const io = captureIo();
  const code = await run([...args, '--env', env.name, '--config', configFile], io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

describe('the access roles', () => {
  test('every call of plan, deploy, record-state and the operator verbs is allowed, and every grant is used', async () => {
    const setting = recordSetting({ env, refs: {}, roles: ['access/'] });
    const lookup = tagLookup(ec2());
    const as = <T>(role: string, fn: () => Promise<T>) =>
      recordingAs(setting, `access/${role}`, fn, lookup);

    // The deploy of the default branch with the service role (twice: the second finds nothing
    // to change), its record, the scheduled drift check (a plan, then the record compared) and a
    // pull request's plan of a change.
    const serviceRole = accessRoleArn(env.accountId, env.name, 'cloudformation');
    for (let n = 0; n < 2; n++) {
      const applied = await as('DeployRole', () => deployAs('apply', { roleArn: serviceRole }));
      expect(applied.error).toBeUndefined();
    }
    await publishImage();
    const record = () => snapshot(awsClients(env.region), env, { reason: 'r', now: new Date() });
    expect((await as('DeployRole', record)).image).toBeDefined();
    const drift = await as('PlanRole', () => deployAs('plan'));
    expect(drift.error).toBeUndefined();
    await as('PlanRole', record);
    const bigger = { ...env, instance: { ...env.instance, type: 't4g.medium' } };
    const planned = await as('PlanRole', () =>
      deployAs('plan', { render: (_e, i) => renderStacks(bigger, i) }),
    );
    expect(planned.error).toBeUndefined();
    expect(planned.stacks.find((s) => s.kind === 'fleet')!.changes.length).toBeGreaterThan(0);

    // The operator's verbs through the deployed definitions (the lab's Step Functions endpoint).
    endpoint = new SfnEndpoint({
      cfn: new CloudFormationClient({ region: env.region }),
      stackName: stackName(env.name, 'workflows'),
      region: env.region,
      accountId: env.accountId,
      runner: { clients: { ec2: ec2(), ssm: new SSMClient({ region: env.region }) }, fastMs: 10 },
    });
    await endpoint.start();
    process.env.AWS_ENDPOINT_URL_SFN = endpoint.url;
    try {
      const a = zones[0]!.zone;
      const failover = await as('OperateRole', () =>
        natfleet('failover', '--zones', a, '--reason', 'game day', '--hold'),
      );
      expect({ code: failover.code, err: failover.err }).toEqual({ code: 0, err: '' });
      const status = await as('OperateRole', () => natfleet('status'));
      expect(status.code).toBe(0);
      expect(status.out).toContain(a);
      const release = await as('OperateRole', () => natfleet('release', '--zones', a));
      expect(release.out).toContain(`released`);
      const fallback = await as('OperateRole', () => natfleet('fallback', '--reason', 'over'));
      expect({ code: fallback.code, err: fallback.err }).toEqual({ code: 0, err: '' });
      for (const verb of ['replace', 'maintenance']) {
        const r = await as('OperateRole', () => natfleet(verb, '--reason', 'patch'));
        // moto has no Image Builder and no real launches: the run may fail; it was started.
        expect(r.out).toMatch(/execution: arn:aws:states:/);
      }
    } finally {
      delete process.env.AWS_ENDPOINT_URL_SFN;
    }

    const { calls, settings } = recordedCalls();
    const mine = calls.filter((c) => c.setting === setting);
    // The setting proves the access roles only: the other stacks' roles have their own proof.
    const proof = await prove(mine, new Map([[setting, settings.get(setting)!]]), EXPLICIT_CASES);
    expect(describeProof(proof)).toBe('');
    for (const role of ROLES) expect(proof.evaluated[role]).toBeGreaterThan(0);
  }, 300_000);

  test('what the jobs must not do is denied', async () => {
    const setting = recordSetting({ env, refs: {}, roles: ['access/'] });
    const stack = stackName(env.name, 'fleet');
    const call = (role: string, service: string, operation: string, input: object): Call => ({
      setting,
      role: `access/${role}`,
      service,
      operation,
      input: input as Record<string, unknown>,
    });
    const machine = `arn:aws:states:${env.region}:${env.accountId}:stateMachine:natfleet-${env.name}-Failover`;
    const forged = [
      // A plan cannot apply, nor run as the service role.
      call('PlanRole', 'cloudformation', 'ExecuteChangeSet', {
        StackName: stack,
        ChangeSetName: 'natfleet-plan-1',
      }),
      // Deploy change sets run as the service role only, under their own prefix.
      call('DeployRole', 'cloudformation', 'CreateChangeSet', {
        StackName: stack,
        ChangeSetName: 'natfleet-apply-1',
        RoleARN: `arn:aws:iam::${env.accountId}:role/Admin`,
      }),
      call('DeployRole', 'cloudformation', 'CreateChangeSet', {
        StackName: stack,
        ChangeSetName: 'other-1',
      }),
      // Release removes the hold's tags only; no verb stops a run.
      call('OperateRole', 'ec2', 'DeleteTags', {
        Resources: [zones[0]!.routeTables[0]],
        Tags: [{ Key: 'Name' }],
      }),
      call('OperateRole', 'sfn', 'StopExecution', {
        executionArn: `${machine.replace(':stateMachine:', ':execution:')}:run-1`,
      }),
    ];
    const proof = await prove(
      forged,
      new Map([[setting, recordedCalls().settings.get(setting)!]]),
      [],
    );
    expect(
      proof.denied.map((d) =>
        `${d.role} ${d.request.action} ${d.request.context['cloudformation:ChangeSetName'] ?? ''}`.trim(),
      ),
    ).toEqual([
      'access/PlanRole cloudformation:ExecuteChangeSet natfleet-plan-1',
      'access/DeployRole cloudformation:CreateChangeSet natfleet-apply-1',
      'access/DeployRole iam:PassRole',
      'access/DeployRole cloudformation:CreateChangeSet other-1',
      'access/OperateRole ec2:DeleteTags',
      'access/OperateRole states:StopExecution',
    ]);
  });
});
