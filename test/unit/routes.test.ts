import { describe, expect, it } from '@jest/globals';
import type { Mode, ZoneTargets } from '../../lib/fleet.js';
import { fleetZones } from '../../lib/fleet.js';
import {
  applyPlan,
  planRoutes,
  routeMatches,
  type ObservedRoute,
  type ObservedTable,
} from '../../lib/routes.js';
import { exampleEnv } from '../helpers.js';

const A: ZoneTargets = {
  zone: 'eu-west-1a',
  routeTables: ['rtb-a1', 'rtb-a2'],
  gateway: 'nat-gw',
  instance: { instanceId: 'i-a', eniId: 'eni-a', ready: true },
};
const B: ZoneTargets = {
  zone: 'eu-west-1b',
  routeTables: ['rtb-b1'],
  gateway: 'nat-gw',
  instance: { instanceId: 'i-b', eniId: 'eni-b', ready: false },
};
const onGateway: ObservedRoute = { natGatewayId: 'nat-gw', state: 'active' };
const onEni = (eni: string): ObservedRoute => ({ networkInterfaceId: eni, state: 'active' });
const table = (id: string, r?: ObservedRoute): ObservedTable =>
  r ? { routeTableId: id, defaultRoute: r } : { routeTableId: id };

describe('route plans', () => {
  it('replaces a route that points elsewhere', () => {
    const plan = planRoutes([A], { [A.zone]: 'gateway' }, [
      table('rtb-a1', onEni('eni-a')),
      table('rtb-a2', onEni('eni-a')),
    ]);
    expect(plan.changes.map((c) => [c.routeTableId, c.action, c.to])).toEqual([
      ['rtb-a1', 'replace', { kind: 'gateway', natGatewayId: 'nat-gw' }],
      ['rtb-a2', 'replace', { kind: 'gateway', natGatewayId: 'nat-gw' }],
    ]);
    expect(plan.changes[0]!.reason).toBe('eni-a → nat-gw: to the standby gateway');
  });

  it('creates the default route where it is missing', () => {
    const plan = planRoutes([A], { [A.zone]: 'instance' }, [
      table('rtb-a1'),
      table('rtb-a2', onEni('eni-a')),
    ]);
    expect(plan.changes).toEqual([
      {
        zone: A.zone,
        routeTableId: 'rtb-a1',
        action: 'create',
        to: { kind: 'instance', eniId: 'eni-a', instanceId: 'i-a' },
        reason: 'no default route → eni-a: to the NAT instance',
      },
    ]);
    expect(plan.unchanged).toEqual([
      { zone: A.zone, routeTableId: 'rtb-a2', reason: 'already on the NAT instance' },
    ]);
  });

  it('does nothing where the route is already right', () => {
    const plan = planRoutes([A], { [A.zone]: 'gateway' }, [
      table('rtb-a1', onGateway),
      table('rtb-a2', onGateway),
    ]);
    expect(plan.changes).toEqual([]);
    expect(plan.unchanged).toHaveLength(2);
  });

  it('treats a blackholed target as missing, even when it is the wanted one', () => {
    const dead = { ...onGateway, state: 'blackhole' as const };
    const plan = planRoutes([A], { [A.zone]: 'gateway' }, [
      table('rtb-a1', dead),
      table('rtb-a2', onGateway),
    ]);
    expect(plan.changes).toHaveLength(1);
    expect(plan.changes[0]).toMatchObject({
      routeTableId: 'rtb-a1',
      action: 'replace',
      from: dead,
    });
    expect(plan.changes[0]!.reason).toBe('nat-gw (blackhole) → nat-gw: to the standby gateway');
  });

  it('keeps a zone whose instance is not ready on its gateway', () => {
    const plan = planRoutes([B], { [B.zone]: 'instance' }, [table('rtb-b1', onEni('eni-old'))]);
    expect(plan.changes).toHaveLength(1);
    expect(plan.changes[0]!.to).toEqual({ kind: 'gateway', natGatewayId: 'nat-gw' });
    expect(plan.changes[0]!.reason).toBe(
      'eni-old → nat-gw: instance i-b is not ready: kept on the standby gateway',
    );
  });

  it('blocks, without touching the route, when there is no target at all', () => {
    const lone: ZoneTargets = { zone: 'eu-west-1c', routeTables: ['rtb-c1'] };
    const plan = planRoutes([lone], { [lone.zone]: 'gateway' }, [table('rtb-c1', onEni('eni-x'))]);
    expect(plan.changes).toEqual([]);
    expect(plan.blocked).toEqual([
      {
        zone: 'eu-west-1c',
        routeTableId: 'rtb-c1',
        reason: 'no standby gateway known for the zone; route left at eni-x',
      },
    ]);
    const noInstance = planRoutes([lone], { [lone.zone]: 'instance' }, [table('rtb-c1')]);
    expect(noInstance.blocked[0]!.reason).toBe(
      'no NAT instance and no standby gateway; route left at none',
    );
  });

  it('blocks a route table that does not exist', () => {
    const plan = planRoutes([A], { [A.zone]: 'gateway' }, [table('rtb-a1', onGateway)]);
    expect(plan.blocked).toEqual([
      { zone: A.zone, routeTableId: 'rtb-a2', reason: 'route table not found' },
    ]);
  });

  it('leaves zones that were not chosen alone', () => {
    const plan = planRoutes([A, B], { [A.zone]: 'gateway' }, [
      table('rtb-a1', onEni('eni-a')),
      table('rtb-a2', onGateway),
      table('rtb-b1', onEni('eni-zzz')),
    ]);
    expect(plan.changes.map((c) => c.routeTableId)).toEqual(['rtb-a1']);
    expect([...plan.unchanged, ...plan.blocked].map((s) => s.routeTableId)).toEqual(['rtb-a2']);
  });

  it('recognises a route to the instance by instance id when EC2 omits the ENI', () => {
    const t = { kind: 'instance' as const, eniId: 'eni-a', instanceId: 'i-a' };
    expect(routeMatches({ instanceId: 'i-a', state: 'active' }, t)).toBe(true);
    expect(
      routeMatches({ instanceId: 'i-a', networkInterfaceId: 'eni-other', state: 'active' }, t),
    ).toBe(false);
    expect(routeMatches({ otherTarget: 'igw-1', state: 'active' }, t)).toBe(false);
    expect(routeMatches(undefined, t)).toBe(false);
  });

  it('is idempotent: applying a plan and planning again yields no changes', () => {
    // Every combination of wanted mode, readiness and observed route for two zones.
    const routes: (ObservedRoute | undefined)[] = [
      undefined,
      onGateway,
      { ...onGateway, state: 'blackhole' },
      onEni('eni-a'),
      { instanceId: 'i-a', state: 'active' },
      { ...onEni('eni-b'), state: 'blackhole' },
      { otherTarget: 'igw-1', state: 'active' },
    ];
    const modes: Mode[] = ['instance', 'gateway'];
    let cases = 0;
    for (const ready of [true, false])
      for (const ma of modes)
        for (const mb of modes)
          for (const r1 of routes)
            for (const r2 of routes) {
              const zones = [A, { ...B, instance: { ...B.instance!, ready } }];
              const wanted = { [A.zone]: ma, [B.zone]: mb };
              const observed = [table('rtb-a1', r1), table('rtb-a2', r2), table('rtb-b1', r1)];
              const first = planRoutes(zones, wanted, observed);
              const second = planRoutes(zones, wanted, applyPlan(observed, first));
              expect(second.changes).toEqual([]);
              expect(second.unchanged).toHaveLength(3);
              cases++;
            }
    expect(cases).toBe(2 * 2 * 2 * 7 * 7);
  });

  it('builds the zones from the configuration, shared or per zone', () => {
    const prod = fleetZones(exampleEnv('prod'));
    expect(prod.map((z) => [z.zone, z.routeTables])).toEqual([
      ['eu-west-1a', ['rtb-0cc00000000000001']],
      ['eu-west-1b', ['rtb-0cc00000000000002', 'rtb-0cc00000000000012']],
      ['eu-west-1c', ['rtb-0cc00000000000003']],
    ]);
    expect(prod.every((z) => z.gateway === undefined && z.instance === undefined)).toBe(true);
  });
});
