// gateway stack: the standby NAT Gateway(s). Zonal standbys (shared, per-zone) come with an
// Elastic IP each and sit in a public subnet; a regional standby is one gateway of the VPC, in no
// subnet, whose addresses AWS allocates per zone (ADR 0080). Adopted gateways are not created
// here; when every standby is adopted the stack is not needed at all.
import type { Environment } from '../lib/config/schema.js';
import { gatewayName, stackName, tags } from '../lib/names.js';
import { getAtt, ref, tagList, zoneKey, type RenderedStack, type Template } from '../lib/cfn.js';

interface Standby {
  key: string;
  zone?: string;
  subnet: string;
}

/** The logical id (and output name) of the regional standby. */
export const REGIONAL_GATEWAY = 'GatewayRegional';

/** The zonal standbys this stack creates (adopted ones excluded). */
function createdStandbys(env: Environment): Standby[] {
  if (env.gateway.mode === 'regional') return [];
  if (env.gateway.mode === 'shared') {
    if (env.gateway.natGatewayId || !env.gateway.subnet) return [];
    return [{ key: 'Shared', subnet: env.gateway.subnet }];
  }
  return env.zones
    .filter((z) => !z.natGatewayId)
    .map((z) => ({
      key: zoneKey(z.availabilityZone),
      zone: z.availabilityZone,
      subnet: z.publicSubnet,
    }));
}

const blank = (env: Environment): Template => ({
  AWSTemplateFormatVersion: '2010-09-09',
  Description: `natfleet ${env.name}: standby NAT Gateway (${env.gateway.mode})`,
  Parameters: {},
  Resources: {},
  Outputs: {},
});

/**
 * One regional gateway in automatic mode: AWS covers every zone of the VPC that has subnets and
 * allocates its addresses; it makes the gateway's own route table to the internet gateway.
 */
function regionalStack(env: Environment): RenderedStack | undefined {
  if (env.gateway.natGatewayId) return undefined;
  const t = blank(env);
  t.Parameters!.VpcId = {
    Type: 'AWS::EC2::VPC::Id',
    Description: 'the VPC the regional standby NAT Gateway serves',
  };
  t.Resources[REGIONAL_GATEWAY] = {
    Type: 'AWS::EC2::NatGateway',
    Properties: {
      AvailabilityMode: 'regional',
      ConnectivityType: 'public',
      VpcId: ref('VpcId'),
      Tags: tagList(tags(env.name, 'standby-gateway', undefined, gatewayName(env.name))),
    },
  };
  t.Outputs![REGIONAL_GATEWAY] = {
    Description: 'regional standby NAT Gateway (every zone)',
    Value: ref(REGIONAL_GATEWAY),
  };
  t.Outputs!.GatewayRouteTable = {
    Description: 'the route table AWS made for the regional gateway (default route to the IGW)',
    Value: getAtt(REGIONAL_GATEWAY, 'RouteTableId'),
  };
  return {
    kind: 'gateway',
    name: stackName(env.name, 'gateway'),
    template: t,
    parameters: { VpcId: env.vpcId },
  };
}

export function gatewayStack(env: Environment): RenderedStack | undefined {
  if (env.gateway.mode === 'regional') return regionalStack(env);
  const standbys = createdStandbys(env);
  if (standbys.length === 0) return undefined;
  const t = blank(env);
  const parameters: Record<string, string> = {};
  for (const s of standbys) {
    const name = gatewayName(env.name, s.zone);
    const subnetParam = `Subnet${s.key}`;
    t.Parameters![subnetParam] = {
      Type: 'AWS::EC2::Subnet::Id',
      Description: `public subnet of the ${s.zone ?? 'shared'} standby NAT Gateway`,
    };
    parameters[subnetParam] = s.subnet;
    t.Resources[`Eip${s.key}`] = {
      Type: 'AWS::EC2::EIP',
      Properties: { Domain: 'vpc', Tags: tagList(tags(env.name, 'standby-gateway', s.zone, name)) },
    };
    t.Resources[`Gateway${s.key}`] = {
      Type: 'AWS::EC2::NatGateway',
      Properties: {
        AllocationId: getAtt(`Eip${s.key}`, 'AllocationId'),
        SubnetId: ref(subnetParam),
        ConnectivityType: 'public',
        Tags: tagList(tags(env.name, 'standby-gateway', s.zone, name)),
      },
    };
    t.Outputs![`Gateway${s.key}`] = {
      Description: `standby NAT Gateway ${s.zone ?? '(shared)'}`,
      Value: ref(`Gateway${s.key}`),
    };
    t.Outputs![`GatewayIp${s.key}`] = {
      Description: `public address of the ${s.zone ?? 'shared'} standby`,
      Value: ref(`Eip${s.key}`),
    };
  }
  return { kind: 'gateway', name: stackName(env.name, 'gateway'), template: t, parameters };
}
