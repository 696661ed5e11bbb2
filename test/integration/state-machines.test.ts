// The four workflows run for real: definitions in the in-process ASL runner, every EC2/SSM call
// against moto_server, Image Builder answered by a double. Each scenario starts from a fresh moto
// state and ends by checking the invariant.
import { describe, expect, it } from '@jest/globals';
import {
  DeleteNatGatewayCommand,
  DeleteRouteCommand,
  DescribeInstancesCommand,
  ModifyInstanceAttributeCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { GetParameterCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { amiParameter } from '../../lib/names.js';
import { worldPerTest, eipHolder, failing, impaired, type World } from '../workflows-world.js';

const newWorld = worldPerTest();

const onGateways = async (world: World, zoneIdx: number[]) => {
  const routes = await world.routes();
  for (const i of zoneIdx) {
    const z = world.zones[i]!;
    for (const t of z.routeTables) {
      expect(routes.find((r) => r.routeTableId === t)?.defaultRoute).toEqual({
        natGatewayId: z.gateway,
        state: 'active',
      });
    }
  }
};
const targets = async (world: World) =>
  Object.fromEntries(
    (await world.routes()).map((r) => [
      r.routeTableId,
      r.defaultRoute?.natGatewayId ?? r.defaultRoute?.networkInterfaceId,
    ]),
  );

async function running(world: World) {
  const out = await world.ec2.send(
    new DescribeInstancesCommand({
      Filters: [{ Name: 'instance-state-name', Values: ['running'] }],
    }),
  );
  return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
}

describe('happy paths', () => {
  it('Failover puts every route table of every zone on its standby gateway', async () => {
    const w = await newWorld();
    const e = await w.run('Failover', { reason: 'game day' }, 'failover-eu-west-1a-20261123T0840Z');
    expect(e.r.status).toBe('SUCCEEDED');
    // A second start under the same name is refused, as Step Functions does (checker de-dup).
    expect(() => w!.sf.start(w!.arns.Failover, {}, 'failover-eu-west-1a-20261123T0840Z')).toThrow(
      expect.objectContaining({ name: 'ExecutionAlreadyExists' }),
    );
    await onGateways(w, [0, 1, 2]);
    const out = e.r.output as {
      reason: string;
      zones: { zone: string; status: string; tables: { action: string }[] }[];
    };
    expect(out.reason).toBe('game day');
    expect(out.zones.map((z) => [z.zone, z.status, z.tables.map((t) => t.action)])).toEqual(
      w.zones.map((z) => [z.zone, 'done', ['replaced', 'replaced']]),
    );
  });

  it('Fallback puts every zone back on its ready NAT instance', async () => {
    const w = await newWorld();
    expect((await w.run('Failover', {})).r.status).toBe('SUCCEEDED');
    const e = await w.run('Fallback', { reason: 'recovered' });
    expect(e.r.status).toBe('SUCCEEDED');
    const t = await targets(w);
    for (const z of w.zones) for (const rt of z.routeTables) expect(t[rt]).toBe(z.eniId);
  });

  it('ReplaceInstances rolls every zone to a new instance, moves its EIP and terminates the old one', async () => {
    const w = await newWorld();
    const e = await w.run('ReplaceInstances', { reason: 'patch' });
    expect(e.r).toMatchObject({ status: 'SUCCEEDED' });
    const live = await running(w);
    const t = await targets(w);
    for (const z of w.zones) {
      expect(live.map((i) => i.InstanceId)).not.toContain(z.instanceId);
      const fresh = live.find((i) =>
        i.Tags?.some((x) => x.Key === 'natfleet:zone' && x.Value === z.zone),
      )!;
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
    const w = await newWorld();
    const e = await w.run('Maintenance', { reason: 'fortnightly' });
    expect(e.r).toMatchObject({ status: 'SUCCEEDED' });
    const p = await w.ssm.send(new GetParameterCommand({ Name: amiParameter('prod') }));
    expect(p.Parameter?.Value).toBe(w.newAmi);
    const live = await running(w);
    const t = await targets(w);
    for (const z of w.zones) {
      const fresh = live.find((i) =>
        i.Tags?.some((x) => x.Key === 'natfleet:zone' && x.Value === z.zone),
      )!;
      expect(fresh.ImageId).toBe(w.newAmi);
      for (const rt of z.routeTables)
        expect(t[rt]).toBe(fresh.NetworkInterfaces![0]!.NetworkInterfaceId);
    }
    expect(w.images.calls).toEqual([
      'StartImagePipelineExecutionCommand',
      'GetImageCommand',
      'GetImageCommand',
      'GetImageCommand',
    ]);
  });
});

type Zone = {
  zone: string;
  status: string;
  why: string;
  tables?: { table: string; action: string }[];
};
const zonesOf = (out: unknown) => (out as { zones: Zone[] }).zones;
const zoneOf = (out: unknown, zone: string) => zonesOf(out).find((z) => z.zone === zone)!;
const parseCause = (cause?: string) => cause ?? '';

describe('fault matrix', () => {
  it('route missing: Failover creates it', async () => {
    const w = await newWorld();
    const t = w.zones[0]!.routeTables[1]!;
    await w.ec2.send(
      new DeleteRouteCommand({ RouteTableId: t, DestinationCidrBlock: '0.0.0.0/0' }),
    );
    const e = await w.run('Failover', { zones: ['eu-west-1a'] });
    expect(e.r.status).toBe('SUCCEEDED');
    expect(zoneOf(e.r.output, 'eu-west-1a').tables!.map((x) => [x.table, x.action])).toEqual([
      [w.zones[0]!.routeTables[0], 'replaced'],
      [t, 'created'],
    ]);
    await onGateways(w, [0]);
  });

  it('route already right: a second Failover changes nothing and makes no route call', async () => {
    let counter: ReturnType<typeof failing> | undefined;
    const w = await newWorld({ ec2: (c) => (counter = failing(c, 'none', 0)) });
    expect((await w.run('Failover', {})).r.status).toBe('SUCCEEDED');
    const before = { ...counter!.counts };
    const e = await w.run('Failover', {});
    expect(e.r.status).toBe('SUCCEEDED');
    expect(zonesOf(e.r.output).flatMap((z) => z.tables!.map((x) => x.action))).toEqual(
      Array(6).fill('unchanged'),
    );
    expect(counter!.counts.ReplaceRoute).toBe(before.ReplaceRoute);
    expect(counter!.counts.CreateRoute).toBe(before.CreateRoute);
  });

  it('gateway missing: that zone stays on its live instance, the others fail over, the run fails', async () => {
    const w = await newWorld();
    await w.ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: w.zones[1]!.gateway }));
    const before = await targets(w);
    const e = await w.run('Failover', { reason: 'drill' });
    expect(e.r).toMatchObject({ status: 'FAILED', error: 'ZonesNotDone' });
    expect(parseCause(e.r.cause)).toContain(
      `standby gateway ${w.zones[1]!.gateway} is not available`,
    );
    await onGateways(w, [0, 2]);
    const after = await targets(w);
    for (const t of w.zones[1]!.routeTables) expect(after[t]).toBe(before[t]);
  });

  it('instance terminated: Failover moves its zone off the dead instance; Fallback keeps it on the gateway', async () => {
    const w = await newWorld();
    await w.ec2.send(new TerminateInstancesCommand({ InstanceIds: [w.zones[0]!.instanceId] }));
    // The invariant check sees the broken zone before the workflow repairs it.
    expect((await w.violations()).map((v) => [v.zone, v.problem])).toEqual(
      w.zones[0]!.routeTables.map(() => [
        'eu-west-1a',
        `route to ${w!.zones[0]!.eniId}, which is not live`,
      ]),
    );
    expect((await w.run('Failover', { zones: ['eu-west-1a'], reason: 'dead' })).r.status).toBe(
      'SUCCEEDED',
    );
    const e = await w.run('Fallback', {});
    expect(e.r.status).toBe('SUCCEEDED');
    expect(zoneOf(e.r.output, 'eu-west-1a').why).toMatch(
      /^no running NAT instance: on standby gateway/,
    );
    await onGateways(w, [0]);
  });

  it('instance stopped: Fallback moves its zone to the gateway and says why', async () => {
    const w = await newWorld();
    await w.ec2.send(new StopInstancesCommand({ InstanceIds: [w.zones[1]!.instanceId] }));
    const e = await w.run('Fallback', {});
    expect(e.r.status).toBe('SUCCEEDED');
    expect(zoneOf(e.r.output, 'eu-west-1b')).toMatchObject({
      status: 'done',
      why: expect.stringMatching(/^no running NAT instance/),
    });
    expect(zoneOf(e.r.output, 'eu-west-1a').tables!.map((x) => x.action)).toEqual([
      'unchanged',
      'unchanged',
    ]);
    await onGateways(w, [1]);
  });

  it('source/dest check still on: Fallback leaves that zone on its gateway', async () => {
    const w = await newWorld();
    await w.ec2.send(
      new ModifyInstanceAttributeCommand({
        InstanceId: w.zones[2]!.instanceId,
        SourceDestCheck: { Value: true },
      }),
    );
    expect((await w.run('Failover', {})).r.status).toBe('SUCCEEDED');
    const e = await w.run('Fallback', {});
    expect(e.r.status).toBe('SUCCEEDED');
    expect(zoneOf(e.r.output, 'eu-west-1c').why).toContain(
      `source/dest check is still on for ${w.zones[2]!.instanceId}`,
    );
    await onGateways(w, [2]);
    const t = await targets(w);
    for (const z of w.zones.slice(0, 2))
      for (const rt of z.routeTables) expect(t[rt]).toBe(z.eniId);
  });

  it('no healthy instance in one zone (status checks failing): Fallback leaves it on its gateway', async () => {
    let sick = '';
    const w = await newWorld({ ec2: (c) => impaired(c, (id) => id === sick) });
    sick = w.zones[0]!.instanceId;
    expect((await w.run('Failover', {})).r.status).toBe('SUCCEEDED');
    const e = await w.run('Fallback', { reason: 'after drill' });
    expect(e.r.status).toBe('SUCCEEDED');
    expect(zoneOf(e.r.output, 'eu-west-1a').why).toContain(
      `status checks have not passed for ${sick}`,
    );
    await onGateways(w, [0]);
    expect(zoneOf(e.r.output, 'eu-west-1b').why).toContain('is ready');
  });

  it('a second ReplaceInstances while one runs ends at once, successfully, having done nothing', async () => {
    const w = await newWorld();
    const world = w;
    const first = world.sf.start(world.arns.ReplaceInstances, {}, 'first');
    const second = new Promise<Awaited<typeof first.result>>((resolve) => {
      let started = false;
      first.onEvent = (ev) => {
        if (!started && ev.kind === 'entered' && ev.state === 'Launch') {
          started = true;
          resolve(
            world.sf.start(world.arns.ReplaceInstances, { reason: 'again' }, 'second').result,
          );
        }
      };
    });
    const r2 = await second;
    expect(r2).toMatchObject({
      status: 'SUCCEEDED',
      output: { result: expect.stringContaining('did nothing'), lockedBy: first.arn },
    });
    expect((await first.result).status).toBe('SUCCEEDED');
    expect((await running(world)).map((i) => i.InstanceId).sort()).toHaveLength(3);
  });

  it('the EIP move fails: that zone goes to its gateway, its new instance is terminated, the roll stops', async () => {
    const w = await newWorld({ eipOverride: { 1: 'eipalloc-00000000000000bad' } });
    const before = await targets(w);
    const e = await w.run('ReplaceInstances', { reason: 'patch' });
    expect(e.r).toMatchObject({ status: 'FAILED', error: 'ZoneFailed' });
    expect(e.r.cause).toMatch(
      /^ReplaceInstances stopped at eu-west-1b: .*eipalloc-00000000000000bad|^ReplaceInstances stopped at eu-west-1b/,
    );
    const live = (await running(w)).map((i) => i.InstanceId);
    const [a, b, c] = w.zones as [(typeof w.zones)[0], (typeof w.zones)[0], (typeof w.zones)[0]];
    expect(live).not.toContain(a.instanceId); // zone a was rolled
    expect(live).toContain(b.instanceId); // zone b: old kept, new one gone
    expect(live).toContain(c.instanceId); // zone c: not reached
    expect(live).toHaveLength(3);
    await onGateways(w, [1]);
    const after = await targets(w);
    for (const rt of c.routeTables) expect(after[rt]).toBe(before[rt]);
  });

  it('launch fails (bad AMI id): the first zone goes to its gateway, no instance is left, the rest untouched', async () => {
    const w = await newWorld();
    await w.ssm.send(
      new PutParameterCommand({
        Name: amiParameter('prod'),
        Value: 'ami-0000000000000dead',
        Type: 'String',
        Overwrite: true,
      }),
    );
    const before = await targets(w);
    const e = await w.run('ReplaceInstances', {});
    expect(e.r).toMatchObject({ status: 'FAILED', error: 'ZoneFailed' });
    expect(e.r.cause).toContain('stopped at eu-west-1a');
    expect((await running(w)).map((i) => i.InstanceId).sort()).toEqual(
      w.zones.map((z) => z.instanceId).sort(),
    );
    await onGateways(w, [0]);
    const after = await targets(w);
    for (const z of w.zones.slice(1))
      for (const rt of z.routeTables) expect(after[rt]).toBe(before[rt]);
  });

  it('a new instance that never passes its status checks is rolled back after a bounded wait', async () => {
    let original = new Set<string>();
    const w = await newWorld({ ec2: (c) => impaired(c, (id) => !original.has(id)) });
    original = new Set(w.zones.map((z) => z.instanceId));
    const e = await w.run('ReplaceInstances', { zones: ['eu-west-1c'] });
    expect(e.r).toMatchObject({ status: 'FAILED', error: 'ZoneFailed' });
    expect(e.r.cause).toContain('did not pass its status checks within');
    expect(
      e.events.filter((x) => x.kind === 'entered' && x.state === 'Pause').length,
    ).toBeGreaterThan(5);
    expect((await running(w)).map((i) => i.InstanceId).sort()).toEqual([...original].sort());
    await onGateways(w, [2]);
  });

  it('image build FAILED: Maintenance ends with the fleet untouched', async () => {
    const w = await newWorld({ imageStatuses: ['BUILDING', 'FAILED'] });
    const before = await targets(w);
    const e = await w.run('Maintenance', {});
    expect(e.r).toMatchObject({ status: 'FAILED', error: 'ImageBuildFailed' });
    expect(e.r.cause).toContain('ended FAILED; fleet untouched');
    expect(await targets(w)).toEqual(before);
    const p = await w.ssm.send(new GetParameterCommand({ Name: amiParameter('prod') }));
    expect(p.Parameter?.Value).toBe('ami-12c6146b');
    expect((await running(w)).map((i) => i.InstanceId).sort()).toEqual(
      w.zones.map((z) => z.instanceId).sort(),
    );
  });

  it('image build never finishes: Maintenance gives up after its bounded wait, cancels it, fleet untouched', async () => {
    const w = await newWorld({ imageStatuses: ['BUILDING'] });
    const before = await targets(w);
    const e = await w.run('Maintenance', {});
    expect(e.r).toMatchObject({ status: 'FAILED', error: 'ImageBuildTimedOut' });
    expect(w.images.calls).toContain('CancelImageCreationCommand');
    expect(w.images.calls.filter((c) => c === 'GetImageCommand').length).toBeGreaterThan(10);
    expect(await targets(w)).toEqual(before);
  });

  it('throttling on ReplaceRoute: retried with backoff, Failover completes', async () => {
    let counter: ReturnType<typeof failing> | undefined;
    const w = await newWorld({ ec2: (c) => (counter = failing(c, 'ReplaceRoute', 3)) });
    const e = await w.run('Failover', {});
    expect(e.r.status).toBe('SUCCEEDED');
    expect(e.events.filter((x) => x.kind === 'retried').length).toBe(3);
    expect(counter!.counts.ReplaceRoute).toBe(6 + 3);
    await onGateways(w, [0, 1, 2]);
  });

  it('a zone listed that does not exist: refused before anything changes', async () => {
    const w = await newWorld();
    const before = await targets(w);
    for (const wf of ['Failover', 'Fallback', 'ReplaceInstances', 'Maintenance'] as const) {
      const e = await w.run(wf, { zones: ['eu-west-1a', 'eu-west-1z'] });
      expect(e.r).toMatchObject({ status: 'FAILED', error: 'UnknownZone' });
      expect(e.r.cause).toContain('unknown zone eu-west-1z');
    }
    expect(await targets(w)).toEqual(before);
    expect(w.images.calls).toEqual([]);
  });

  it('an empty zones list: nothing to do, said so', async () => {
    const w = await newWorld();
    const before = await targets(w);
    for (const wf of ['Failover', 'Fallback', 'ReplaceInstances', 'Maintenance'] as const) {
      const e = await w.run(wf, { zones: [], reason: 'noop' });
      expect(e.r).toMatchObject({
        status: 'SUCCEEDED',
        output: { result: 'no zones chosen: nothing to do' },
      });
    }
    expect(await targets(w)).toEqual(before);
  });

  it('two Failovers at once both succeed with the same end state (idempotent)', async () => {
    const w = await newWorld();
    const [a, b] = await Promise.all([w.run('Failover', {}, 'x'), w.run('Failover', {}, 'y')]);
    expect([a.r.status, b.r.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    await onGateways(w, [0, 1, 2]);
  });

  it('ReplaceInstances of one zone leaves the other zones untouched', async () => {
    const w = await newWorld();
    const before = await targets(w);
    const e = await w.run('ReplaceInstances', { zones: ['eu-west-1b'] });
    expect(e.r.status).toBe('SUCCEEDED');
    const after = await targets(w);
    for (const z of [w.zones[0]!, w.zones[2]!])
      for (const rt of z.routeTables) expect(after[rt]).toBe(before[rt]);
    for (const rt of w.zones[1]!.routeTables) expect(after[rt]).not.toBe(before[rt]);
  });
});
