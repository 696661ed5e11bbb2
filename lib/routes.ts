// Route plans: from the wanted mode per zone and the observed route tables, the changes that
// make every managed table's 0.0.0.0/0 point where it should. Pure and idempotent: applying a
// plan and planning again yields no changes.
import { describeTarget, type Mode, type Target, type ZoneTargets } from './fleet.js';

export const DEFAULT_ROUTE = '0.0.0.0/0';

/** The default route of one route table as EC2 describes it. */
export interface ObservedRoute {
  natGatewayId?: string;
  instanceId?: string;
  networkInterfaceId?: string;
  /** Any other target (internet gateway, transit gateway, …). */
  otherTarget?: string;
  state: 'active' | 'blackhole';
}

export interface ObservedTable {
  routeTableId: string;
  defaultRoute?: ObservedRoute;
}

export type RouteAction = 'replace' | 'create';

export interface RouteChange {
  zone: string;
  routeTableId: string;
  action: RouteAction;
  from?: ObservedRoute;
  to: Target;
  reason: string;
}

export interface RouteStay {
  zone: string;
  routeTableId: string;
  reason: string;
}

export interface RoutePlan {
  changes: RouteChange[];
  /** Already right: nothing to do. */
  unchanged: RouteStay[];
  /** Cannot be made right now (no target, table unknown): left as it is. */
  blocked: RouteStay[];
}

export function routeTarget(r: ObservedRoute | undefined): string {
  if (!r) return 'none';
  const id = r.natGatewayId ?? r.networkInterfaceId ?? r.instanceId ?? r.otherTarget ?? '?';
  return r.state === 'blackhole' ? `${id} (blackhole)` : id;
}

/** True when the route already sends traffic to the target (a blackholed route never does). */
export function routeMatches(r: ObservedRoute | undefined, t: Target): boolean {
  if (!r || r.state !== 'active') return false;
  if (t.kind === 'gateway') return r.natGatewayId === t.natGatewayId;
  // EC2 may report a route to an instance by instance id, ENI id or both.
  return (
    r.networkInterfaceId === t.eniId ||
    (t.instanceId !== undefined && r.instanceId === t.instanceId && !r.networkInterfaceId)
  );
}

/** Where a zone's tables should point for the wanted mode, or why they cannot. */
function chooseTarget(z: ZoneTargets, mode: Mode): { target?: Target; note: string } {
  const gateway = z.gateway ? ({ kind: 'gateway', natGatewayId: z.gateway } as const) : undefined;
  if (mode === 'instance') {
    if (z.instance?.ready) {
      const { eniId, instanceId } = z.instance;
      return { target: { kind: 'instance', eniId, instanceId }, note: 'to the NAT instance' };
    }
    const why = z.instance ? `instance ${z.instance.instanceId} is not ready` : 'no NAT instance';
    if (gateway) return { target: gateway, note: `${why}: kept on the standby gateway` };
    return { note: `${why} and no standby gateway` };
  }
  if (gateway) return { target: gateway, note: 'to the standby gateway' };
  return { note: 'no standby gateway known for the zone' };
}

export function planRoutes(
  zones: readonly ZoneTargets[],
  wanted: Readonly<Record<string, Mode>>,
  observed: readonly ObservedTable[],
): RoutePlan {
  const tables = new Map(observed.map((t) => [t.routeTableId, t]));
  const plan: RoutePlan = { changes: [], unchanged: [], blocked: [] };
  for (const z of zones) {
    const mode = wanted[z.zone];
    if (!mode) continue; // zone not chosen: untouched
    const { target, note } = chooseTarget(z, mode);
    for (const routeTableId of z.routeTables) {
      const table = tables.get(routeTableId);
      const at = { zone: z.zone, routeTableId };
      if (!table) {
        plan.blocked.push({ ...at, reason: 'route table not found' });
      } else if (!target) {
        plan.blocked.push({
          ...at,
          reason: `${note}; route left at ${routeTarget(table.defaultRoute)}`,
        });
      } else if (routeMatches(table.defaultRoute, target)) {
        plan.unchanged.push({ ...at, reason: `already ${note.replace(/^to /, 'on ')}` });
      } else {
        const from = table.defaultRoute;
        // A blackholed route still exists: it is replaced, and is never "already right".
        plan.changes.push({
          ...at,
          action: from ? 'replace' : 'create',
          ...(from ? { from } : {}),
          to: target,
          reason: `${from ? routeTarget(from) : 'no default route'} → ${describeTarget(target)}: ${note}`,
        });
      }
    }
  }
  return plan;
}

/** The observed tables as they are after the plan's changes (what EC2 would then report). */
export function applyPlan(observed: readonly ObservedTable[], plan: RoutePlan): ObservedTable[] {
  const byTable = new Map(plan.changes.map((c) => [c.routeTableId, c]));
  return observed.map((t) => {
    const c = byTable.get(t.routeTableId);
    if (!c) return t;
    const route: ObservedRoute =
      c.to.kind === 'gateway'
        ? { natGatewayId: c.to.natGatewayId, state: 'active' }
        : { networkInterfaceId: c.to.eniId, instanceId: c.to.instanceId, state: 'active' };
    return { routeTableId: t.routeTableId, defaultRoute: route };
  });
}
