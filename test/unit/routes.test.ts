import { describe, expect, it } from '@jest/globals';
import type { Target } from '../../lib/fleet.js';
import { fleetZones } from '../../lib/fleet.js';
import { ROUTE_RULE, routeMatches, routeTarget, type ObservedRoute } from '../../lib/routes.js';
import { exampleEnv } from '../helpers.js';

const instance: Target = { kind: 'instance', eniId: 'eni-a', instanceId: 'i-a' };
const gateway: Target = { kind: 'gateway', natGatewayId: 'nat-gw' };
const onEni = (eni: string): ObservedRoute => ({ networkInterfaceId: eni, state: 'active' });
const onGateway: ObservedRoute = { natGatewayId: 'nat-gw', state: 'active' };

describe('the route rule', () => {
  it('recognises a route to the instance by instance id when EC2 omits the ENI', () => {
    const t = { kind: 'instance' as const, eniId: 'eni-a', instanceId: 'i-a' };
    expect(routeMatches({ instanceId: 'i-a', state: 'active' }, t)).toBe(true);
    expect(
      routeMatches({ instanceId: 'i-a', networkInterfaceId: 'eni-other', state: 'active' }, t),
    ).toBe(false);
    expect(routeMatches({ otherTarget: 'igw-1', state: 'active' }, t)).toBe(false);
    expect(routeMatches(undefined, t)).toBe(false);
  });

  it('treats a route by ENI and one by instance id alike, blackholed or not', () => {
    const byEni = onEni('eni-a');
    const byId: ObservedRoute = { instanceId: 'i-a', state: 'active' };
    const both: ObservedRoute = { instanceId: 'i-a', networkInterfaceId: 'eni-a', state: 'active' };
    for (const r of [byEni, byId, both]) {
      expect(routeMatches(r, instance)).toBe(true);
      expect(routeMatches({ ...r, state: 'blackhole' }, instance)).toBe(false);
      expect(routeMatches(r, gateway)).toBe(false);
    }
    // Another instance, by either id, is not this one.
    expect(routeMatches(onEni('eni-b'), instance)).toBe(false);
    expect(routeMatches({ instanceId: 'i-b', state: 'active' }, instance)).toBe(false);
    // Without a known instance id only the ENI can match.
    expect(routeMatches(byId, { kind: 'instance', eniId: 'eni-a' })).toBe(false);
    expect(routeMatches(byEni, { kind: 'instance', eniId: 'eni-a' })).toBe(true);
  });

  it('puts a gateway route right only on that gateway, and never when blackholed', () => {
    expect(routeMatches(onGateway, gateway)).toBe(true);
    expect(routeMatches({ ...onGateway, state: 'blackhole' }, gateway)).toBe(false);
    expect(routeMatches({ natGatewayId: 'nat-other', state: 'active' }, gateway)).toBe(false);
    expect(routeMatches(onGateway, instance)).toBe(false);
    expect(routeMatches({ otherTarget: 'igw-1', state: 'active' }, gateway)).toBe(false);
  });

  it('writes the field each kind is matched by first', () => {
    for (const rule of Object.values(ROUTE_RULE)) expect(rule.match[0]).toEqual(rule.write);
  });

  it('names a route by its target, blackholes marked', () => {
    expect(routeTarget(undefined)).toBe('none');
    expect(routeTarget(onGateway)).toBe('nat-gw');
    expect(routeTarget({ instanceId: 'i-a', state: 'blackhole' })).toBe('i-a (blackhole)');
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
