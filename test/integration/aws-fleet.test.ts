import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { EC2Client, ReplaceRouteCommand } from '@aws-sdk/client-ec2';
import { observeRouteTables, observeZoneTargets } from '../../lib/aws/fleet.js';
import { stateMachineName } from '../../lib/names.js';
import { routeMatches } from '../../lib/routes.js';
import { failoverDefinition } from '../../lib/workflows/index.js';
import { LocalStepFunctions } from '../../lab/stepfunctions/local.js';
import { startMoto, type Moto } from '../moto.js';
import { buildVpc, failoverRefs } from '../../lab/vpc.js';

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
  it('observes zones, targets and routes as they change', async () => {
    const { env, zones } = await buildVpc(ec2, 'prod', ['eu-west-1a', 'eu-west-1b'], 2);
    const targets = await observeZoneTargets(ec2, env);
    expect(targets.map((z) => [z.zone, z.gateway, z.instance?.instanceId])).toEqual(
      zones.map((z) => [z.zone, z.gateway, z.instanceId]),
    );
    expect(targets.map((z) => z.instance)).toEqual(
      zones.map((z) => ({ instanceId: z.instanceId, eniId: z.eniId, ready: true })),
    );
    const tableIds = targets.flatMap((z) => z.routeTables);
    const before = await observeRouteTables(ec2, tableIds);
    expect(before).toHaveLength(4);
    for (const z of targets)
      for (const t of z.routeTables) {
        const r = before.find((x) => x.routeTableId === t)?.defaultRoute;
        expect(routeMatches(r, { kind: 'instance', ...z.instance! })).toBe(true);
      }

    // Zone a's tables moved to its gateway; zone b's stay.
    const [a, b] = zones as [(typeof zones)[0], (typeof zones)[0]];
    for (const RouteTableId of a.routeTables)
      await ec2.send(
        new ReplaceRouteCommand({
          RouteTableId,
          DestinationCidrBlock: '0.0.0.0/0',
          NatGatewayId: a.gateway,
        }),
      );
    const after = await observeRouteTables(ec2, tableIds);
    for (const t of a.routeTables)
      expect(after.find((x) => x.routeTableId === t)?.defaultRoute).toEqual({
        natGatewayId: a.gateway,
        state: 'active',
      });
    expect(after.find((t) => t.routeTableId === b.routeTables[0])).toEqual(
      before.find((t) => t.routeTableId === b.routeTables[0]),
    );
  });

  it('reports a configured route table that does not exist instead of failing', async () => {
    const { env, zones } = await buildVpc(ec2, 'prod', ['eu-west-1a']);
    const dead = 'rtb-0000000000000dead';
    const observed = await observeRouteTables(ec2, [...env.zones[0]!.routeTables, dead]);
    expect(observed.map((t) => t.routeTableId)).toEqual(env.zones[0]!.routeTables);
    // Failover over it: the table that exists is moved, the zone is reported failed.
    env.zones[0]!.routeTables.push(dead);
    const sf = new LocalStepFunctions({ clients: { ec2 }, fastMs: 1 });
    const arn = sf.register(
      stateMachineName('prod', 'Failover'),
      failoverDefinition(env, failoverRefs(env, zones)),
    );
    const r = await sf.start(arn, { reason: 'dead table' }, 'dead-table').result;
    expect(r).toMatchObject({ status: 'FAILED', error: 'ZonesNotDone' });
    expect(r.cause).toContain('failover, but not every route table was found and changed');
    const [moved] = await observeRouteTables(ec2, zones[0]!.routeTables);
    expect(moved!.defaultRoute).toEqual({ natGatewayId: zones[0]!.gateway, state: 'active' });
  });
});
