// gateway stack: the standby NAT Gateway(s) and their Elastic IPs. Adopted gateways are not
// created here; when every standby is adopted the stack is not needed at all.
import type { Environment } from '../lib/config/schema.js';
import { gatewayName, stackName, tags } from '../lib/names.js';
import { getAtt, ref, tagList, zoneKey, type RenderedStack, type Template } from '../lib/cfn.js';

interface Standby {
  key: string;
  zone?: string;
  subnet: string;
}

/** The standbys this stack creates (adopted ones excluded). */
function createdStandbys(env: Environment): Standby[] {
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

export function gatewayStack(env: Environment): RenderedStack | undefined {
  const standbys = createdStandbys(env);
  if (standbys.length === 0) return undefined;
  const t: Template = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `natfleet ${env.name}: standby NAT Gateway (${env.gateway.mode})`,
    Parameters: {},
    Resources: {},
    Outputs: {},
  };
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
