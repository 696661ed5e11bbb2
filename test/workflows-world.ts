// A fleet in moto for the workflow tests: 3 zones × 2 private route tables, a NAT instance and a
// standby gateway per zone (lab/vpc.ts), plus what ReplaceInstances and Maintenance need — a
// launch template, the AMI parameter, an Elastic IP per zone — and the four state machines
// registered in the in-process runner, whose EC2/SSM calls go to moto and whose Image Builder
// calls go to a small double.
import { afterAll, afterEach, beforeAll, beforeEach, expect } from '@jest/globals';
import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  CreateImageCommand,
  CreateLaunchTemplateCommand,
  CreateNatGatewayCommand,
  DescribeImagesCommand,
  DescribeAddressesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Environment } from '../lib/config/schema.js';
import { tempDir } from './helpers.js';
import {
  amiParameter,
  stateMachineName,
  tags,
  WORKFLOWS,
  type WorkflowName,
} from '../lib/names.js';
import { observeRouteTables } from '../lib/aws/fleet.js';
import type { ObservedTable } from '../lib/routes.js';
import { workflowDefinitions, type WorkflowRefs } from '../lib/workflows/index.js';
import { invariantViolations } from './invariant.js';
import {
  LocalStepFunctions,
  type LocalExecution,
  type LocalOptions,
} from '../lab/stepfunctions/local.js';
import type { Sender } from '../lib/workflows/sdk.js';
import { buildVpc, type BuiltZone } from '../lab/vpc.js';
import { startMoto, type Moto } from './moto.js';
import { aroundTasks, recordSetting, tagLookup } from './calls.js';
import { workflowRole } from './iam-requests.js';

export const ZONES = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];

/** Image Builder as the workflows use it: a build whose states follow a script. */
export class ImageBuilderDouble implements Sender {
  calls: string[] = [];
  private polls = 0;
  constructor(
    /** Status per GetImage call; the last one repeats. */
    public statuses: string[],
    public amiId: string,
    public region = 'eu-west-1',
  ) {}
  async send(command: unknown): Promise<unknown> {
    const name = (command as object).constructor.name;
    this.calls.push(name);
    // As Image Builder names a build: image/<recipe name>/<recipe version>/<build>.
    const arn = `arn:aws:imagebuilder:${this.region}:123456789012:image/natfleet-prod-image-recipe/1.0.0/1`;
    if (name === 'StartImagePipelineExecutionCommand') return { ImageBuildVersionArn: arn };
    if (name === 'CancelImageCreationCommand') return { ImageBuildVersionArn: arn };
    if (name === 'GetImageCommand') {
      const status = this.statuses[Math.min(this.polls++, this.statuses.length - 1)]!;
      return {
        Image: {
          Arn: arn,
          State: { Status: status },
          ...(status === 'AVAILABLE'
            ? { OutputResources: { Amis: [{ Region: this.region, Image: this.amiId }] } }
            : {}),
        },
      };
    }
    throw Object.assign(new Error(`the double does not answer ${name}`), {
      name: 'InvalidRequestException',
    });
  }
}

/** Wraps a client so chosen commands fail their first `times` calls (throttling and the like). */
export function failing(
  client: Sender,
  command: string,
  times: number,
  code = 'RequestLimitExceeded',
) {
  let left = times;
  const counts: Record<string, number> = {};
  const sender: Sender & { counts: Record<string, number> } = {
    counts,
    async send(c: unknown) {
      const name = (c as object).constructor.name.replace(/Command$/, '');
      counts[name] = (counts[name] ?? 0) + 1;
      if (name === command && left > 0) {
        left--;
        throw Object.assign(new Error('Request limit exceeded.'), { name: code, Code: code });
      }
      return client.send(c);
    },
  };
  return sender;
}

/**
 * EC2 refuses RunInstances with an AMI it does not know; moto launches anything. This wrapper
 * asks moto's DescribeImages first and answers as EC2 would.
 */
export function checkingAmis(client: Sender): Sender {
  return {
    async send(c: unknown) {
      if ((c as object).constructor.name === 'RunInstancesCommand') {
        const id = (c as { input: { ImageId?: string } }).input.ImageId;
        const known = await client
          .send(new DescribeImagesCommand({ ImageIds: [id ?? ''] }))
          .then((r) => ((r as { Images?: unknown[] }).Images ?? []).length > 0)
          .catch(() => false);
        if (!known) {
          const message = `The image id '[${id}]' does not exist`;
          throw Object.assign(new Error(message), {
            name: 'InvalidAMIID.NotFound',
            Code: 'InvalidAMIID.NotFound',
          });
        }
      }
      return client.send(c);
    },
  };
}

/** Wraps a client so DescribeInstanceStatus reports the chosen instances as impaired. */
export function impaired(client: Sender, which: (instanceId: string) => boolean): Sender {
  return {
    async send(c: unknown) {
      const out = (await client.send(c)) as { InstanceStatuses?: { InstanceId?: string }[] };
      if ((c as object).constructor.name !== 'DescribeInstanceStatusCommand') return out;
      const bad = { Status: 'impaired', Details: [{ Name: 'reachability', Status: 'failed' }] };
      return {
        ...out,
        InstanceStatuses: (out.InstanceStatuses ?? []).map((s) =>
          which(s.InstanceId!) ? { ...s, InstanceStatus: bad } : s,
        ),
      };
    },
  };
}

export interface World {
  env: Environment;
  /** The key its calls are recorded under (test/calls.ts). */
  setting: string;
  zones: BuiltZone[];
  ec2: EC2Client;
  ssm: SSMClient;
  refs: WorkflowRefs;
  images: ImageBuilderDouble;
  sf: LocalStepFunctions;
  arns: Record<WorkflowName, string>;
  eips: Record<string, string>;
  /** The AMI id a build publishes (a real image in moto). */
  newAmi: string;
  /** The one standby of every zone, with `regional`. */
  regionalGateway?: string;
  routes(): Promise<ObservedTable[]>;
  /** Runs a workflow to its end; the execution keeps its events. */
  run(
    wf: WorkflowName,
    input: object,
    name?: string,
  ): Promise<LocalExecution & { r: Awaited<LocalExecution['result']> }>;
  violations(): ReturnType<typeof invariantViolations>;
}

export interface WorldOptions {
  /** Wrap the EC2 client the runner uses (fault injection). */
  ec2?: (c: Sender) => Sender;
  /** Wraps every Task call of the runner, by state name (barriers, fault injection). */
  around?: LocalOptions['around'];
  /** Wrap the SSM client the runner uses (fault injection, RunCommand doubles). */
  ssm?: (c: Sender) => Sender;
  imageStatuses?: string[];
  /** Per zone index: an EIP allocation id to configure instead of a real one. */
  eipOverride?: Record<number, string>;
  /** Private route tables per zone (default 2). */
  tablesPerZone?: number;
  /**
   * One standby for every zone, tagged as the gateway stack tags a regional one (no zone). moto
   * cannot make a regional gateway, so a zonal one stands in for its single id.
   */
  regional?: boolean;
  /** Changes the environment before the definitions are built (e.g. instance.egress). */
  edit?: (env: Environment, zones: BuiltZone[], ec2: EC2Client) => Promise<void>;
}

export async function buildWorld(o: WorldOptions = {}): Promise<World> {
  const ec2 = new EC2Client({ region: 'eu-west-1', maxAttempts: 1 });
  const ssm = new SSMClient({ region: 'eu-west-1', maxAttempts: 1 });
  const { env, zones } = await buildVpc(ec2, 'prod', ZONES, o.tablesPerZone ?? 2);
  const eips: Record<string, string> = {};
  for (const [i, z] of zones.entries()) {
    const a = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    await ec2.send(
      new AssociateAddressCommand({ AllocationId: a.AllocationId, InstanceId: z.instanceId }),
    );
    eips[z.zone] = o.eipOverride?.[i] ?? a.AllocationId!;
    env.zones[i]!.eipAllocation = eips[z.zone];
  }
  const lt = await ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: 'natfleet-prod-nat',
      LaunchTemplateData: {
        InstanceType: 't4g.small',
        MetadataOptions: { HttpTokens: 'required' },
      },
    }),
  );
  const ami = await ec2.send(
    new CreateImageCommand({ InstanceId: zones[0]!.instanceId, Name: 'natfleet-nat-new' }),
  );
  await ssm.send(
    new PutParameterCommand({ Name: amiParameter('prod'), Value: 'ami-12c6146b', Type: 'String' }),
  );
  const images = new ImageBuilderDouble(
    o.imageStatuses ?? ['BUILDING', 'TESTING', 'AVAILABLE'],
    ami.ImageId!,
  );
  // Every task recorded as its state machine's role makes it, for the IAM proof.
  const setting = recordSetting({
    env,
    refs: { LaunchTemplateId: lt.LaunchTemplate!.LaunchTemplateId! },
  });
  const record = aroundTasks(setting, workflowRole(env.name), tagLookup(ec2));
  const sf = new LocalStepFunctions({
    clients: {
      ec2: checkingAmis(o.ec2 ? o.ec2(ec2) : ec2),
      ssm: o.ssm ? o.ssm(ssm) : ssm,
      imagebuilder: images,
    },
    fastMs: 1,
    // The recorder first (the role makes the call), then the test's own hook (faults, barriers).
    around: (t, call) => record(t, () => (o.around ? o.around(t, call) : call())),
  });
  const arnOf = (wf: WorkflowName) => sf.arnOf(stateMachineName('prod', wf));
  const regionalGateway = o.regional ? await regionalStandIn(ec2, zones[0]!) : undefined;
  if (regionalGateway) env.gateway = { mode: 'regional' };
  const refs: WorkflowRefs = {
    gateways: Object.fromEntries(zones.map((z) => [z.zone, regionalGateway ?? z.gateway])),
    launchTemplateId: lt.LaunchTemplate!.LaunchTemplateId!,
    amiParameter: amiParameter('prod'),
    imagePipelineArn:
      'arn:aws:imagebuilder:eu-west-1:123456789012:image-pipeline/natfleet-prod-image',
    replaceInstancesArn: arnOf('ReplaceInstances'),
    fallbackArn: arnOf('Fallback'),
  };
  await o.edit?.(env, zones, ec2);
  const defs = workflowDefinitions(env, refs);
  const arns = Object.fromEntries(
    WORKFLOWS.map((wf) => [wf, sf.register(stateMachineName('prod', wf), defs[wf])]),
  ) as Record<WorkflowName, string>;
  let n = 0;
  return {
    env,
    setting,
    zones,
    ec2,
    ssm,
    refs,
    images,
    sf,
    arns,
    eips,
    newAmi: ami.ImageId!,
    ...(regionalGateway ? { regionalGateway } : {}),
    routes: () =>
      observeRouteTables(
        ec2,
        zones.flatMap((z) => z.routeTables),
      ),
    async run(wf, input, name = `${wf}-${++n}`) {
      const e = sf.start(arns[wf], input, name);
      const r = await e.result;
      return Object.assign(e, { r });
    },
    violations: () => invariantViolations(ec2, env),
  };
}

/** A gateway tagged like the stack's regional standby: environment and role, no zone. */
async function regionalStandIn(ec2: EC2Client, z: BuiltZone): Promise<string> {
  const eip = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
  const gw = await ec2.send(
    new CreateNatGatewayCommand({
      SubnetId: z.publicSubnet,
      AllocationId: eip.AllocationId,
      TagSpecifications: [{ ResourceType: 'natgateway', Tags: tags('prod', 'standby-gateway') }],
    }),
  );
  return gw.NatGateway!.NatGatewayId!;
}

export async function eipHolder(ec2: EC2Client, allocationId: string): Promise<string | undefined> {
  const out = await ec2.send(new DescribeAddressesCommand({ AllocationIds: [allocationId] }));
  return out.Addresses?.[0]?.InstanceId;
}

/** natfleet.yml describing the environment the test built (for the CLI and the action). */
export function writeConfig(env: Environment): string {
  const raw: Record<string, unknown> = { ...env };
  delete raw.name;
  const file = join(tempDir(), 'natfleet.yml');
  writeFileSync(file, stringify({ version: 1, environments: { [env.name]: raw } }));
  return file;
}

/**
 * For a test file whose tests each build a world: one moto for the file, reset before every
 * test, and the invariant checked after every test whatever its outcome.
 */
export function worldPerTest(): (o?: WorldOptions) => Promise<World> {
  let moto: Moto;
  let w: World | undefined;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    await moto?.stop();
  });
  beforeEach(() => moto.reset());
  afterEach(async () => {
    if (w) expect(await w.violations()).toEqual([]);
    w?.ec2.destroy();
    w = undefined;
  });
  return async (o) => (w = await buildWorld(o));
}
