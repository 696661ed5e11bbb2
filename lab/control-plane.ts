// The lab's control plane: moto_server in the lab's ctl namespace (what private hosts reach as
// their VPC endpoint), relayed to this process on a loopback port; a VPC of N zones made in it
// as a user's would be; natfleet.yml written for it; the real `natfleet deploy --apply`; the
// local Step Functions endpoint reachable from here and from the ctl namespace (ADR 0091).
import type { Server } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import {
  AllocateAddressCommand,
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  CreateNatGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  EC2Client,
  RegisterImageCommand,
} from '@aws-sdk/client-ec2';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import type { Environment } from '../lib/config/schema.js';
import { amiParameter, artifactsBucket, stackName } from '../lib/names.js';
import { deployCommand } from '../cli/deploy.js';
import { inNs, startDaemon } from './exec.js';
import { SfnEndpoint } from './sfn-endpoint.js';
import type { ServiceClients } from '../lib/workflows/sdk.js';
import { CONTROL_ADDR, VPC_CIDR, type Lab } from './topology.js';
import { serverPath } from './paths.js';
import { relayServer } from './servers/relay.mjs';

export const ENV_NAME = 'lab';
export const REGION = 'eu-west-1';
export const ACCOUNT = '123456789012';
export const MOTO_PORT = 5000;
const SFN_PORT = 5001;
const FORWARD = () => serverPath('forward.mjs');

/** An AMI in moto, as an image build registers it. */
export async function registerAmi(ec2: EC2Client, label: string): Promise<string> {
  const out = await ec2.send(
    new RegisterImageCommand({
      Name: `natfleet-${ENV_NAME}-${label}`,
      Architecture: 'arm64',
      RootDeviceName: '/dev/xvda',
      VirtualizationType: 'hvm',
    }),
  );
  return out.ImageId!;
}

export interface CheckerProfile {
  intervalSeconds: number;
  timeoutSeconds: number;
  unhealthyThreshold: number;
}

export interface ZoneIds {
  /** The lab's zone name (a, b, c) and the AWS zone it stands for. */
  lab: string;
  zone: string;
  publicSubnet: string;
  privateSubnet: string;
  routeTable: string;
  /** The user's NAT gateway, adopted as the zone's standby. */
  gateway: string;
  /** With floating egress: the zone's floating address (in its public subnet), its Elastic
   * IP's allocation, and the address the lab's internet gateway gives that Elastic IP. */
  floating?: { address: string; allocation: string; public: string };
}

export type Egress = 'primary' | 'floating';

/** A TCP listener on 127.0.0.1 that relays each connection to a unix socket. */
async function relayTo(path: string): Promise<{ server: Server; url: string }> {
  const server = relayServer({ path });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
  return { server, url: `http://127.0.0.1:${port}` };
}

/**
 * moto_server at CONTROL_ADDR:MOTO_PORT in the lab's ctl namespace (where the private hosts
 * reach it), and a loopback relay to it for this process: its server and URL.
 */
export async function motoInControlNs(lab: Lab): Promise<{ server: Server; url: string }> {
  const sock = join(lab.dir, 'moto.sock');
  await startDaemon(
    inNs(lab.controlNs, ['moto_server', '-H', CONTROL_ADDR, '-p', String(MOTO_PORT)]),
    30_000,
    /Running on/,
  );
  await startDaemon(
    inNs(lab.controlNs, ['node', FORWARD(), sock, `${CONTROL_ADDR}:${MOTO_PORT}`]),
    10_000,
    /ready/,
  );
  return relayTo(sock);
}

/** The VPC a user would have: IGW, public and private subnets, a NAT gateway per zone. */
export async function createVpc(
  ec2: EC2Client,
  lab: Lab,
  egress: Egress = 'primary',
): Promise<{ vpcId: string; zones: ZoneIds[] }> {
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: VPC_CIDR }))).Vpc!.VpcId!;
  const igw = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!
    .InternetGatewayId!;
  await ec2.send(new AttachInternetGatewayCommand({ VpcId: vpcId, InternetGatewayId: igw }));
  const pub = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable!
    .RouteTableId!;
  await ec2.send(
    new CreateRouteCommand({
      RouteTableId: pub,
      DestinationCidrBlock: '0.0.0.0/0',
      GatewayId: igw,
    }),
  );
  const out: ZoneIds[] = [];
  for (const z of lab.zones) {
    const zone = `${REGION}${z.name}`;
    const subnet = async (cidr: string) =>
      (
        await ec2.send(
          new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: zone }),
        )
      ).Subnet!.SubnetId!;
    // Private: the lab's 10.20.<i>.0/24; public: 10.20.<100+i>.0/24.
    const privateSubnet = await subnet(`10.20.${z.index}.0/24`);
    const publicSubnet = await subnet(`10.20.${100 + z.index}.0/24`);
    await ec2.send(new AssociateRouteTableCommand({ RouteTableId: pub, SubnetId: publicSubnet }));
    const eip = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    const gateway = (
      await ec2.send(
        new CreateNatGatewayCommand({ SubnetId: publicSubnet, AllocationId: eip.AllocationId }),
      )
    ).NatGateway!.NatGatewayId!;
    const routeTable = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable!
      .RouteTableId!;
    await ec2.send(
      new AssociateRouteTableCommand({ RouteTableId: routeTable, SubnetId: privateSubnet }),
    );
    await ec2.send(
      new CreateRouteCommand({
        RouteTableId: routeTable,
        DestinationCidrBlock: '0.0.0.0/0',
        NatGatewayId: gateway,
      }),
    );
    // Floating egress: the public subnet's .250 and an Elastic IP for it (moto's are in 127/8:
    // the lab's gateway gives it 203.0.113.5<i> on the public segment).
    const floating =
      egress === 'floating'
        ? {
            address: `10.20.${100 + z.index}.250`,
            allocation: (await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' })))
              .AllocationId!,
            public: `203.0.113.${50 + z.index}`,
          }
        : undefined;
    out.push({
      lab: z.name,
      zone,
      publicSubnet,
      privateSubnet,
      routeTable,
      gateway,
      ...(floating ? { floating } : {}),
    });
  }
  return { vpcId, zones: out };
}

/** natfleet.yml's environment for the lab's VPC: standbys adopted, checker on the lab's URLs. */
export function labEnvironment(
  vpcId: string,
  zones: ZoneIds[],
  urls: string[],
  profile: CheckerProfile,
  egress: Egress = 'primary',
): Environment {
  return {
    name: ENV_NAME,
    accountId: ACCOUNT,
    region: REGION,
    vpcId,
    vpcCidrs: [VPC_CIDR],
    instance: {
      type: 't4g.small',
      architecture: 'arm64',
      ...(egress === 'floating' ? { egress: 'floating' as const } : {}),
    },
    image: { rebuildEveryDays: 14, keep: 3 },
    gateway: { mode: 'per-zone' },
    zones: zones.map((z) => ({
      availabilityZone: z.zone,
      publicSubnet: z.publicSubnet,
      privateSubnet: z.privateSubnet,
      routeTables: [z.routeTable],
      natGatewayId: z.gateway,
      ...(z.floating
        ? { floatingAddress: z.floating.address, eipAllocation: z.floating.allocation }
        : {}),
    })),
    checker: {
      urls,
      ...profile,
      autoFallback: false,
      healthyMinutes: 10,
      stepFunctionsEndpoint: 'create',
    },
  };
}

export function writeConfig(env: Environment, file: string): void {
  const { name, ...rest } = env;
  writeFileSync(file, stringify({ version: 1, environments: { [name]: rest } }));
}

export interface ControlPlaneOptions {
  lab: Lab;
  urls: string[];
  profile: CheckerProfile;
  /** What the NAT translates to (natfleet.yml's instance.egress). */
  egress?: Egress;
  /** Every Wait and Retry of the workflows, in ms (the lab's clock; undefined: as deployed). */
  fastMs?: number;
  /** A Wait state's own interval in ms (see LocalOptions.waitMs). */
  waitMs?: (machine: string, state: string) => number | undefined;
  /** The workflows' clients instead of the plain moto ones (the lab's status checks, its
   * Image Builder, its Run Command), given the moto EC2 and SSM clients. */
  clients?: (ec2: EC2Client, ssm: SSMClient) => ServiceClients;
  log: (line: string) => void;
}

export class ControlPlane {
  readonly ec2: EC2Client;
  readonly ssm: SSMClient;
  readonly cfn: CloudFormationClient;
  env!: Environment;
  zones: ZoneIds[] = [];
  sfn?: SfnEndpoint;
  readonly configFile: string;
  /** What private hosts (in the lab's namespaces) use. */
  readonly inLab = {
    aws: `http://${CONTROL_ADDR}:${MOTO_PORT}`,
    sfn: `http://${CONTROL_ADDR}:${SFN_PORT}`,
  };
  private relays: Server[] = [];

  private constructor(
    readonly lab: Lab,
    readonly motoUrl: string,
    relay: Server,
  ) {
    this.relays.push(relay);
    const config = {
      region: REGION,
      endpoint: motoUrl,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      maxAttempts: 3,
    };
    this.ec2 = new EC2Client(config);
    this.ssm = new SSMClient(config);
    this.cfn = new CloudFormationClient(config);
    this.configFile = join(lab.dir, 'natfleet.yml');
  }

  /** moto_server in the ctl namespace, relayed to a loopback port of this process. */
  static async start(lab: Lab): Promise<ControlPlane> {
    const { server, url } = await motoInControlNs(lab);
    return new ControlPlane(lab, url, server);
  }

  /** The SDK settings of a shell that drives the lab with the ordinary natfleet commands. */
  exports(): Record<string, string> {
    return {
      AWS_ENDPOINT_URL: this.motoUrl,
      AWS_ENDPOINT_URL_SFN: this.sfn?.url ?? '',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: REGION,
      NATFLEET_CONFIG: this.configFile,
    };
  }

  /** VPC, natfleet.yml, `natfleet deploy --apply`, the Step Functions endpoint. */
  async bringUp(o: ControlPlaneOptions): Promise<void> {
    const { vpcId, zones } = await createVpc(this.ec2, o.lab, o.egress);
    this.zones = zones;
    this.env = labEnvironment(vpcId, this.zones, o.urls, o.profile, o.egress);
    writeConfig(this.env, this.configFile);
    o.log(`control plane: VPC ${vpcId}, ${this.zones.length} zone(s); ${this.configFile}`);
    // The deploy runs in this process with the SDK's own settings, as the CLI does.
    Object.assign(process.env, this.exports());
    const lines: string[] = [];
    const deployStacks = async (stacks?: string) => {
      const code = await deployCommand(
        { config: this.configFile, env: ENV_NAME, apply: true, ...(stacks ? { stacks } : {}) },
        { out: (l) => lines.push(l), err: (l) => lines.push(l) },
      );
      if (code !== 0) throw new Error(`natfleet deploy --apply failed:\n${lines.join('\n')}`);
    };
    // moto creates the artifacts bucket without the template's VersioningConfiguration; deploy
    // refuses an unversioned bucket (ADR 0085), so the lab turns it on as CloudFormation would.
    await deployStacks('artifacts');
    await new S3Client({ region: REGION, forcePathStyle: true }).send(
      new PutBucketVersioningCommand({
        Bucket: artifactsBucket(ENV_NAME, ACCOUNT, REGION),
        VersioningConfiguration: { Status: 'Enabled' },
      }),
    );
    await deployStacks();
    o.log(
      `control plane: natfleet deploy --apply: ${lines.filter((l) => /: (CREATE|UPDATE)_COMPLETE$|no changes$/.test(l)).length} stack(s) done`,
    );
    this.sfn = new SfnEndpoint({
      cfn: this.cfn,
      stackName: stackName(ENV_NAME, 'workflows'),
      region: REGION,
      accountId: ACCOUNT,
      runner: {
        clients: { ec2: this.ec2, ssm: this.ssm, ...o.clients?.(this.ec2, this.ssm) },
        ...(o.fastMs !== undefined ? { fastMs: o.fastMs } : {}),
        ...(o.waitMs ? { waitMs: o.waitMs } : {}),
      },
    });
    await this.sfn.start();
    const sock = join(this.lab.dir, 'sfn.sock');
    await this.sfn.listenOn(sock);
    await startDaemon(
      inNs(this.lab.controlNs, ['node', FORWARD(), `${CONTROL_ADDR}:${SFN_PORT}`, sock]),
      10_000,
      /ready/,
    );
    process.env.AWS_ENDPOINT_URL_SFN = this.sfn.url;
  }

  /** What the image pipeline leaves behind: an AMI in moto and the SSM parameter naming it. */
  async registerImage(label: string): Promise<string> {
    const id = await registerAmi(this.ec2, label);
    await this.ssm.send(
      new PutParameterCommand({
        Name: amiParameter(ENV_NAME),
        Value: id,
        Type: 'String',
        Overwrite: true,
      }),
    );
    return id;
  }

  async stop(): Promise<void> {
    await this.sfn?.stop();
    for (const r of this.relays) r.close();
    this.relays = [];
    this.ec2.destroy();
    this.ssm.destroy();
    this.cfn.destroy();
  }
}
