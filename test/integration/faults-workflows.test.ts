// Faults the generic matrix does not make, in the in-process runner against moto: a new instance
// that never reaches running, a route table deleted (before the run and during it), the standby
// gone during a ReplaceInstances rollback. Each run ends as it should and, whatever its status,
// the invariant holds afterwards (worldPerTest). No assertion reads the clock.
import { describe, expect, it } from '@jest/globals';
import {
  DeleteNatGatewayCommand,
  DeleteRouteTableCommand,
  DescribeInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import type { Sender } from '../../lib/workflows/sdk.js';
import { TaskError } from '../../lib/workflows/sdk.js';
import { zoneReasons } from '../../lib/workflows/report.js';
import { eipHolder, worldPerTest, type World } from '../workflows-world.js';

const newWorld = worldPerTest();

/** ReplaceInstances' default patience: polls every 15 s for 60 % of its 900 s timeout. */
const MAX_POLLS = Math.floor((900 * 0.6) / 15);

type Misbehaviour = 'pending' | 'impaired' | 'terminated' | 'stopped';

/**
 * EC2 as it is when the k-th instance a run launches never comes up: stays pending, fails its
 * checks, or goes away by itself (terminated or stopped in moto at its first status read).
 * `launched` lists the run's new instances in launch order; `polls` counts status reads of the bad one.
 */
function neverRunning(k: number, how: Misbehaviour) {
  const launched: string[] = [];
  let polls = 0;
  const wrap = (c: Sender): Sender => ({
    async send(cmd: unknown) {
      const name = (cmd as object).constructor.name;
      const bad = launched[k];
      if (name === 'DescribeInstanceStatusCommand' && bad) {
        const ids = (cmd as { input: { InstanceIds?: string[] } }).input.InstanceIds ?? [];
        if (ids.includes(bad)) {
          if (polls++ === 0 && how === 'terminated')
            await c.send(new TerminateInstancesCommand({ InstanceIds: [bad] }));
          if (polls === 1 && how === 'stopped')
            await c.send(new StopInstancesCommand({ InstanceIds: [bad] }));
        }
      }
      const out = await c.send(cmd);
      if (name === 'RunInstancesCommand') {
        launched.push((out as { Instances: { InstanceId: string }[] }).Instances[0]!.InstanceId);
      }
      if (name !== 'DescribeInstanceStatusCommand' || !bad) return out;
      const statuses = (out as { InstanceStatuses?: { InstanceId?: string }[] }).InstanceStatuses;
      const unready = { Status: how === 'impaired' ? 'impaired' : 'initializing' };
      return {
        ...(out as object),
        InstanceStatuses: (statuses ?? []).map((s) =>
          s.InstanceId !== bad || how === 'terminated' || how === 'stopped'
            ? s
            : {
                ...s,
                ...(how === 'pending' ? { InstanceState: { Code: 0, Name: 'pending' } } : {}),
                InstanceStatus: unready,
                SystemStatus: unready,
              },
        ),
      };
    },
  });
  return { wrap, launched, polls: () => polls };
}

async function stateOf(w: World, id: string): Promise<string | undefined> {
  const r = await w.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
  return r.Reservations?.[0]?.Instances?.[0]?.State?.Name;
}

/** Per zone: 'gateway', 'old' (its first instance), 'new' (another instance) or what else. */
async function where(w: World): Promise<Record<string, string[]>> {
  const routes = new Map((await w.routes()).map((t) => [t.routeTableId, t.defaultRoute]));
  return Object.fromEntries(
    w.zones.map((z) => [
      z.zone,
      z.routeTables
        .filter((t) => w.env.zones.some((e) => e.routeTables.includes(t)))
        .map((t) => {
          const r = routes.get(t);
          if (r?.natGatewayId) return r.natGatewayId === z.gateway ? 'gateway' : r.natGatewayId;
          if (r?.networkInterfaceId === z.eniId || r?.instanceId === z.instanceId) return 'old';
          return r?.networkInterfaceId || r?.instanceId ? 'new' : 'none';
        }),
    ]),
  );
}

describe('a new instance that never reaches running', () => {
  it.each<[Misbehaviour, number, string]>([
    ['pending', 0, `did not pass its status checks within ${MAX_POLLS * 15} s`],
    ['impaired', 1, `did not pass its status checks within ${MAX_POLLS * 15} s`],
    ['terminated', 0, 'is terminated'],
    ['stopped', 2, 'is stopped'],
  ])(
    'stays %s (zone %i): a bounded wait, the zone rolled back to its gateway, the new instance terminated',
    async (how, k, why) => {
      const bad = neverRunning(k, how);
      const w = await newWorld({ ec2: bad.wrap });
      const e = await w.run('ReplaceInstances', { reason: `never running: ${how}` });
      const zone = w.zones[k]!;
      expect([e.r.status, e.r.error]).toEqual(['FAILED', 'ZoneFailed']);
      expect(e.r.cause).toContain(`ReplaceInstances stopped at ${zone.zone}`);
      expect(zoneReasons(e.r)[zone.zone]).toContain(`new instance ${bad.launched[k]} ${why}`);
      expect(zoneReasons(e.r)[zone.zone]).toContain(
        `the zone is on standby gateway ${zone.gateway}`,
      );
      // Zones before it replaced, it on its gateway, the ones after untouched.
      const expected = Object.fromEntries(
        w.zones.map((z, i) => [
          z.zone,
          z.routeTables.map(() => (i < k ? 'new' : i === k ? 'gateway' : 'old')),
        ]),
      );
      expect(await where(w)).toEqual(expected);
      expect(bad.launched).toHaveLength(k + 1);
      expect(await stateOf(w, bad.launched[k]!)).toBe('terminated');
      expect(await stateOf(w, zone.instanceId)).toBe('running');
      // Bounded: as many status reads as its patience allows, or one when it went away.
      expect(bad.polls()).toBe(how === 'pending' || how === 'impaired' ? MAX_POLLS : 1);
    },
  );
});

/** Deletes a route table (none of the fleet's tables is associated with a subnet). */
async function deleteTable(w: World, id: string) {
  await w.ec2.send(new DeleteRouteTableCommand({ RouteTableId: id }));
}

/** The config still names the table; the invariant is about the tables EC2 has. */
function forget(w: World, id: string) {
  for (const z of w.env.zones) z.routeTables = z.routeTables.filter((t) => t !== id);
}

describe('a route table deleted', () => {
  it.each<['Failover' | 'Fallback', number, number]>([
    ['Failover', 1, 0],
    ['Failover', 2, 1],
    ['Fallback', 0, 1],
  ])(
    'between the config and the run: %s names the table (zone %i, table %i); the other tables and zones are right',
    async (wf, zi, ti) => {
      const w = await newWorld();
      const gone = w.zones[zi]!.routeTables[ti]!;
      await deleteTable(w, gone);
      const e = await w.run(wf, { reason: 'a table was deleted' });
      forget(w, gone);
      expect([e.r.status, e.r.error]).toEqual(['FAILED', 'ZonesNotDone']);
      const reasons = zoneReasons(e.r);
      expect(reasons[w.zones[zi]!.zone]).toContain(`route tables not found, first ${gone}`);
      for (const [i, z] of w.zones.entries()) {
        if (i !== zi) expect(reasons[z.zone]).not.toContain('not found');
      }
      for (const [i, z] of w.zones.entries()) {
        if (i === zi) expect(reasons[z.zone]).toContain('1 of 2 route tables not found');
      }
      const on = wf === 'Failover' ? 'gateway' : 'old';
      expect(await where(w)).toEqual(
        Object.fromEntries(
          w.zones.map((z) => [z.zone, z.routeTables.filter((t) => t !== gone).map(() => on)]),
        ),
      );
    },
  );

  it('between the config and the run: ReplaceInstances stops at the zone and names the table', async () => {
    const w = await newWorld();
    const gone = w.zones[0]!.routeTables[1]!;
    await deleteTable(w, gone);
    const e = await w.run('ReplaceInstances', { reason: 'a table was deleted' });
    forget(w, gone);
    expect([e.r.status, e.r.error]).toEqual(['FAILED', 'ZoneFailed']);
    expect(zoneReasons(e.r)[w.zones[0]!.zone]).toContain(`route tables not found, first ${gone}`);
    const [a, b, c] = w.zones.map((z) => z.zone) as [string, string, string];
    expect(await where(w)).toEqual({ [a]: ['gateway'], [b]: ['old', 'old'], [c]: ['old', 'old'] });
  });

  it.each<[string, 'Failover' | 'Fallback' | 'ReplaceInstances', string]>([
    ['Failover moves it', 'Failover', 'GatewayTablesReplace'],
    ['ReplaceInstances switches it', 'ReplaceInstances', 'SwitchReplace'],
  ])('mid-run, just before %s: the run names the table and why', async (_, wf, at) => {
    let gone = '';
    const w: World = await newWorld({
      around: async (t, call) => {
        const table = (t.input as { RouteTableId?: string }).RouteTableId ?? '';
        if (t.state === at && !gone && table === w.zones[1]!.routeTables[0]) {
          gone = table;
          await deleteTable(w, table);
        }
        return call();
      },
    });
    const e = await w.run(wf, { reason: 'a table deleted mid-run' });
    forget(w, gone);
    expect(gone).not.toBe('');
    expect(e.r.status).toBe('FAILED');
    const zb = w.zones[1]!;
    expect(e.r.cause).toContain(gone);
    expect(e.r.cause).toMatch(/InvalidRouteTableID\.?NotFound/i);
    const other = wf === 'Failover' ? 'gateway' : 'old';
    const got = await where(w);
    expect(got[zb.zone]).toEqual(['gateway']);
    for (const [i, z] of w.zones.entries()) {
      if (i === 1) continue;
      // Failover: every other zone on its gateway; the roll: the first zone replaced, the last untouched.
      const want = wf === 'Failover' ? other : i === 0 ? 'new' : 'old';
      expect(got[z.zone]).toEqual(z.routeTables.map(() => want));
    }
  });
});

/** A hard (not retried) error as Step Functions names EC2's. */
const hard = (code: string) => new TaskError(`Ec2.${code}Exception`, `injected ${code}`);

describe('the standby gone during a ReplaceInstances rollback', () => {
  it.each<[string, 'deleted' | 'failed' | 'unreadable']>([
    ['deleted as the rollback starts', 'deleted'],
    ['not available (failed)', 'failed'],
    ['unreadable', 'unreadable'],
  ])(
    'the new instance never came up, the standby %s: the zone stays on its old instance, the new one is terminated',
    async (_, gone) => {
      const bad = neverRunning(0, 'impaired');
      let gw = '';
      const w: World = await newWorld({
        ec2: (c) => {
          const inner = bad.wrap(c);
          return {
            async send(cmd: unknown) {
              const out = await inner.send(cmd);
              if (
                gone === 'failed' &&
                (cmd as object).constructor.name === 'DescribeNatGatewaysCommand'
              ) {
                const gws =
                  (out as { NatGateways?: { NatGatewayId?: string }[] }).NatGateways ?? [];
                return {
                  ...(out as object),
                  NatGateways: gws.map((g) =>
                    g.NatGatewayId === gw ? { ...g, State: 'failed' } : g,
                  ),
                };
              }
              return out;
            },
          };
        },
        around: async (t, call) => {
          if (t.state !== 'Rollback') return call();
          if (gone === 'deleted')
            await w.ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: gw }));
          if (gone === 'unreadable') throw hard('NatGatewayNotFound');
          return call();
        },
      });
      gw = w.zones[0]!.gateway;
      const e = await w.run('ReplaceInstances', { reason: `standby ${gone}` });
      const z = w.zones[0]!;
      expect([e.r.status, e.r.error]).toEqual(['FAILED', 'ZoneFailed']);
      expect(zoneReasons(e.r)[z.zone]).toContain(
        `standby gateway ${gw} is not available: the zone is back on its old instance ${z.instanceId}`,
      );
      expect(Object.values(await where(w))).toEqual(w.zones.map(() => ['old', 'old']));
      expect(await stateOf(w, bad.launched[0]!)).toBe('terminated');
      expect(await eipHolder(w.ec2, w.eips[z.zone]!)).toBe(z.instanceId);
    },
  );

  it.each([0, 1])(
    'the switch failed at table %i and the standby was deleted: every table back on the old instance, its Elastic IP too',
    async (ti) => {
      let gw = '';
      let failedAt = '';
      const w: World = await newWorld({
        around: async (t, call) => {
          const table = (t.input as { RouteTableId?: string }).RouteTableId ?? '';
          if (t.state === 'SwitchReplace' && !failedAt && table === w.zones[0]!.routeTables[ti]) {
            failedAt = table;
            throw hard('InvalidParameterValue');
          }
          if (t.state === 'Rollback')
            await w.ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: gw }));
          return call();
        },
      });
      gw = w.zones[0]!.gateway;
      const e = await w.run('ReplaceInstances', { reason: 'switch fails, no standby' });
      const z = w.zones[0]!;
      expect(failedAt).toBe(z.routeTables[ti]);
      expect([e.r.status, e.r.error]).toEqual(['FAILED', 'ZoneFailed']);
      const why = zoneReasons(e.r)[z.zone]!;
      expect(why).toContain('RouteChangeFailed');
      expect(why).toContain(`back on its old instance ${z.instanceId}`);
      expect(Object.values(await where(w))).toEqual(w.zones.map(() => ['old', 'old']));
      expect(await eipHolder(w.ec2, w.eips[z.zone]!)).toBe(z.instanceId);
      const launched = e.events.some((x) => x.state === 'TerminateNewOld' && x.kind === 'exited');
      expect(launched).toBe(true);
    },
  );
});
