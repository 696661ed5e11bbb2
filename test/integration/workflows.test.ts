// The four workflows run for real: definitions in the in-process ASL runner, every EC2/SSM call
// against moto_server, Image Builder answered by a double. Each scenario starts from a fresh moto
// state and ends by checking the invariant.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { amiParameter } from '../../lib/names.js';
import { startMoto, type Moto } from '../moto.js';
import { buildWorld, eipHolder, type World } from '../workflows-world.js';

let moto: Moto;
let w: World | undefined;

beforeAll(async () => {
  moto = await startMoto();
});
afterAll(async () => {
  await moto?.stop();
});
beforeEach(() => moto.reset());
afterEach(async () => {
  // The invariant, after every scenario whatever its outcome.
  if (w) expect(await w.violations()).toEqual([]);
  w?.ec2.destroy();
  w = undefined;
});

const onGateways = async (world: World, zoneIdx: number[]) => {
  const routes = await world.routes();
  for (const i of zoneIdx) {
    const z = world.zones[i]!;
    for (const t of z.routeTables) {
      expect(routes.find((r) => r.routeTableId === t)?.defaultRoute).toEqual({ natGatewayId: z.gateway, state: 'active' });
    }
  }
};
const targets = async (world: World) =>
  Object.fromEntries((await world.routes()).map((r) => [r.routeTableId, r.defaultRoute?.natGatewayId ?? r.defaultRoute?.networkInterfaceId]));

async function running(world: World) {
  const out = await world.ec2.send(
    new DescribeInstancesCommand({ Filters: [{ Name: 'instance-state-name', Values: ['running'] }] }),
  );
  return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
}

describe('happy paths', () => {
  it('Failover puts every route table of every zone on its standby gateway', async () => {
    w = await buildWorld();
    const e = await w.run('Failover', { reason: 'game day' });
    expect(e.r.status).toBe('SUCCEEDED');
    await onGateways(w, [0, 1, 2]);
    const out = e.r.output as { reason: string; zones: { zone: string; status: string; tables: { action: string }[] }[] };
    expect(out.reason).toBe('game day');
    expect(out.zones.map((z) => [z.zone, z.status, z.tables.map((t) => t.action)])).toEqual(
      w.zones.map((z) => [z.zone, 'done', ['replaced', 'replaced']]),
    );
  });

  it('Fallback puts every zone back on its ready NAT instance', async () => {
    w = await buildWorld();
    expect((await w.run('Failover', {})).r.status).toBe('SUCCEEDED');
    const e = await w.run('Fallback', { reason: 'recovered' });
    expect(e.r.status).toBe('SUCCEEDED');
    const t = await targets(w);
    for (const z of w.zones) for (const rt of z.routeTables) expect(t[rt]).toBe(z.eniId);
  });

  it('ReplaceInstances rolls every zone to a new instance, moves its EIP and terminates the old one', async () => {
    w = await buildWorld();
    const e = await w.run('ReplaceInstances', { reason: 'patch' });
    expect(e.r).toMatchObject({ status: 'SUCCEEDED' });
    const live = await running(w);
    const t = await targets(w);
    for (const z of w.zones) {
      expect(live.map((i) => i.InstanceId)).not.toContain(z.instanceId);
      const fresh = live.find((i) => i.Tags?.some((x) => x.Key === 'natfleet:zone' && x.Value === z.zone))!;
      expect(fresh.SourceDestCheck).toBe(false);
      expect(fresh.ImageId).toBe('ami-12c6146b');
      expect(fresh.SubnetId).toBe(z.publicSubnet);
      const eni = fresh.NetworkInterfaces![0]!.NetworkInterfaceId!;
      for (const rt of z.routeTables) expect(t[rt]).toBe(eni);
      expect(await eipHolder(w.ec2, w.eips[z.zone]!)).toBe(fresh.InstanceId);
    }
    const zones = (e.r.output as { zones: { zone: string; status: string }[] }).zones;
    expect(zones.map((z) => [z.zone, z.status])).toEqual(w.zones.map((z) => [z.zone, 'done']));
  });

  it('Maintenance builds an image, publishes it, rolls the fleet onto it and falls back', async () => {
    w = await buildWorld();
    const e = await w.run('Maintenance', { reason: 'fortnightly' });
    expect(e.r).toMatchObject({ status: 'SUCCEEDED' });
    const p = await w.ssm.send(new GetParameterCommand({ Name: amiParameter('prod') }));
    expect(p.Parameter?.Value).toBe(w.newAmi);
    const live = await running(w);
    const t = await targets(w);
    for (const z of w.zones) {
      const fresh = live.find((i) => i.Tags?.some((x) => x.Key === 'natfleet:zone' && x.Value === z.zone))!;
      expect(fresh.ImageId).toBe(w.newAmi);
      for (const rt of z.routeTables) expect(t[rt]).toBe(fresh.NetworkInterfaces![0]!.NetworkInterfaceId);
    }
    expect(w.images.calls).toEqual(['StartImagePipelineExecutionCommand', 'GetImageCommand', 'GetImageCommand', 'GetImageCommand']);
  });
});
