// Reads the live fleet from EC2 into the domain model, and applies route plans.
import {
  CreateRouteCommand,
  DescribeInstanceStatusCommand,
  DescribeInstancesCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  ReplaceRouteCommand,
  type EC2Client,
  type Instance,
  type Route,
} from '@aws-sdk/client-ec2';
import type { Environment } from '../config/schema.js';
import { fleetZones, type ZoneTargets } from '../fleet.js';
import { TAG } from '../names.js';
import {
  DEFAULT_ROUTE,
  type ObservedRoute,
  type ObservedTable,
  type RouteChange,
} from '../routes.js';

const tagOf = (tags: { Key?: string; Value?: string }[] | undefined, key: string) =>
  tags?.find((t) => t.Key === key)?.Value;

export function observedRoute(r: Route | undefined): ObservedRoute | undefined {
  if (!r) return undefined;
  return {
    ...(r.NatGatewayId ? { natGatewayId: r.NatGatewayId } : {}),
    ...(r.InstanceId ? { instanceId: r.InstanceId } : {}),
    ...(r.NetworkInterfaceId ? { networkInterfaceId: r.NetworkInterfaceId } : {}),
    ...(r.GatewayId || r.TransitGatewayId || r.VpcPeeringConnectionId
      ? { otherTarget: r.GatewayId ?? r.TransitGatewayId ?? r.VpcPeeringConnectionId }
      : {}),
    state: r.State === 'blackhole' ? 'blackhole' : 'active',
  };
}

export async function observeRouteTables(ec2: EC2Client, ids: string[]): Promise<ObservedTable[]> {
  if (ids.length === 0) return [];
  // Filtering (not RouteTableIds) so that a missing table is reported by the plan, not thrown.
  const out = await ec2.send(
    new DescribeRouteTablesCommand({ Filters: [{ Name: 'route-table-id', Values: ids }] }),
  );
  return (out.RouteTables ?? []).map((t) => {
    const route = observedRoute(t.Routes?.find((r) => r.DestinationCidrBlock === DEFAULT_ROUTE));
    return route
      ? { routeTableId: t.RouteTableId!, defaultRoute: route }
      : { routeTableId: t.RouteTableId! };
  });
}

/** The environment's NAT instances (not terminated), newest first per zone. */
export async function natInstances(ec2: EC2Client, env: string): Promise<Instance[]> {
  const out = await ec2.send(
    new DescribeInstancesCommand({
      Filters: [
        { Name: `tag:${TAG.environment}`, Values: [env] },
        { Name: `tag:${TAG.role}`, Values: ['nat-instance'] },
        { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
      ],
    }),
  );
  const all = (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
  return all.sort((a, b) => (b.LaunchTime?.getTime() ?? 0) - (a.LaunchTime?.getTime() ?? 0));
}

/** The zone's newest running instance among the environment's NAT instances. */
const runningIn = (instances: Instance[], zone: string) =>
  instances.find((x) => tagOf(x.Tags, TAG.zone) === zone && x.State?.Name === 'running');

/** The instances whose instance and system status checks both pass. */
export async function statusOk(ec2: EC2Client, instances: Instance[]): Promise<Set<string>> {
  const ids = instances.map((i) => i.InstanceId!).filter(Boolean);
  const statuses = ids.length
    ? await ec2.send(
        new DescribeInstanceStatusCommand({ InstanceIds: ids, IncludeAllInstances: true }),
      )
    : { InstanceStatuses: [] };
  return new Set(
    (statuses.InstanceStatuses ?? [])
      .filter((s) => s.InstanceStatus?.Status === 'ok' && s.SystemStatus?.Status === 'ok')
      .map((s) => s.InstanceId!),
  );
}

/** A zone's running NAT instance, if any, and whether it is ready to carry traffic. */
export async function zoneInstance(
  ec2: EC2Client,
  env: string,
  zone: string,
): Promise<{ instanceId: string; ready: boolean } | undefined> {
  const i = runningIn(await natInstances(ec2, env), zone);
  if (!i?.InstanceId) return undefined;
  const ok = await statusOk(ec2, [i]);
  return { instanceId: i.InstanceId, ready: ok.has(i.InstanceId) && i.SourceDestCheck === false };
}

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
    const gateway =
      z.gateway ??
      tagged.find((g) => tagOf(g.Tags, TAG.zone) === z.zone)?.NatGatewayId ??
      (env.gateway.mode === 'shared'
        ? tagged.find((g) => !tagOf(g.Tags, TAG.zone))?.NatGatewayId
        : undefined);
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

/** Carries out one planned change. ReplaceRoute and CreateRoute are both idempotent in effect. */
export async function applyRouteChange(ec2: EC2Client, c: RouteChange): Promise<void> {
  const target =
    c.to.kind === 'gateway'
      ? { NatGatewayId: c.to.natGatewayId }
      : { NetworkInterfaceId: c.to.eniId };
  const input = { RouteTableId: c.routeTableId, DestinationCidrBlock: DEFAULT_ROUTE, ...target };
  await ec2.send(
    c.action === 'create' ? new CreateRouteCommand(input) : new ReplaceRouteCommand(input),
  );
}
