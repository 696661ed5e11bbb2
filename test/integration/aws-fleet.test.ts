import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { EC2Client } from '@aws-sdk/client-ec2';
import { applyRouteChange, observeRouteTables, observeZoneTargets } from '../../lib/aws/fleet.js';
import { planRoutes } from '../../lib/routes.js';
import { startMoto, type Moto } from '../moto.js';
import { buildVpc } from '../../lab/vpc.js';

let moto: Moto;
let ec2: EC2Client;

beforeAll(async () => {
  moto = await startMoto();
  ec2 = new EC2Client({ region: 'eu-west-1' });
});
afterAll(async () => {
  ec2?.destroy();
  await moto?.stop();
});
beforeEach(() => moto.reset());

describe('the live fleet against moto', () => {
  it('observes zones, targets and routes; a plan applied leaves nothing to do', async () => {
    const { env, zones } = await buildVpc(ec2, 'prod', ['eu-west-1a', 'eu-west-1b'], 2);
    const targets = await observeZoneTargets(ec2, env);
    expect(targets.map((z) => [z.zone, z.gateway, z.instance?.instanceId])).toEqual(
      zones.map((z) => [z.zone, z.gateway, z.instanceId]),
    );
    const tableIds = targets.flatMap((z) => z.routeTables);
    const before = await observeRouteTables(ec2, tableIds);
    expect(before).toHaveLength(4);

    // Fail zone a over to its gateway; zone b is not chosen and stays.
    const plan = planRoutes(targets, { 'eu-west-1a': 'gateway' }, before);
    expect(plan.changes.map((c) => [c.routeTableId, c.action])).toEqual(
      zones[0]!.routeTables.map((t) => [t, 'replace']),
    );
    for (const c of plan.changes) await applyRouteChange(ec2, c);
    const after = await observeRouteTables(ec2, tableIds);
    const again = planRoutes(targets, { 'eu-west-1a': 'gateway' }, after);
    expect(again.changes).toEqual([]);
    expect(after.find((t) => t.routeTableId === zones[1]!.routeTables[0])).toEqual(
      before.find((t) => t.routeTableId === zones[1]!.routeTables[0]),
    );
  });

  it('reports a configured route table that does not exist instead of failing', async () => {
    const { env } = await buildVpc(ec2, 'prod', ['eu-west-1a']);
    const observed = await observeRouteTables(ec2, [
      ...env.zones[0]!.routeTables,
      'rtb-0000000000000dead',
    ]);
    expect(observed.map((t) => t.routeTableId)).toEqual(env.zones[0]!.routeTables);
    const plan = planRoutes(
      [{ zone: 'eu-west-1a', routeTables: ['rtb-0000000000000dead'], gateway: 'nat-1' }],
      { 'eu-west-1a': 'gateway' },
      observed,
    );
    expect(plan.blocked[0]!.reason).toBe('route table not found');
  });
});
