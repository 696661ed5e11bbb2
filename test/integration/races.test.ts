// Races: two runs started at once in the in-process runner against moto, at several timings
// (chosen by events and by a barrier on the calls, never by the clock), each ending with the
// invariant check (worldPerTest).
import { describe, expect, it } from '@jest/globals';
import { DeleteRouteCommand, DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { TaskError, type Sender } from '../../lib/workflows/sdk.js';
import type { TaskCall } from '../../lab/stepfunctions/local.js';
import type { WorkflowName } from '../../lib/names.js';
import { readHolds, releaseHolds } from '../../lib/holds.js';
import { changeTable } from '../../lib/record/compare.js';
import { snapshot } from '../../lib/record/snapshot.js';
import { zoneRecords } from '../../lib/workflows/report.js';
import { eipHolder, worldPerTest, type World } from '../workflows-world.js';

/** The zone of a running instance (undefined: no instance, or not running). */
async function runningInZone(w: World, id: string | undefined): Promise<string | undefined> {
  if (!id) return undefined;
  const out = await w.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
  const i = out.Reservations?.[0]?.Instances?.[0];
  return i?.State?.Name === 'running' ? i.Placement?.AvailabilityZone : undefined;
}

const newWorld = worldPerTest();

/** Holds every call of `command` until `count` of them have arrived: both runs read before either writes. */
export function barrier(command: string, count: number) {
  let waiting: (() => void)[] = [];
  let seen = 0;
  return (c: Sender): Sender => ({
    async send(cmd: unknown) {
      if ((cmd as object).constructor.name === `${command}Command` && seen < count) {
        seen++;
        if (seen < count) await new Promise<void>((r) => waiting.push(r));
        else {
          for (const r of waiting) r();
          waiting = [];
        }
      }
      return c.send(cmd);
    },
  });
}

/** Holds the Task calls of the named states until `count` of them have arrived. */
export function stateBarrier(states: string[], count: number) {
  let waiting: (() => void)[] = [];
  let seen = 0;
  return async ({ state }: TaskCall, call: () => Promise<unknown>) => {
    if (states.includes(state) && seen < count) {
      seen++;
      if (seen < count) await new Promise<void>((r) => waiting.push(r));
      else {
        for (const r of waiting) r();
        waiting = [];
      }
    }
    return call();
  };
}

/** Calls `fire` with the state of every Task any run calls (its children's too). */
const taskHook = () => {
  const hook = {
    fire: (_state: string) => {},
    around: async (t: TaskCall, call: () => Promise<unknown>) => {
      hook.fire(t.state);
      return call();
    },
  };
  return hook;
};

/**
 * Starts `first`, then `second` when `first` enters state `at` (or at once with at = ''). With
 * `hook` (the world's around hook) also when any run calls Task `at`: a state of a child of
 * `first` (Maintenance's ReplaceInstances), whose events are not `first`'s.
 */
async function race(
  w: World,
  first: [WorkflowName, object],
  second: [WorkflowName, object],
  at: string,
  hook?: ReturnType<typeof taskHook>,
) {
  const a = w.sf.start(w.arns[first[0]], first[1], 'first');
  let b: ReturnType<World['sf']['start']> | undefined;
  const startB = () => (b ??= w.sf.start(w.arns[second[0]], second[1], 'second'));
  if (at === '') startB();
  else {
    a.onEvent = (e) => e.kind === 'entered' && e.state === at && startB();
    if (hook) hook.fire = (state) => state === at && startB();
  }
  const ra = await a.result;
  const startedDuring = b !== undefined;
  const rb = await startB().result;
  return { a: ra, b: rb, startedDuring };
}

const noDefaultRoute = async (w: World) => {
  for (const z of w.zones)
    for (const t of z.routeTables)
      await w.ec2.send(
        new DeleteRouteCommand({ RouteTableId: t, DestinationCidrBlock: '0.0.0.0/0' }),
      );
};

describe('two Failovers on route tables with no default route', () => {
  const tables = 3 * 2;
  it.each([
    ['both read before either creates', 'barrier'],
    ['the second starts with the first', ''],
    ['the second starts when the first creates', 'GatewayTablesCreate'],
    ['the second starts when the first reports', 'Report'],
  ])('%s: both succeed, every table on its gateway', async (_, at) => {
    const w = await newWorld(at === 'barrier' ? { ec2: barrier('CreateRoute', tables * 2) } : {});
    await noDefaultRoute(w);
    const r = await race(w, ['Failover', {}], ['Failover', {}], at === 'barrier' ? '' : at);
    expect([r.a.status, r.b.status, r.a.cause, r.b.cause]).toEqual([
      'SUCCEEDED',
      'SUCCEEDED',
      undefined,
      undefined,
    ]);
    for (const z of w.zones)
      for (const t of z.routeTables)
        expect((await w.routes()).find((x) => x.routeTableId === t)?.defaultRoute).toEqual({
          natGatewayId: z.gateway,
          state: 'active',
        });
  });
});

const didNothing = (r: { output?: unknown }) =>
  /did nothing/.test(String((r.output as { result?: string } | undefined)?.result ?? ''));

/** Every managed table on a NAT instance (by its ENI or id), none on a gateway. */
async function onInstances(w: World) {
  const routes = await w.routes();
  return routes.filter((r) => !r.defaultRoute?.natGatewayId).length === routes.length;
}

describe('two ReplaceInstances at once', () => {
  it.each([
    ['both try the lock at the same moment', 'barrier'],
    ['the second starts with the first', ''],
    ['the second starts when the first launches', 'Launch'],
    ['the second starts when the first switches routes', 'Switch'],
  ])('%s: exactly one rolls the fleet, the other does nothing', async (_, at) => {
    // The lock's first call in each run ('Singleton' where a definition still lists executions).
    const w = await newWorld(
      at === 'barrier' ? { around: stateBarrier(['Lock', 'Singleton'], 2) } : {},
    );
    const r = await race(
      w,
      ['ReplaceInstances', {}],
      ['ReplaceInstances', {}],
      at === 'barrier' ? '' : at,
    );
    expect([r.a.status, r.b.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect([didNothing(r.a), didNothing(r.b)].filter(Boolean)).toHaveLength(1);
    expect(await onInstances(w)).toBe(true);
    const ids = new Set((await w.routes()).map((t) => t.defaultRoute?.instanceId));
    for (const z of w.zones) expect(ids.has(z.instanceId)).toBe(false);
  });
});

describe('Fallback racing ReplaceInstances', () => {
  it.each([
    ['Fallback starts with the roll', ''],
    ['Fallback starts when the roll launches', 'Launch'],
    ['Fallback starts when the roll waits for the new instance', 'Status'],
    ['Fallback starts when the roll switches routes', 'Switch'],
  ])(
    '%s: the fleet ends on the new instances, no run says done and left a gateway',
    async (_, at) => {
      const w = await newWorld();
      const r = await race(w, ['ReplaceInstances', {}], ['Fallback', {}], at);
      expect([r.a.status, r.b.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
      expect(await onInstances(w)).toBe(true);
    },
  );
});

describe('an operator failover with a hold during Maintenance', () => {
  it.each([
    ['while the image builds', 'ImageState'],
    ['when the roll starts', 'Replace'],
    ['when the roll launches the new instance', 'Launch'],
    ['when the roll waits for the new instance', 'Status'],
    ['when the roll proves the new instance’s path', 'PathCheck'],
    ['when the final Fallback starts', 'Fallback'],
  ])(
    '%s: the held zone stays on its gateway, the others roll, Maintenance says so',
    async (_, at) => {
      const hook = taskHook();
      const w = await newWorld({ around: hook.around });
      const held = w.zones[0]!;
      const r = await race(
        w,
        ['Maintenance', { reason: 'monthly' }],
        ['Failover', { zones: [held.zone], reason: 'game day', hold: { by: 'alice' } }],
        at,
        hook,
      );
      // The hold came while Maintenance ran, not after it.
      expect(r.startedDuring).toBe(true);
      expect([r.a.status, r.b.status, r.a.cause]).toEqual(['SUCCEEDED', 'SUCCEEDED', undefined]);
      const routes = await w.routes();
      for (const t of held.routeTables)
        expect(routes.find((x) => x.routeTableId === t)?.defaultRoute?.natGatewayId).toBe(
          held.gateway,
        );
      for (const z of w.zones.slice(1))
        for (const t of z.routeTables)
          expect(
            routes.find((x) => x.routeTableId === t)?.defaultRoute?.natGatewayId,
          ).toBeUndefined();
      const zones = (r.a.output as { zones: { zone: string; status: string }[] }).zones;
      expect(zones.find((z) => z.zone === held.zone)).toMatchObject({ status: 'held' });
      expect((await readHolds(w.ec2, w.env)).map((h) => [h.zone, h.by, h.reason])).toEqual([
        [held.zone, 'alice', 'game day'],
      ]);
      // Its Elastic IP is on a running instance of the zone (the roll may have moved it to the
      // new one before the hold stopped it): a later Fallback finds its public address.
      expect(await runningInZone(w, await eipHolder(w.ec2, w.eips[held.zone]!))).toBe(held.zone);
    },
  );
});

describe('an operator failover with a hold during Fallback', () => {
  it.each([
    ['when Fallback reads the instance', 'FindInstance'],
    ['when Fallback proves the instance’s path', 'PathCheck'],
  ])('%s: the held zone ends on its gateway and held', async (_, at) => {
    const w = await newWorld();
    const held = w.zones[2]!;
    expect((await w.run('Failover', { reason: 'drill' })).r.status).toBe('SUCCEEDED');
    const r = await race(
      w,
      ['Fallback', { reason: 'recovered' }],
      ['Failover', { zones: [held.zone], reason: 'isp trouble', hold: { by: 'carol' } }],
      at,
    );
    expect([r.a.status, r.b.status, r.startedDuring]).toEqual(['SUCCEEDED', 'SUCCEEDED', true]);
    const routes = await w.routes();
    for (const t of held.routeTables)
      expect(routes.find((x) => x.routeTableId === t)?.defaultRoute?.natGatewayId).toBe(
        held.gateway,
      );
    const zones = (r.a.output as { zones: { zone: string; status: string }[] }).zones;
    expect(zones.find((z) => z.zone === held.zone)?.status).toBe('held');
  });

  // Deterministic: the whole Failover with its hold runs after the run read no hold and before
  // it writes the zone's routes (or while it writes them, the hold already placed).
  it.each([
    ['Fallback', 'before it writes the zone’s routes', 'ToInstance'],
    ['Fallback', 'as it writes them', 'ToInstanceReplace'],
    ['ReplaceInstances', 'before it switches the zone', 'Switch'],
    ['ReplaceInstances', 'as it switches it', 'SwitchReplace'],
  ] as const)(
    '%s, a hold placed %s: the hold wins, the zone ends on its gateway and held',
    async (wf, _, at) => {
      // Assigned once the world exists; the hook above it reads it first.
      // eslint-disable-next-line prefer-const
      let held: World['zones'][0] | undefined;
      let placed: string | undefined;
      const w: World = await newWorld({
        around: async (t, call) => {
          const tables = JSON.stringify(t.input);
          if (held && !placed && t.state === at && tables.includes(held.routeTables[0]!)) {
            placed = t.state;
            const f = await w.run('Failover', {
              zones: [held.zone],
              reason: 'isp trouble',
              hold: { by: 'dave' },
            });
            expect(f.r.status).toBe('SUCCEEDED');
          }
          return call();
        },
      });
      if (wf === 'Fallback')
        expect((await w.run('Failover', { reason: 'drill' })).r.status).toBe('SUCCEEDED');
      held = w.zones[2]!;
      const run = await w.run(wf, { reason: 'recovered' });
      expect(placed).toBe(at);
      expect(run.r.status).toBe('SUCCEEDED');
      const routes = await w.routes();
      for (const t of held.routeTables)
        expect(routes.find((x) => x.routeTableId === t)?.defaultRoute?.natGatewayId).toBe(
          held.gateway,
        );
      const zones = (run.r.output as { zones: { zone: string; status: string }[] }).zones;
      expect(zones.find((z) => z.zone === held!.zone)?.status).toBe('held');
      expect(zones.filter((z) => z.zone !== held!.zone).map((z) => z.status)).toEqual([
        'done',
        'done',
      ]);
      // The zone's instance is the one it had, with its Elastic IP (a roll's new one is gone).
      expect(await runningInZone(w, await eipHolder(w.ec2, w.eips[held.zone]!))).toBe(held.zone);
      expect(await eipHolder(w.ec2, w.eips[held.zone]!)).toBe(held.instanceId);
    },
  );
});

// The read after the write failing for good (a denial, an outage past its retries): the zone is
// already on a proved instance; the run must end and say so, not fail with the zone unaccounted.
describe('the hold cannot be read again after the write', () => {
  it.each([
    ['Fallback', 'HeldAfter'],
    ['ReplaceInstances', 'HeldAfterSwitch'],
  ] as const)('%s: the zone ends failed on a working path, said', async (wf, at) => {
    // eslint-disable-next-line prefer-const
    let zone: World['zones'][0] | undefined;
    let refused = 0;
    const w: World = await newWorld({
      around: async (t, call) => {
        if (zone && t.state === at && JSON.stringify(t.input).includes(zone.routeTables[0]!)) {
          refused++;
          throw new TaskError('EC2.UnauthorizedOperation', 'not authorized to DescribeRouteTables');
        }
        return call();
      },
    });
    if (wf === 'Fallback')
      expect((await w.run('Failover', { reason: 'drill' })).r.status).toBe('SUCCEEDED');
    zone = w.zones[1]!;
    const run = await w.run(wf, { reason: 'recovered' });
    expect(refused).toBeGreaterThan(0);
    // A failed zone fails the run, with the per-zone report in its cause (as any zone's failure).
    expect(run.r.status).toBe('FAILED');
    const zones = zoneRecords(run.r) as { zone: string; status: string; why?: string }[];
    const mine = zones.find((z) => z.zone === zone!.zone);
    expect(mine?.status).toBe('failed');
    // Fallback goes on with the other zones; ReplaceInstances stops at the failed one.
    expect(zones.filter((z) => z.zone !== zone!.zone).map((z) => [z.zone, z.status])).toEqual(
      wf === 'Fallback'
        ? [
            [w.zones[0]!.zone, 'done'],
            [w.zones[2]!.zone, 'done'],
          ]
        : [[w.zones[0]!.zone, 'done']],
    );
    const routes = await w.routes();
    const targets = zone.routeTables.map(
      (t) => routes.find((x) => x.routeTableId === t)?.defaultRoute,
    );
    if (wf === 'Fallback') {
      // Left on the instance it proved: the why says so and names the error.
      expect(mine?.why).toMatch(/could not be read again.*UnauthorizedOperation/);
      const eni = (mine as { target?: string }).target;
      expect(eni).toMatch(/^eni-/);
      for (const r of targets)
        expect([r?.networkInterfaceId, r?.natGatewayId]).toEqual([eni, undefined]);
    } else {
      // Rolled back as any failure of the roll: on the gateway, the old instance keeps its
      // Elastic IP, the new one is gone.
      for (const r of targets) expect(r?.natGatewayId).toBe(zone.gateway);
      expect(await eipHolder(w.ec2, w.eips[zone.zone]!)).toBe(zone.instanceId);
    }
  });
});

describe('holds end to end', () => {
  it('a held zone is skipped by Fallback and ReplaceInstances until released', async () => {
    const w = await newWorld();
    const [a, b] = [w.zones[0]!, w.zones[1]!];
    const f = await w.run('Failover', {
      zones: [a.zone, b.zone],
      reason: 'isp trouble',
      hold: { by: 'bob' },
    });
    expect(f.r.status).toBe('SUCCEEDED');
    expect((await readHolds(w.ec2, w.env)).map((h) => h.zone)).toEqual([a.zone, b.zone]);
    const fb = await w.run('Fallback', {});
    const status = (r: typeof fb) =>
      Object.fromEntries(
        (r.r.output as { zones: { zone: string; status: string }[] }).zones.map((z) => [
          z.zone,
          z.status,
        ]),
      );
    expect(status(fb)).toEqual({ [a.zone]: 'held', [b.zone]: 'held', [w.zones[2]!.zone]: 'done' });
    const rp = await w.run('ReplaceInstances', { zones: [a.zone] });
    expect(status(rp)).toEqual({ [a.zone]: 'held' });
    expect((await releaseHolds(w.ec2, w.env, [a.zone])).map((h) => h.zone)).toEqual([a.zone]);
    expect((await readHolds(w.ec2, w.env)).map((h) => h.zone)).toEqual([b.zone]);
    // The record carries the hold, and its pull request's table says who holds the zone.
    const record = await snapshot({ ec2: w.ec2, ssm: w.ssm }, w.env, {
      reason: 'drift',
      now: new Date(),
    });
    expect(record.zones[b.zone]?.hold).toMatchObject({ by: 'bob', reason: 'isp trouble' });
    expect(record.zones[a.zone]?.hold).toBeUndefined();
    expect(changeTable(undefined, record)).toContain('gateway (held by bob: isp trouble)');
    const again = await w.run('Fallback', {});
    expect(status(again)).toMatchObject({ [a.zone]: 'done', [b.zone]: 'held' });
  });

  it("the checker's failover does not hold: a later Maintenance replaces that zone's instance and brings it back", async () => {
    const w = await newWorld();
    const z = w.zones[1]!;
    expect(
      (await w.run('Failover', { zones: [z.zone], reason: 'checker: probes failed' })).r.status,
    ).toBe('SUCCEEDED');
    expect(await readHolds(w.ec2, w.env)).toEqual([]);
    const m = await w.run('Maintenance', { reason: 'monthly' });
    expect(m.r.status).toBe('SUCCEEDED');
    expect(await onInstances(w)).toBe(true);
    const ids = new Set((await w.routes()).map((t) => t.defaultRoute?.instanceId));
    expect(ids.has(z.instanceId)).toBe(false);
  });
});
