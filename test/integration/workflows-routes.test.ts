// The route rule (lib/routes.ts) against the state machines built from it: every default-route
// state a managed table can be in, in every zone, run through Fallback (a zone with a ready
// instance, a zone with an impaired one) and Failover in the in-process runner against moto.
// Each table's action must be the one ADR 0003 gives, agree with routeMatches() on the route
// before, leave a route routeMatches() accepts, and a second run must change nothing.
import { describe, expect, it } from '@jest/globals';
import {
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  DeleteRouteCommand,
  ReplaceRouteCommand,
  type ReplaceRouteCommandInput,
} from '@aws-sdk/client-ec2';
import type { Target } from '../../lib/fleet.js';
import { routeMatches, type ObservedTable } from '../../lib/routes.js';
import type { Sender } from '../../lib/workflows/sdk.js';
import { failing, impaired, worldPerTest, type World } from '../workflows-world.js';
import type { BuiltZone } from '../../lab/vpc.js';

const newWorld = worldPerTest();

/** What a table's default route is before the run; `dead` = EC2 reports it blackholed. */
interface Case {
  name: string;
  route?: (own: BuiltZone, other: BuiltZone, igw: string) => Partial<ReplaceRouteCommandInput>;
  dead?: boolean;
  /** The action when the zone's target is its instance, resp. its gateway (ADR 0003). */
  toInstance: string;
  toGateway: string;
}

const CASES: Case[] = [
  { name: 'no default route', toInstance: 'created', toGateway: 'created' },
  {
    name: 'own gateway',
    route: (z) => ({ NatGatewayId: z.gateway }),
    toInstance: 'replaced',
    toGateway: 'unchanged',
  },
  {
    name: 'own gateway, blackholed',
    route: (z) => ({ NatGatewayId: z.gateway }),
    dead: true,
    toInstance: 'replaced',
    toGateway: 'replaced',
  },
  {
    name: 'own instance by ENI',
    route: (z) => ({ NetworkInterfaceId: z.eniId }),
    toInstance: 'unchanged',
    toGateway: 'replaced',
  },
  {
    name: 'own instance by instance id',
    route: (z) => ({ InstanceId: z.instanceId }),
    toInstance: 'unchanged',
    toGateway: 'replaced',
  },
  {
    name: 'own instance by ENI, blackholed',
    route: (z) => ({ NetworkInterfaceId: z.eniId }),
    dead: true,
    toInstance: 'replaced',
    toGateway: 'replaced',
  },
  {
    name: 'own instance by instance id, blackholed',
    route: (z) => ({ InstanceId: z.instanceId }),
    dead: true,
    toInstance: 'replaced',
    toGateway: 'replaced',
  },
  {
    name: "another zone's instance",
    route: (_, o) => ({ NetworkInterfaceId: o.eniId }),
    toInstance: 'replaced',
    toGateway: 'replaced',
  },
  {
    name: "another zone's gateway",
    route: (_, o) => ({ NatGatewayId: o.gateway }),
    toInstance: 'replaced',
    toGateway: 'replaced',
  },
  {
    name: 'internet gateway',
    route: (_, _o, igw) => ({ GatewayId: igw }),
    toInstance: 'replaced',
    toGateway: 'replaced',
  },
];

/** EC2 as the runner sees it: the chosen tables' default routes blackholed until replaced. */
function blackholing(client: Sender, dead: Set<string>): Sender {
  return {
    async send(c: unknown) {
      const name = (c as object).constructor.name;
      const input = (c as { input: { RouteTableId?: string } }).input;
      const out = await client.send(c);
      if (name === 'ReplaceRouteCommand' || name === 'CreateRouteCommand')
        dead.delete(input.RouteTableId ?? '');
      if (name !== 'DescribeRouteTablesCommand') return out;
      const o = out as { RouteTables?: { RouteTableId?: string; Routes?: object[] }[] };
      return {
        ...o,
        RouteTables: (o.RouteTables ?? []).map((t) =>
          dead.has(t.RouteTableId!)
            ? {
                ...t,
                Routes: (t.Routes ?? []).map((r) =>
                  (r as { DestinationCidrBlock?: string }).DestinationCidrBlock === '0.0.0.0/0'
                    ? { ...r, State: 'blackhole' }
                    : r,
                ),
              }
            : t,
        ),
      };
    },
  };
}

type Out = { zones: { zone: string; tables: { table: string; action: string }[] }[] };
const actions = (out: unknown) =>
  Object.fromEntries(
    (out as Out).zones.flatMap((z) => z.tables.map((t) => [t.table, t.action] as const)),
  );

/** Sets every zone's tables to the cases, one table per case; returns the dead tables. */
async function arrange(w: World): Promise<Set<string>> {
  const igw = (await w.ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!
    .InternetGatewayId!;
  await w.ec2.send(
    new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: w.env.vpcId }),
  );
  const dead = new Set<string>();
  for (const [i, z] of w.zones.entries()) {
    const other = w.zones[(i + 1) % w.zones.length]!;
    for (const [n, c] of CASES.entries()) {
      const RouteTableId = z.routeTables[n]!;
      const at = { RouteTableId, DestinationCidrBlock: '0.0.0.0/0' };
      if (!c.route) await w.ec2.send(new DeleteRouteCommand(at));
      else await w.ec2.send(new ReplaceRouteCommand({ ...at, ...c.route(z, other, igw) }));
      if (c.dead) dead.add(RouteTableId);
    }
  }
  return dead;
}

const withDead = (tables: ObservedTable[], dead: Set<string>): ObservedTable[] =>
  tables.map((t) =>
    dead.has(t.routeTableId) && t.defaultRoute
      ? { ...t, defaultRoute: { ...t.defaultRoute, state: 'blackhole' } }
      : t,
  );

describe('every table state through Failover and Fallback', () => {
  it('acts on each table as the rule says, and a second run changes nothing', async () => {
    let sick = '';
    const dead = new Set<string>();
    let counter: ReturnType<typeof failing> | undefined;
    const w = await newWorld({
      tablesPerZone: CASES.length,
      ec2: (c) =>
        blackholing(
          impaired((counter = failing(c, 'none', 0)), (id) => id === sick),
          dead,
        ),
    });
    const [a, b, c] = w.zones as [BuiltZone, BuiltZone, BuiltZone];
    sick = b.instanceId;
    const arranged = await arrange(w);
    for (const t of arranged) dead.add(t);
    const raw = await w.routes();
    const before = withDead(raw, dead);
    const route = (id: string) => before.find((t) => t.routeTableId === id)?.defaultRoute;
    // moto reports a route made by instance id with no interface: the case the rule's second
    // clause is for.
    expect(route(a.routeTables[CASES.findIndex((x) => x.name.includes('instance id'))]!)).toEqual({
      instanceId: a.instanceId,
      state: 'active',
    });

    // Zone a: its instance is ready, so Fallback puts it on the instance; zone b: its instance
    // fails its status checks, so Fallback keeps it on the gateway; zone c: Failover.
    const wanted: [BuiltZone, Target, 'toInstance' | 'toGateway'][] = [
      [a, { kind: 'instance', eniId: a.eniId, instanceId: a.instanceId }, 'toInstance'],
      [b, { kind: 'gateway', natGatewayId: b.gateway }, 'toGateway'],
      [c, { kind: 'gateway', natGatewayId: c.gateway }, 'toGateway'],
    ];
    const fallback = await w.run('Fallback', { zones: [a.zone, b.zone], reason: 'matrix' });
    expect(fallback.r.status).toBe('SUCCEEDED');
    // Zones not chosen are left alone.
    const cTables = (list: ObservedTable[]) =>
      list.filter((x) => c.routeTables.includes(x.routeTableId));
    const afterFallback = await w.routes();
    expect(cTables(afterFallback)).toEqual(cTables(raw));
    const failover = await w.run('Failover', { zones: [c.zone], reason: 'matrix' });
    expect(failover.r.status).toBe('SUCCEEDED');
    const done = { ...actions(fallback.r.output), ...actions(failover.r.output) };
    const after = await w.routes();
    const notC = (list: ObservedTable[]) =>
      list.filter((x) => !c.routeTables.includes(x.routeTableId));
    expect(notC(after)).toEqual(notC(afterFallback));

    const seen: string[] = [];
    for (const [z, target, column] of wanted) {
      for (const [n, c] of CASES.entries()) {
        const t = z.routeTables[n]!;
        const r = after.find((x) => x.routeTableId === t)?.defaultRoute;
        seen.push(`${z.zone} ${c.name}: ${done[t]}`);
        expect(`${z.zone} ${c.name}: ${done[t]}`).toBe(`${z.zone} ${c.name}: ${c[column]}`);
        // The state machine and routeMatches() agree on the route before and after.
        expect(done[t] === 'unchanged').toBe(routeMatches(route(t), target));
        expect(routeMatches(r, target)).toBe(true);
      }
    }
    expect(seen).toHaveLength(3 * CASES.length);
    expect(dead.size).toBe(0);

    // Again: nothing to do, no route written.
    const calls = { ...counter!.counts };
    const again = [
      await w.run('Fallback', { zones: [a.zone, b.zone] }),
      await w.run('Failover', { zones: [c.zone] }),
    ];
    const second = again.map((e) => actions(e.r.output));
    expect(Object.values({ ...second[0], ...second[1] })).toEqual(
      Array(3 * CASES.length).fill('unchanged'),
    );
    expect(counter!.counts.ReplaceRoute).toBe(calls.ReplaceRoute);
    expect(counter!.counts.CreateRoute ?? 0).toBe(calls.CreateRoute ?? 0);
    expect(await w.routes()).toEqual(after);
  });
});
