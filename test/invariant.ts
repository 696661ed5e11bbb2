// The invariant every workflow keeps, succeeded or failed: each managed route table has a
// default route, active, to a live target — an available NAT gateway or a running NAT instance,
// by its interface or (as EC2 may report it) its instance id (lib/routes.ts).
import { DescribeNatGatewaysCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { Environment } from '../lib/config/schema.js';
import { natInstances, observeRouteTables } from '../lib/aws/fleet.js';
import { routeTarget } from '../lib/routes.js';

export interface Violation {
  zone: string;
  routeTableId: string;
  problem: string;
}

/** Targets that carry traffic now: available gateways, running NAT instances and their ENIs. */
export async function liveTargets(ec2: EC2Client, env: Environment): Promise<Set<string>> {
  const [gateways, instances] = await Promise.all([
    ec2.send(
      new DescribeNatGatewaysCommand({ Filter: [{ Name: 'state', Values: ['available'] }] }),
    ),
    natInstances(ec2, env.name),
  ]);
  const live = new Set<string>();
  for (const g of gateways.NatGateways ?? []) if (g.VpcId === env.vpcId) live.add(g.NatGatewayId!);
  for (const i of instances) {
    if (i.State?.Name !== 'running') continue;
    live.add(i.InstanceId!);
    for (const n of i.NetworkInterfaces ?? []) live.add(n.NetworkInterfaceId!);
  }
  return live;
}

export async function invariantViolations(ec2: EC2Client, env: Environment): Promise<Violation[]> {
  const tables = env.zones.flatMap((z) =>
    z.routeTables.map((t) => ({ zone: z.availabilityZone, t })),
  );
  const [observed, live] = await Promise.all([
    observeRouteTables(
      ec2,
      tables.map((x) => x.t),
    ),
    liveTargets(ec2, env),
  ]);
  const byId = new Map(observed.map((o) => [o.routeTableId, o]));
  const out: Violation[] = [];
  for (const { zone, t } of tables) {
    const r = byId.get(t)?.defaultRoute;
    const at = { zone, routeTableId: t };
    if (!byId.has(t)) out.push({ ...at, problem: 'route table not found' });
    else if (!r) out.push({ ...at, problem: 'no default route' });
    else if (r.state !== 'active') out.push({ ...at, problem: `route is ${routeTarget(r)}` });
    else if (!live.has(r.natGatewayId ?? r.networkInterfaceId ?? r.instanceId ?? '')) {
      out.push({ ...at, problem: `route to ${routeTarget(r)}, which is not live` });
    }
  }
  return out;
}
