// The route rule: how natfleet writes a table's default route to a target, and when the route
// it finds there is already right. One table, read twice: the workflows' state machines are
// built from it (lib/workflows/common.ts, the only code that changes routes) and the record
// reads routes with it (lib/record). See ADR 0060.
import type { Target } from './fleet.js';

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

/** The fields of EC2's Route the rule reads, and where ObservedRoute keeps them. */
export const ROUTE_FIELDS = {
  NatGatewayId: 'natGatewayId',
  NetworkInterfaceId: 'networkInterfaceId',
  InstanceId: 'instanceId',
} as const;
export type RouteField = keyof typeof ROUTE_FIELDS;

/** A route's State that never carries traffic: such a route is replaced, never "already right". */
export const BLACKHOLE = 'blackhole';

type TargetKey = 'natGatewayId' | 'eniId' | 'instanceId';

/** The route field equals the target's value, and `absent` (when given) is not reported. */
export interface MatchClause {
  route: RouteField;
  target: TargetKey;
  absent?: RouteField;
}

export interface KindRule {
  /** CreateRoute / ReplaceRoute set this field to this value of the target. */
  write: { route: RouteField; target: TargetKey };
  /** An active route is on the target when any clause holds. */
  match: readonly MatchClause[];
}

export const ROUTE_RULE: Record<Target['kind'], KindRule> = {
  gateway: {
    write: { route: 'NatGatewayId', target: 'natGatewayId' },
    match: [{ route: 'NatGatewayId', target: 'natGatewayId' }],
  },
  instance: {
    write: { route: 'NetworkInterfaceId', target: 'eniId' },
    match: [
      { route: 'NetworkInterfaceId', target: 'eniId' },
      // EC2 may report a route to an instance by its instance id alone (moto always does); with
      // an interface reported, the interface decides.
      { route: 'InstanceId', target: 'instanceId', absent: 'NetworkInterfaceId' },
    ],
  },
};

export function routeTarget(r: ObservedRoute | undefined): string {
  if (!r) return 'none';
  const id = r.natGatewayId ?? r.networkInterfaceId ?? r.instanceId ?? r.otherTarget ?? '?';
  return r.state === BLACKHOLE ? `${id} (blackhole)` : id;
}

/** True when the route already sends traffic to the target (a blackholed route never does). */
export function routeMatches(r: ObservedRoute | undefined, t: Target): boolean {
  if (!r || r.state === BLACKHOLE) return false;
  const value = (k: TargetKey) => (t as Partial<Record<TargetKey, string>>)[k];
  return ROUTE_RULE[t.kind].match.some((c) => {
    const want = value(c.target);
    return (
      want !== undefined &&
      r[ROUTE_FIELDS[c.route]] === want &&
      (c.absent === undefined || r[ROUTE_FIELDS[c.absent]] === undefined)
    );
  });
}
