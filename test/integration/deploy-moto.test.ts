import type { StackKind } from '../../lib/names.js';
// The real deploy code against moto_server: a new environment is deployed (first run: no image,
// routes untouched), planned again with no changes, and the committed action bundle posts its
// plan to a fake GitHub API checked against GitHub's API description.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateImageCommand,
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeNatGatewaysCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeRouteTablesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  ListChangeSetsCommand,
} from '@aws-sdk/client-cloudformation';
import { ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { stackStatus } from '../../lib/deploy/changeset.js';
import { checkerArtifact } from '../../lib/deploy/artifact.js';
import { stringify } from 'yaml';
import { deploy, type DeployOptions, type DeployReport } from '../../lib/deploy/deploy.js';
import { renderStacks } from '../../cloudformation/index.js';
import type { Environment } from '../../lib/config/schema.js';
import {
  amiParameter,
  launchTemplateName,
  planCommentMarker,
  stackName,
  stateMachineName,
  TAG,
  WORKFLOWS,
} from '../../lib/names.js';
import { motoDeployClients, startMoto, type Moto } from '../moto.js';
import { zoneKey } from '../../lib/cfn.js';
import { workflowDefinitions } from '../../lib/workflows/index.js';
import { LocalStepFunctions } from '../../lab/stepfunctions/local.js';
import { checkingAmis, ImageBuilderDouble } from '../workflows-world.js';
import { buildVpc, type BuiltZone } from '../../lab/vpc.js';
import { startFakeGitHub, type FakeGitHub } from '../github.js';
import { ROOT, captureIo, tempDir } from '../helpers.js';
import { motoEnv, runAction } from '../action.js';
import { run } from '../../cli/run.js';

const timing = { minDelay: 0.2, maxDelay: 1, maxWait: 120 };

/** deploy() of the deployed stacks with this file's checker bundle and timing. */
const deployTo = (
  target: Environment,
  mode: 'plan' | 'apply',
  extra: Partial<DeployOptions> = {},
) =>
  deploy(target, motoClients(), {
    render: renderStacks,
    stacks: DEPLOYED,
    mode,
    checkerDir,
    timing,
    ...extra,
  });

let moto: Moto;
let github: FakeGitHub;
let env: Environment;
let vpc: BuiltZone[];
let ec2: EC2Client;
let checkerDir: string;
let configFile: string;

function writeConfig(e: Environment, file: string) {
  const { name, ...rest } = e;
  writeFileSync(file, stringify({ version: 1, environments: { [name]: rest } }));
}

const defaultRoutes = async () =>
  (
    await ec2.send(
      new DescribeRouteTablesCommand({
        Filters: [{ Name: 'route-table-id', Values: env.zones.flatMap((z) => z.routeTables) }],
      }),
    )
  )
    .RouteTables!.map((t) => ({
      id: t.RouteTableId,
      route: t.Routes!.find((r) => r.DestinationCidrBlock === '0.0.0.0/0'),
    }))
    .map(({ id, route }) => `${id}→${route?.NetworkInterfaceId ?? route?.NatGatewayId}`);

const instanceCount = async () =>
  (await ec2.send(new DescribeInstancesCommand({}))).Reservations!.flatMap((r) => r.Instances!)
    .length;

// The image stack is left out: moto keeps no Image Builder resources, so it would always plan
// changes there (its template is checked by cfn-lint and test/integration/image-stack).
const DEPLOYED: StackKind[] = ['artifacts', 'gateway', 'fleet', 'checker', 'workflows'];

/** The committed deploy bundle, run the way a pull request's job runs it. */
const runBundle = (inputs: Record<string, string>, pr: number) =>
  runAction('deploy', {
    inputs: { stacks: DEPLOYED.join(','), ...inputs },
    env: {
      ...motoEnv(moto.endpoint),
      GITHUB_REPOSITORY: 'o/r',
      GITHUB_API_URL: github.url,
      'INPUT_GITHUB-TOKEN': 'ghs_test',
    },
    event: { name: 'pull_request', payload: { pull_request: { number: pr }, number: pr } },
  });

const motoClients = () => motoDeployClients(env.region);

const outcomes = (r: DeployReport) => Object.fromEntries(r.stacks.map((s) => [s.kind, s.outcome]));

beforeAll(async () => {
  moto = await startMoto();
  github = await startFakeGitHub();
  ec2 = new EC2Client({ region: 'eu-west-1' });
  ({ env, zones: vpc } = await buildVpc(ec2, 'it', ['eu-west-1a', 'eu-west-1b']));
  checkerDir = tempDir('natfleet-checker-');
  writeFileSync(join(checkerDir, 'index.js'), 'export const handler = async () => "ok";\n');
  writeFileSync(join(checkerDir, 'package.json'), '{"type":"module"}\n');
  configFile = join(tempDir(), 'natfleet.yml');
  writeConfig(env, configFile);
}, 120_000);

afterAll(async () => {
  await github?.stop();
  await moto?.stop();
});

describe('deploy against moto', () => {
  it('first run: creates every stack without an image and leaves the routes alone', async () => {
    const routes = await defaultRoutes();
    const instances = await instanceCount();
    const lines: string[] = [];
    const r = await deployTo(env, 'apply', { log: (l) => lines.push(l) });
    expect(r.error).toBeUndefined();
    expect(outcomes(r)).toEqual({
      artifacts: 'created',
      gateway: 'created',
      fleet: 'created',
      checker: 'created',
      workflows: 'created',
    });
    expect(r.checker).toMatchObject({ uploaded: true });
    // moto 5.2 gives stacks made through change sets no Outputs (unit tests cover outputs).
    // Stack events were logged while waiting (moto records stack-level events only).
    expect(lines).toContainEqual(
      expect.stringMatching(/CREATE_COMPLETE natfleet-it-fleet \(AWS::CloudFormation::Stack\)$/),
    );

    // No image exists and none was needed; nothing launched; every route where it was.
    await expect(
      new SSMClient({ region: env.region }).send(
        new GetParameterCommand({ Name: amiParameter(env.name) }),
      ),
    ).rejects.toThrow();
    expect(await instanceCount()).toBe(instances);
    expect(await defaultRoutes()).toEqual(routes);
    const lt = await ec2.send(
      new DescribeLaunchTemplateVersionsCommand({
        LaunchTemplateName: launchTemplateName(env.name),
      }),
    );
    expect(lt.LaunchTemplateVersions![0]!.LaunchTemplateData!.ImageId).toBe(
      `resolve:ssm:${amiParameter(env.name)}`,
    );

    // The workflows stack got the real ids of what the gateway and fleet stacks made.
    const cfn = new CloudFormationClient({ region: env.region });
    const params = Object.fromEntries(
      (
        await cfn.send(new DescribeStacksCommand({ StackName: stackName(env.name, 'workflows') }))
      ).Stacks![0]!.Parameters!.map((p) => [p.ParameterKey, p.ParameterValue]),
    );
    const gateways = (
      await ec2.send(
        new DescribeNatGatewaysCommand({
          Filter: [{ Name: `tag:${TAG.environment}`, Values: [env.name] }],
        }),
      )
    ).NatGateways!;
    const addresses = (await ec2.send(new DescribeAddressesCommand({}))).Addresses!;
    // The standby made by the gateway stack, not the gateway the VPC had before natfleet.
    const gatewayIn = (zone: string) =>
      gateways.find(
        (g) =>
          g.SubnetId === env.zones.find((z) => z.availabilityZone === zone)!.publicSubnet &&
          !vpc.some((z) => z.gateway === g.NatGatewayId),
      )!.NatGatewayId;
    expect(params).toEqual({
      LaunchTemplateId: lt.LaunchTemplateVersions![0]!.LaunchTemplateId,
      GatewayEuWest1a: gatewayIn('eu-west-1a'),
      GatewayEuWest1b: gatewayIn('eu-west-1b'),
      EipAllocationEuWest1a: expect.stringMatching(/^eipalloc-/),
      EipAllocationEuWest1b: expect.stringMatching(/^eipalloc-/),
    });
    // The fleet's two Elastic IPs: not yet on any instance or gateway.
    const free = addresses.filter((a) => !a.AssociationId && !a.NetworkInterfaceId);
    expect(free.map((a) => a.AllocationId).sort()).toEqual(
      [params.EipAllocationEuWest1a, params.EipAllocationEuWest1b].sort(),
    );
    const machines = await new SFNClient({ region: env.region }).send(
      new ListStateMachinesCommand({}),
    );
    expect(machines.stateMachines!.map((m) => m.name).sort()).toEqual(
      WORKFLOWS.map((w) => stateMachineName(env.name, w)).sort(),
    );
  });

  it('a plan for a new environment stands in for ids that do not exist yet', async () => {
    const fresh = { ...env, name: 'fresh' };
    const r = await deployTo(fresh, 'plan');
    expect(r.error).toBeUndefined();
    expect(new Set(Object.values(outcomes(r)))).toEqual(new Set(['planned']));
    expect(r.warnings).toContainEqual(
      expect.stringMatching(
        /^natfleet-fresh-workflows is planned with stand-ins for LaunchTemplateId \(LaunchTemplate of natfleet-fresh-fleet\), GatewayEuWest1a/,
      ),
    );
    // Its template is over the inline limit and there is no bucket yet: every resource is added.
    expect(r.warnings).toContainEqual(
      expect.stringContaining('natfleet-fresh-workflows is planned from its template'),
    );
    const workflows = r.stacks.find((x) => x.kind === 'workflows')!;
    expect(new Set(workflows.changes.map((c) => c.action))).toEqual(new Set(['Add']));
    expect(workflows.changes).toContainEqual(
      expect.objectContaining({
        logicalId: 'FailoverStateMachine',
        type: 'AWS::StepFunctions::StateMachine',
      }),
    );
  });

  it('applying the workflows stack alone before the others says what is missing', async () => {
    const fresh = { ...env, name: 'lone' };
    const r = await deployTo(fresh, 'apply', { stacks: ['workflows'] });
    expect(r.ok).toBe(false);
    expect(r.error).toContain(
      'natfleet-lone-workflows needs what other stacks make, and it is not there: LaunchTemplate of stack natfleet-lone-fleet',
    );
    expect(outcomes(r)).toEqual({ workflows: 'failed' });
    const cfn = new CloudFormationClient({ region: env.region });
    expect(await stackStatus(cfn, stackName('lone', 'workflows'))).toBeUndefined();
  });

  it('plans again with no changes', async () => {
    const r = await deployTo(env, 'plan');
    expect(r.error).toBeUndefined();
    expect(new Set(Object.values(outcomes(r)))).toEqual(new Set(['no changes']));
  });

  it('a plan with changes lists them and leaves no change set behind', async () => {
    const bigger = { ...env, instance: { ...env.instance, type: 't4g.medium' } };
    const r = await deployTo(bigger, 'plan');
    expect(r.error).toBeUndefined();
    expect(outcomes(r).fleet).toBe('planned');
    expect(r.stacks.find((s) => s.kind === 'fleet')!.changes).toContainEqual(
      expect.objectContaining({ action: 'Modify', logicalId: 'LaunchTemplate' }),
    );
    const cfn = new CloudFormationClient({ region: env.region });
    for (const s of r.stacks) {
      const left = await cfn.send(new ListChangeSetsCommand({ StackName: s.name }));
      // moto lists executed change sets too (AWS drops them): none may be pending.
      const pending = (left.Summaries ?? []).filter(
        (c) => c.ExecutionStatus !== 'EXECUTE_COMPLETE',
      );
      expect(pending).toEqual([]);
      expect(await stackStatus(cfn, s.name)).toBe('CREATE_COMPLETE');
    }
  });

  it('adopting the standbys leaves the gateway stack alone and says so', async () => {
    const adopted: Environment = {
      ...env,
      zones: env.zones.map((z, i) => ({ ...z, natGatewayId: vpc[i]!.gateway })),
    };
    const r = await deployTo(adopted, 'plan');
    expect(r.error).toBeUndefined();
    expect(r.stacks.map((s) => s.kind)).not.toContain('gateway');
    expect(r.warnings).toEqual([
      expect.stringContaining(
        'stack natfleet-it-gateway exists (CREATE_COMPLETE) but natfleet.yml no longer needs it',
      ),
    ]);

    // An adopted gateway that does not exist is named, with its place in natfleet.yml.
    const wrong: Environment = {
      ...adopted,
      zones: adopted.zones.map((z, i) => (i ? z : { ...z, natGatewayId: 'nat-0deadbeef00000000' })),
    };
    const bad = await deployTo(wrong, 'plan');
    expect(bad.ok).toBe(false);
    expect(bad.error).toContain(
      'environments.it.zones[0].natGatewayId: NAT gateway nat-0deadbeef00000000 does not exist in eu-west-1',
    );
  });

  it('the bundle posts one plan comment per environment and updates it in place', async () => {
    github.comments.push({ id: 1, issue: 7, body: 'an unrelated review comment' });
    const first = await runBundle(
      { environment: env.name, config: configFile, 'checker-dir': checkerDir },
      7,
    );
    expect(first.stdout + first.stderr).not.toMatch(/Error/);
    expect(first.status).toBe(0);
    expect(github.violations).toEqual([]);
    const mine = github.comments.filter((c) => c.body.startsWith(planCommentMarker(env.name)));
    expect(mine).toHaveLength(1);
    expect(mine[0]!.body).toContain('| natfleet-it-fleet | UPDATE | no changes | — |');
    expect(first.summary).toContain('natfleet plan — it');
    expect(first.output).toMatch(/^outputs<<(\S+)\n\{.*\}\n\1$/m);
    expect(first.output).toMatch(/^changes<<(\S+)\nfalse\n\1$/m);

    // Without checker-dir: the bundle finds checker/dist of the checkout it runs from.
    const again = await runBundle({ environment: env.name, config: configFile }, 7);
    expect(again.status).toBe(0);
    const bundled = join(ROOT, 'checker/dist');
    expect(again.summary).toContain(
      existsSync(bundled) ? checkerArtifact(bundled).key : `no checker bundle at ${bundled}`,
    );
    expect(github.violations).toEqual([]);
    expect(github.comments.filter((c) => c.issue === 7)).toHaveLength(2);
    expect(github.requests.map((q) => q.operationId)).toEqual([
      'issues/list-comments',
      'issues/create-comment',
      'issues/list-comments',
      'issues/update-comment',
    ]);
  });

  it('the CLI plans the same, and says how it was called wrong', async () => {
    const io = captureIo();
    const args = ['--env', env.name, '--config', configFile, '--checker-dir', checkerDir];
    args.push('--stacks', DEPLOYED.join(','));
    expect(await run(['deploy', ...args, '--plan'], io)).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/natfleet-it-checker\s+UPDATE\s+no changes/);
    const bad = captureIo();
    expect(await run(['deploy', ...args], bad)).toBe(2);
    expect(bad.stderr).toEqual(['natfleet: deploy: give one of --plan or --apply']);
    expect(await run(['deploy', ...args, '--apply', '--stacks', 'fleet,vpc'], bad)).toBe(2);
    expect(bad.stderr[1]).toContain('unknown stack(s) vpc in the stacks filter');
    const missing = captureIo();
    const nofile = ['--env', env.name, '--config', '/nonexistent.yml', '--plan'];
    expect(await run(['deploy', ...nofile], missing)).toBe(1);
    expect(missing.stderr.join('\n')).toContain('/nonexistent.yml');
  });

  it('the bundle rejects a subnet id that does not exist and changes nothing', async () => {
    const bad = {
      ...env,
      zones: env.zones.map((z, i) => (i ? z : { ...z, privateSubnet: 'subnet-0deadbeef0000000' })),
    };
    const file = join(tempDir(), 'natfleet.yml');
    writeConfig(bad, file);
    const r = await runBundle(
      { environment: env.name, config: file, mode: 'apply', 'checker-dir': checkerDir },
      8,
    );
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(
      'environments.it.zones[0].privateSubnet: subnet subnet-0deadbeef0000000 does not exist in eu-west-1',
    );
    // At the line of the file the action read, as validate would say it.
    const line =
      readFileSync(file, 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('subnet-0deadbeef0000000')) + 1;
    expect(r.stdout).toContain(
      `subnet-0deadbeef0000000 does not exist in eu-west-1 (line ${line})`,
    );
    expect(r.stdout).toContain('Nothing was changed');
  });

  it('the first Maintenance after deploy builds the image, launches the fleet from the deployed launch template and moves the routes', async () => {
    // The definitions run with the very ids deploy gave the workflows stack.
    const cfn = new CloudFormationClient({ region: env.region });
    const p = Object.fromEntries(
      (
        await cfn.send(new DescribeStacksCommand({ StackName: stackName(env.name, 'workflows') }))
      ).Stacks![0]!.Parameters!.map((x) => [x.ParameterKey!, x.ParameterValue!]),
    );
    const ssm = new SSMClient({ region: env.region });
    const ami = await ec2.send(
      new CreateImageCommand({ InstanceId: vpc[0]!.instanceId, Name: 'natfleet-it-first' }),
    );
    const images = new ImageBuilderDouble(['BUILDING', 'AVAILABLE'], ami.ImageId!);
    const sf = new LocalStepFunctions({
      clients: { ec2: checkingAmis(ec2), ssm, imagebuilder: images },
      fastMs: 1,
    });
    const byZone = (prefix: string) =>
      Object.fromEntries(
        env.zones.map((z) => [z.availabilityZone, p[prefix + zoneKey(z.availabilityZone)]!]),
      );
    const defs = workflowDefinitions(env, {
      gateways: byZone('Gateway'),
      eipAllocations: byZone('EipAllocation'),
      launchTemplateId: p.LaunchTemplateId!,
      amiParameter: amiParameter(env.name),
      imagePipelineArn: `arn:aws:imagebuilder:${env.region}:${env.accountId}:image-pipeline/x`,
      replaceInstancesArn: sf.arnOf(stateMachineName(env.name, 'ReplaceInstances')),
      fallbackArn: sf.arnOf(stateMachineName(env.name, 'Fallback')),
    });
    const arns = Object.fromEntries(
      WORKFLOWS.map((wf) => [wf, sf.register(stateMachineName(env.name, wf), defs[wf])]),
    );
    const run = sf.start(arns.Maintenance!, { reason: 'first image' }, 'first');
    const result = await run.result;
    // The whole result on failure: its cause names the zone and the EC2 error.
    expect(result.status === 'SUCCEEDED' ? result.status : JSON.stringify(result)).toBe(
      'SUCCEEDED',
    );

    const param = await ssm.send(new GetParameterCommand({ Name: amiParameter(env.name) }));
    expect(param.Parameter!.Value).toBe(ami.ImageId);
    const live = (
      await ec2.send(
        new DescribeInstancesCommand({
          Filters: [{ Name: 'instance-state-name', Values: ['running'] }],
        }),
      )
    ).Reservations!.flatMap((r) => r.Instances!);
    const tables = await ec2.send(
      new DescribeRouteTablesCommand({
        Filters: [{ Name: 'route-table-id', Values: env.zones.flatMap((z) => z.routeTables) }],
      }),
    );
    for (const z of env.zones) {
      const fresh = live.find((i) => i.ImageId === ami.ImageId && i.SubnetId === z.publicSubnet)!;
      expect(fresh).toBeDefined();
      // From the fleet stack's launch template, with the fleet stack's Elastic IP.
      expect(fresh.Tags).toContainEqual({
        Key: 'aws:ec2launchtemplate:id',
        Value: p.LaunchTemplateId,
      });
      const eip = (
        await ec2.send(
          new DescribeAddressesCommand({
            AllocationIds: [p[`EipAllocation${zoneKey(z.availabilityZone)}`]!],
          }),
        )
      ).Addresses![0]!;
      expect(eip.InstanceId).toBe(fresh.InstanceId);
      const eni = fresh.NetworkInterfaces![0]!.NetworkInterfaceId;
      for (const id of z.routeTables) {
        const t = tables.RouteTables!.find((x) => x.RouteTableId === id)!;
        expect(
          t.Routes!.find((r) => r.DestinationCidrBlock === '0.0.0.0/0')!.NetworkInterfaceId,
        ).toBe(eni);
      }
    }
  });
});
