// Builds, in moto's EC2, the VPC an environment describes: subnets, private route tables with
// a default route, a standby NAT gateway and a NAT instance per zone, tagged as natfleet does.
import { CHECKER_LIMITS } from '../lib/config/limits.js';
import {
  CreateNatGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  AllocateAddressCommand,
  ModifyInstanceAttributeCommand,
  RunInstancesCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { tags } from '../lib/names.js';
import type { Environment } from '../lib/config/schema.js';
import type { WorkflowRefs } from '../lib/workflows/index.js';

export interface BuiltZone {
  zone: string;
  publicSubnet: string;
  privateSubnet: string;
  routeTables: string[];
  gateway: string;
  instanceId: string;
  eniId: string;
}

/** An environment whose ids are the ones moto made; routes start on the NAT instances. */
export async function buildVpc(
  ec2: EC2Client,
  name: string,
  zoneNames: string[],
  tablesPerZone = 1,
): Promise<{ env: Environment; zones: BuiltZone[] }> {
  const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
  const vpcId = vpc.Vpc!.VpcId!;
  const zones: BuiltZone[] = [];
  let n = 0;
  for (const zone of zoneNames) {
    const sub = async () =>
      (
        await ec2.send(
          new CreateSubnetCommand({
            VpcId: vpcId,
            CidrBlock: `10.0.${n++}.0/24`,
            AvailabilityZone: zone,
          }),
        )
      ).Subnet!.SubnetId!;
    const publicSubnet = await sub();
    const privateSubnet = await sub();
    const eip = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    const gw = await ec2.send(
      new CreateNatGatewayCommand({
        SubnetId: publicSubnet,
        AllocationId: eip.AllocationId,
        TagSpecifications: [
          { ResourceType: 'natgateway', Tags: tags(name, 'standby-gateway', zone) },
        ],
      }),
    );
    const run = await ec2.send(
      new RunInstancesCommand({
        ImageId: 'ami-12c6146b',
        MinCount: 1,
        MaxCount: 1,
        InstanceType: 't4g.small',
        SubnetId: publicSubnet,
        TagSpecifications: [{ ResourceType: 'instance', Tags: tags(name, 'nat-instance', zone) }],
      }),
    );
    const instance = run.Instances![0]!;
    await ec2.send(
      new ModifyInstanceAttributeCommand({
        InstanceId: instance.InstanceId,
        SourceDestCheck: { Value: false },
      }),
    );
    const eniId = instance.NetworkInterfaces![0]!.NetworkInterfaceId!;
    const routeTables: string[] = [];
    for (let t = 0; t < tablesPerZone; t++) {
      const rt = await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }));
      const id = rt.RouteTable!.RouteTableId!;
      await ec2.send(
        new CreateRouteCommand({
          RouteTableId: id,
          DestinationCidrBlock: '0.0.0.0/0',
          NetworkInterfaceId: eniId,
        }),
      );
      routeTables.push(id);
    }
    zones.push({
      zone,
      publicSubnet,
      privateSubnet,
      routeTables,
      gateway: gw.NatGateway!.NatGatewayId!,
      instanceId: instance.InstanceId!,
      eniId,
    });
  }
  const env: Environment = {
    name,
    accountId: '123456789012',
    region: 'eu-west-1',
    vpcId,
    vpcCidrs: ['10.0.0.0/16'],
    instance: { type: 't4g.small', architecture: 'arm64' },
    image: { rebuildEveryDays: 14, keep: 3 },
    gateway: { mode: 'per-zone' },
    zones: zones.map((z) => ({
      availabilityZone: z.zone,
      publicSubnet: z.publicSubnet,
      privateSubnet: z.privateSubnet,
      routeTables: z.routeTables,
    })),
    checker: {
      urls: ['https://checkip.amazonaws.com'],
      // The shipped defaults: one source (lib/config/limits.ts) decides them.
      intervalSeconds: CHECKER_LIMITS.intervalSeconds.default,
      timeoutSeconds: CHECKER_LIMITS.timeoutSeconds.default,
      unhealthyThreshold: CHECKER_LIMITS.unhealthyThreshold.default,
      autoFallback: false,
      healthyMinutes: 10,
      stepFunctionsEndpoint: 'create',
    },
  };
  return { env, zones };
}

/** Workflow refs for a built VPC when only Failover/Fallback run: the standbys are real. */
export function failoverRefs(env: Environment, zones: BuiltZone[]): WorkflowRefs {
  return {
    gateways: Object.fromEntries(zones.map((z) => [z.zone, z.gateway])),
    launchTemplateId: 'lt-00000000000000001',
    amiParameter: `/natfleet/${env.name}/ami`,
    imagePipelineArn: 'arn:aws:imagebuilder:eu-west-1:123456789012:image-pipeline/x',
    replaceInstancesArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:x',
    fallbackArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:y',
  };
}
