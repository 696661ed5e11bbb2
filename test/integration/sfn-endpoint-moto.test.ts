// The lab's Step Functions endpoint against moto: the stacks deployed by the real deploy code,
// the definitions read back from the workflows stack, and the committed CLI bundle's
// `natfleet failover` reaching the endpoint through AWS_ENDPOINT_URL_SFN, unchanged.
import { renderStacks } from '../../cloudformation/index.js';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DescribeRouteTablesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  DescribeStateMachineCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { deploy } from '../../lib/deploy/deploy.js';
import type { Environment } from '../../lib/config/schema.js';
import { stackName, stateMachineArn, type StackKind } from '../../lib/names.js';
import { SfnEndpoint } from '../../lab/sfn-endpoint.js';
import { startMoto, type Moto, motoDeployClients } from '../moto.js';
import { buildVpc, type BuiltZone } from '../../lab/vpc.js';
import { ROOT, stubCheckerDir, writeConfigFile } from '../helpers.js';

const timing = { minDelay: 0.2, maxDelay: 1, maxWait: 60 };
const STACKS: StackKind[] = ['artifacts', 'gateway', 'fleet', 'checker', 'workflows'];

let moto: Moto;
let env: Environment;
let zones: BuiltZone[];
let endpoint: SfnEndpoint;
let configFile: string;
const ec2 = () => new EC2Client({ region: 'eu-west-1' });

beforeAll(async () => {
  moto = await startMoto();
  ({ env, zones } = await buildVpc(ec2(), 'sfe', ['eu-west-1a', 'eu-west-1b']));
  const checkerDir = stubCheckerDir();
  const r = await deploy(env, motoDeployClients(env.region), {
    render: renderStacks,
    stacks: STACKS,
    mode: 'apply',
    checkerDir,
    timing,
    log: () => undefined,
  });
  if (r.error) throw new Error(r.error);
  endpoint = new SfnEndpoint({
    cfn: new CloudFormationClient({ region: env.region }),
    stackName: stackName(env.name, 'workflows'),
    region: env.region,
    accountId: env.accountId,
    runner: {
      clients: { ec2: ec2(), ssm: new SSMClient({ region: env.region }) },
      fastMs: 10,
    },
  });
  await endpoint.start();
  configFile = writeConfigFile(env);
}, 120_000);

afterAll(async () => {
  await endpoint?.stop();
  await moto?.stop();
});

function cli(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'cli/dist/index.js'), ...args], {
    env: {
      PATH: process.env.PATH,
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_ENDPOINT_URL_SFN: endpoint.url,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: env.region,
    },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out, err })));
}

const defaultTarget = async (table: string) => {
  const t = (await ec2().send(new DescribeRouteTablesCommand({ RouteTableIds: [table] })))
    .RouteTables![0]!;
  const r = t.Routes!.find((x) => x.DestinationCidrBlock === '0.0.0.0/0')!;
  return r.NatGatewayId ?? r.NetworkInterfaceId ?? r.InstanceId;
};

describe('the lab Step Functions endpoint', () => {
  it('serves the deployed definitions with their substitutions filled', async () => {
    const sfn = new SFNClient({ region: env.region, endpoint: endpoint.url });
    const d = await sfn.send(
      new DescribeStateMachineCommand({
        stateMachineArn: stateMachineArn(env.region, env.accountId, env.name, 'Maintenance'),
      }),
    );
    expect(d.status).toBe('ACTIVE');
    // Every ${…} of the template was replaced: the children are the deployed machines.
    expect(d.definition).not.toMatch(/\$\{/);
    expect(d.definition).toContain(
      stateMachineArn(env.region, env.accountId, env.name, 'Fallback'),
    );
    const params = (
      await new CloudFormationClient({ region: env.region }).send(
        new DescribeStacksCommand({ StackName: stackName(env.name, 'workflows') }),
      )
    ).Stacks![0]!.Parameters!;
    const failover = await sfn.send(
      new DescribeStateMachineCommand({
        stateMachineArn: stateMachineArn(env.region, env.accountId, env.name, 'Failover'),
      }),
    );
    for (const p of params.filter((x) => x.ParameterKey!.startsWith('Gateway')))
      expect(failover.definition).toContain(p.ParameterValue);
    await expect(
      sfn.send(new DescribeStateMachineCommand({ stateMachineArn: `${d.stateMachineArn}x` })),
    ).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
  });

  it('the CLI bundle’s failover of one zone ends SUCCEEDED and moves that zone’s route in moto', async () => {
    const [a, b] = zones;
    const before = await defaultTarget(b!.routeTables[0]!);
    const r = await cli([
      ...['failover', '--env', env.name, '--zones', 'eu-west-1a', '--reason', 'lab test'],
      ...['--config', configFile],
    ]);
    expect({ code: r.code, err: r.code === 0 ? '' : r.err }).toEqual({ code: 0, err: '' });
    expect(r.out).toMatch(/starting Failover as /);
    expect(r.out).toMatch(/execution: arn:aws:states:eu-west-1:123456789012:execution:/);
    const moved = await defaultTarget(a!.routeTables[0]!);
    expect(moved).toMatch(/^nat-/);
    expect(moved).not.toBe(a!.gateway); // the gateway stack's standby, not the VPC's own
    expect(await defaultTarget(b!.routeTables[0]!)).toBe(before);

    const sfn = new SFNClient({ region: env.region, endpoint: endpoint.url });
    const listed = await sfn.send(
      new ListExecutionsCommand({
        stateMachineArn: stateMachineArn(env.region, env.accountId, env.name, 'Failover'),
      }),
    );
    expect(listed.executions!.map((x) => x.status)).toEqual(['SUCCEEDED']);
  }, 60_000);

  it('refuses a second execution of the same name, as Step Functions does', async () => {
    const sfn = new SFNClient({ region: env.region, endpoint: endpoint.url });
    const stateMachineArnF = stateMachineArn(env.region, env.accountId, env.name, 'Fallback');
    const input = JSON.stringify({ reason: 'twice', zones: ['eu-west-1b'] });
    await sfn.send(
      new StartExecutionCommand({ stateMachineArn: stateMachineArnF, name: 'n1', input }),
    );
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: stateMachineArnF, name: 'n1', input })),
    ).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
  });
});
