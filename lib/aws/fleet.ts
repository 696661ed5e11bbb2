// Reads the live fleet from EC2 into the domain model. Routes are changed only by the
// workflows' state machines (ADR 0060).
import {
  DescribeInstanceStatusCommand,
  DescribeInstancesCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  type EC2Client,
  type Instance,
} from '@aws-sdk/client-ec2';
import type { Environment } from '../config/schema.js';
import { fleetZones, type ZoneTargets } from '../fleet.js';
import { TAG } from '../names.js';
import { fleetReads, runningIn, tagOf } from './reads.js';

// Bound to the statically imported commands: the CLI, the actions and the workflows load the
// SDK anyway. The checker binds the same reads to commands it loads on first use.
const reads = (ec2: EC2Client) =>
  fleetReads(ec2, {
    DescribeRouteTablesCommand,
    DescribeInstancesCommand,
    DescribeInstanceStatusCommand,
  });

export const observeRouteTables = (ec2: EC2Client, ids: string[]) => reads(ec2).routeTables(ids);
export const natInstances = (ec2: EC2Client, env: string) => reads(ec2).natInstances(env);
export const statusOk = (ec2: EC2Client, instances: Instance[]) => reads(ec2).statusOk(instances);
export const zoneInstance = (ec2: EC2Client, env: string, zone: string) =>
  reads(ec2).zoneInstance(env, zone);

/** Zones with their live targets: the configured or tagged standby, and the NAT instance. */
export async function observeZoneTargets(ec2: EC2Client, env: Environment): Promise<ZoneTargets[]> {
  const zones = fleetZones(env);
  const [instances, gateways] = await Promise.all([
    natInstances(ec2, env.name),
    ec2.send(
      new DescribeNatGatewaysCommand({
        Filter: [
          { Name: `tag:${TAG.environment}`, Values: [env.name] },
          { Name: `tag:${TAG.role}`, Values: ['standby-gateway'] },
          { Name: 'state', Values: ['available'] },
        ],
      }),
    ),
  ]);
  const ok = await statusOk(ec2, instances);
  const tagged = gateways.NatGateways ?? [];
  return zones.map((z) => {
    // The mode decides which tagged gateway is the standby: a zone's own only in per-zone mode
    // (a leftover zonal standby must not win over a shared or regional one).
    const gateway =
      z.gateway ??
      (env.gateway.mode === 'per-zone'
        ? tagged.find((g) => tagOf(g.Tags, TAG.zone) === z.zone)
        : tagged.find((g) => !tagOf(g.Tags, TAG.zone))
      )?.NatGatewayId;
    const i = runningIn(instances, z.zone);
    const eni = i?.NetworkInterfaces?.find((n) => n.Attachment?.DeviceIndex === 0);
    return {
      ...z,
      ...(gateway ? { gateway } : {}),
      ...(i && eni
        ? {
            instance: {
              instanceId: i.InstanceId!,
              eniId: eni.NetworkInterfaceId!,
              ready: ok.has(i.InstanceId!) && i.SourceDestCheck === false,
            },
          }
        : {}),
    };
  });
}
