// The workflow action end to end against moto: inputs → settings → the real definitions run
// in-process (their EC2 calls in moto) → outputs, log lines and the job summary.
import { describe, expect, it } from '@jest/globals';
import { DeleteNatGatewayCommand } from '@aws-sdk/client-ec2';
import { workflowAction } from '../../actions/workflow/src/workflow.js';
import { localStarter } from '../../lab/stepfunctions/local.js';
import { EXAMPLE } from '../helpers.js';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { actionNode, motoEnv, runAction } from '../action.js';
import { ROOT, tempDir } from '../helpers.js';
import { worldPerTest, writeConfig } from '../workflows-world.js';

function fakeCore(inputs: Record<string, string>) {
  const summary: string[] = [];
  const s = {
    addHeading: (t: string) => (summary.push(`### ${t}`), s),
    addRaw: (t: string) => (summary.push(t), s),
    addLink: (t: string, href: string) => (summary.push(`[${t}](${href})`), s),
    write: async () => s,
  };
  const out = {
    outputs: {} as Record<string, string>,
    failed: [] as string[],
    log: [] as string[],
    summary,
  };
  const core = {
    getInput: (name: string, o?: { required?: boolean }) => {
      const v = inputs[name] ?? '';
      if (o?.required && !v) throw new Error(`Input required and not supplied: ${name}`);
      return v;
    },
    setOutput: (k: string, v: unknown) => void (out.outputs[k] = String(v)),
    setFailed: (m: string | Error) => void out.failed.push(String(m)),
    info: (m: string) => void out.log.push(m),
    warning: (m: string) => void out.log.push(`warning: ${m}`),
    error: (m: string) => void out.log.push(`error: ${m}`),
    summary: s,
  };
  return { core: core as unknown as Parameters<typeof workflowAction>[0], out };
}

const newWorld = worldPerTest();

describe('workflow action', () => {
  it('fails zones over, logs each state and writes per zone before, after and why', async () => {
    const w = await newWorld();
    const world = w;
    const { core, out } = fakeCore({
      environment: 'prod',
      config: writeConfig(world.env),
      workflow: 'Failover',
      zones: 'eu-west-1a, eu-west-1b',
      reason: 'drill',
    });
    process.env.GITHUB_RUN_ID = '4242';
    const done = await workflowAction(core, () => localStarter(world.sf));
    delete process.env.GITHUB_RUN_ID;
    expect(out.failed).toEqual([]);
    expect(done?.executionName).toMatch(/^Failover-gha-4242-\d{8}T\d{6}Z-\w{4}$/);
    expect(out.outputs).toEqual({ 'execution-arn': done!.executionArn, status: 'SUCCEEDED' });
    expect(out.log).toContainEqual(expect.stringMatching(/^\d\d:\d\d:\d\d\.\d{3} {2}→ Zones$/));
    const md = out.summary.join('\n');
    expect(md).toContain('### natfleet Failover — prod: SUCCEEDED');
    for (const z of world.zones.slice(0, 2)) {
      for (const t of z.routeTables) {
        expect(md).toContain(
          `| ${z.zone} | ${t} | ${z.eniId} | ${z.gateway} | failover: on standby gateway ${z.gateway} |`,
        );
      }
    }
    for (const t of world.zones[2]!.routeTables)
      expect(md).toContain(
        `| eu-west-1c | ${t} | ${world.zones[2]!.eniId} | ${world.zones[2]!.eniId} | not chosen |`,
      );
  });

  it('fails the step with the cause when the execution fails, and still writes the summary', async () => {
    const w = await newWorld();
    const world = w;
    await world.ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: world.zones[0]!.gateway }));
    const { core, out } = fakeCore({
      environment: 'prod',
      config: writeConfig(world.env),
      workflow: 'failover',
      reason: 'drill',
    });
    await workflowAction(core, () => localStarter(world.sf));
    expect(out.outputs.status).toBe('FAILED');
    expect(out.failed).toEqual([
      expect.stringMatching(/^Failover FAILED: ZonesNotDone: Failover incomplete; per zone: /),
    ]);
    const md = out.summary.join('\n');
    expect(md).toContain(
      `standby gateway ${world.zones[0]!.gateway} is not available: routes left as they are`,
    );
  });

  it('refuses a bad workflow or zone before starting anything', async () => {
    const w = await newWorld();
    const world = w;
    for (const [inputs, message] of [
      [
        { workflow: 'explode', zones: '' },
        'input workflow: expected one of failover | fallback | replace | maintenance, got "explode"; nothing was started',
      ],
      [
        { workflow: 'replace', zones: 'eu-west-1z' },
        'zones: eu-west-1z is not a zone of prod; expected some of eu-west-1a, eu-west-1b, eu-west-1c',
      ],
    ] as const) {
      const { core, out } = fakeCore({
        environment: 'prod',
        config: writeConfig(world.env),
        reason: 'x',
        ...inputs,
      });
      let started = false;
      await workflowAction(core, () => ({
        start: async () => {
          started = true;
          throw new Error('must not start');
        },
      }));
      expect(started).toBe(false);
      expect(out.failed).toEqual([`natfleet workflow: ${message}`]);
    }
  });

  it('the committed bundle runs under node and reports a bad input the GitHub way', async () => {
    const r = await runAction('workflow', {
      inputs: { environment: 'prod', config: EXAMPLE, workflow: 'explode', reason: 'x' },
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(
      '::error::natfleet workflow: input workflow: expected one of failover | fallback | replace | maintenance, got "explode"; nothing was started',
    );
    expect(r.output).toBe('');
  });

  it('the bundles name the deploy command when the environment has no workflows deployed', async () => {
    // The fleet exists in moto, its state machines do not: Step Functions answers
    // StateMachineDoesNotExist, and both bundles say what to run instead of the SDK's words.
    const w = await newWorld();
    const config = writeConfig(w.env);
    const env = { ...motoEnv(process.env.AWS_ENDPOINT_URL!), AWS_REGION: 'eu-west-1' };
    const cli = spawnSync(
      actionNode,
      [
        join(ROOT, 'cli/dist/index.js'),
        'failover',
        '--env',
        'prod',
        '--reason',
        'drill',
        '--config',
        config,
      ],
      { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' },
    );
    const deployIt = 'Deploy them with "natfleet deploy --env prod --stacks workflows --apply"';
    expect(cli.status).toBe(1);
    expect(cli.stderr).toContain(
      'natfleet: failover: the workflows of environment "prod" are not deployed (no state machine natfleet-prod-',
    );
    expect(cli.stderr).toContain(deployIt);
    expect(cli.stderr).not.toContain('State Machine Does Not Exist');
    const action = await runAction('workflow', {
      inputs: { environment: 'prod', config, workflow: 'fallback', reason: 'drill' },
      env,
    });
    expect(action.status).toBe(1);
    expect(action.stdout).toMatch(
      /::error::natfleet workflow: the workflows of environment "prod" are not deployed \(no state machine natfleet-prod-\S+ in eu-west-1\)/,
    );
    expect(action.stdout).toContain(deployIt);
    expect(action.output).toBe('');
  });

  it('the bundles say how to get credentials when there are none', async () => {
    const home = tempDir();
    // Nothing to find: no keys, no profile files, no instance metadata.
    const env = {
      PATH: process.env.PATH,
      HOME: home,
      AWS_CONFIG_FILE: join(home, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
    };
    const cli = spawnSync(
      actionNode,
      [
        join(ROOT, 'cli/dist/index.js'),
        'replace',
        '--env',
        'prod',
        '--reason',
        'x',
        '--config',
        EXAMPLE,
      ],
      { env, encoding: 'utf8' },
    );
    expect(cli.status).toBe(1);
    expect(cli.stderr).toContain(
      'natfleet: replace: no AWS credentials found while starting the ReplaceInstances workflow of prod; nothing was changed. At a terminal set AWS_PROFILE',
    );
    expect(cli.stderr).not.toContain('Could not load credentials');
    const action = await runAction('workflow', {
      inputs: { environment: 'prod', config: EXAMPLE, workflow: 'failover', reason: 'x' },
      env,
    });
    expect(action.status).toBe(1);
    expect(action.stdout).toContain(
      '::error::natfleet workflow: no AWS credentials found while running the failover workflow',
    );
    expect(action.stdout).toContain(
      'aws-actions/configure-aws-credentials before this step, with "permissions: id-token: write"',
    );
  });
});
