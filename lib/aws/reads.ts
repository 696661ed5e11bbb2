// The fleet's EC2 reads, written once. lib/aws/fleet.ts binds them to the SDK's commands
// imported at load (CLI, actions, workflows); the checker binds them to commands it loads on
// first use, so that its Lambda init does not wait for the SDK (ADR 0045).
import type * as Ec2 from '@aws-sdk/client-ec2';
import type { Instance, Route } from '@aws-sdk/client-ec2';
import { TAG } from '../names.js';
import { DEFAULT_ROUTE, type ObservedRoute, type ObservedTable } from '../routes.js';

export type ReadCommands = Pick<
  typeof Ec2,
  'DescribeRouteTablesCommand' | 'DescribeInstancesCommand' | 'DescribeInstanceStatusCommand'
>;

export const tagOf = (tags: { Key?: string; Value?: string }[] | undefined, key: string) =>
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

/** The zone's newest running instance among the environment's NAT instances. */
export const runningIn = (instances: Instance[], zone: string) =>
  instances.find((x) => tagOf(x.Tags, TAG.zone) === zone && x.State?.Name === 'running');

export function fleetReads(ec2: Ec2.EC2Client, c: ReadCommands) {
  async function routeTables(ids: string[]): Promise<ObservedTable[]> {
    if (ids.length === 0) return [];
    // Filtering (not RouteTableIds) so that a missing table is reported by the plan, not thrown.
    const out = await ec2.send(
      new c.DescribeRouteTablesCommand({ Filters: [{ Name: 'route-table-id', Values: ids }] }),
    );
    return (out.RouteTables ?? []).map((t) => {
      const route = observedRoute(t.Routes?.find((r) => r.DestinationCidrBlock === DEFAULT_ROUTE));
      return route
        ? { routeTableId: t.RouteTableId!, defaultRoute: route }
        : { routeTableId: t.RouteTableId! };
    });
  }

  /** The environment's NAT instances (not terminated), newest first per zone. */
  async function natInstances(env: string): Promise<Instance[]> {
    const out = await ec2.send(
      new c.DescribeInstancesCommand({
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

  /** The instances whose instance and system status checks both pass. */
  async function statusOk(instances: Instance[]): Promise<Set<string>> {
    const ids = instances.map((i) => i.InstanceId!).filter(Boolean);
    const statuses = ids.length
      ? await ec2.send(
          new c.DescribeInstanceStatusCommand({ InstanceIds: ids, IncludeAllInstances: true }),
        )
      : { InstanceStatuses: [] };
    return new Set(
      (statuses.InstanceStatuses ?? [])
        .filter((s) => s.InstanceStatus?.Status === 'ok' && s.SystemStatus?.Status === 'ok')
        .map((s) => s.InstanceId!),
    );
  }

  /** A zone's running NAT instance, if any, and whether it is ready to carry traffic. */
  async function zoneInstance(
    env: string,
    zone: string,
  ): Promise<{ instanceId: string; ready: boolean } | undefined> {
    const i = runningIn(await natInstances(env), zone);
    if (!i?.InstanceId) return undefined;
    const ok = await statusOk([i]);
    return { instanceId: i.InstanceId, ready: ok.has(i.InstanceId) && i.SourceDestCheck === false };
  }

  return { routeTables, natInstances, statusOk, zoneInstance };
}
