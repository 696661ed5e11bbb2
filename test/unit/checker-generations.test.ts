// A zone that fails again within one execution bucket after a Failover (or Fallback) was undone
// gets a new execution under the bucket's next generation name; overlapping checkers of one
// outage still start one (ADR 0095).
import { describe, expect, it } from '@jest/globals';
import { bucketStart, MAX_GENERATIONS, runInvocation } from '../../lib/checker/invocation.js';
import type { CheckerSettings } from '../../lib/checker/settings.js';
import type { Mode } from '../../lib/fleet.js';
import { failoverExecutionName, fallbackExecutionName } from '../../lib/names.js';
import {
  checkerSettings,
  FakeClock,
  fakeDeps,
  fakeStepFunctions,
  type Behaviour,
} from '../checker-fakes.js';

const ARN = checkerSettings().failoverArn;
const FALLBACK = ARN.replace('Failover', 'Fallback');
const settings = (over: Partial<CheckerSettings> = {}) =>
  checkerSettings({ zone: 'eu-west-1b', probeSeconds: 20, ...over });
const refused: Behaviour = { refuse: true, ms: 5 };
const ok: Behaviour = { status: 200, ms: 30 };

/** One zone: its route state, and the Step Functions that every checker of it shares. */
function zone(start: number) {
  const clock = new FakeClock(start);
  const sfn = fakeStepFunctions();
  const state = { mode: 'instance' as Mode, web: refused };
  const run = (over: Partial<CheckerSettings> = {}) => {
    const f = fakeDeps(clock, () => state.web, { sfn, mode: () => state.mode });
    const t = clock.now();
    return { f, done: runInvocation(settings(over), f.deps, () => t + 25_000 - clock.now()) };
  };
  /** Executions that took the bucket's first `count` Failover names. */
  const takeNames = (bucket: Date, count: number, reason: string) => {
    for (let g = 0; g < count; g++) {
      sfn.started.push({
        arn: ARN,
        name: failoverExecutionName('eu-west-1b', bucket, g),
        input: { zones: ['eu-west-1b'], reason },
      });
    }
  };
  return { clock, sfn, state, run, takeNames };
}

describe('execution generations within one bucket', () => {
  // 03:10:00 starts a bucket; every step below stays inside it.
  const t0 = Date.UTC(2026, 10, 23, 3, 10, 0);
  const bucket = bucketStart(t0);

  it('fails over, is fallen back, fails again in the same bucket: a second Failover starts', async () => {
    const z = zone(t0);
    const a = z.run();
    expect((await z.clock.run(a.done)).failover).toMatchObject({
      action: 'started',
      name: failoverExecutionName('eu-west-1b', bucket),
    });
    // The Failover lands and closes; an operator falls back; the NAT fails again.
    z.state.mode = 'gateway';
    z.sfn.closeAll();
    await z.clock.run(z.clock.sleep(60_000));
    z.state.mode = 'instance';
    for (const generation of [1, 2, 3]) {
      const b = z.run();
      const s = await z.clock.run(b.done);
      expect(s.failover).toMatchObject({
        action: 'started',
        name: failoverExecutionName('eu-west-1b', bucket, generation),
      });
      expect(b.f.seen.failovers).toBe(1);
      z.sfn.closeAll(); // landed, then fallen back again
      await z.clock.run(z.clock.sleep(20_000));
    }
    expect(z.clock.now()).toBeLessThan(t0 + 5 * 60_000);
    expect(z.sfn.started.map((x) => x.name)).toEqual([
      failoverExecutionName('eu-west-1b', bucket),
      failoverExecutionName('eu-west-1b', bucket, 1),
      failoverExecutionName('eu-west-1b', bucket, 2),
      failoverExecutionName('eu-west-1b', bucket, 3),
    ]);
  });

  it('two overlapping invocations of one outage start one Failover, also after a re-fault', async () => {
    const z = zone(t0);
    z.sfn.started.push({
      arn: ARN,
      name: failoverExecutionName('eu-west-1b', bucket),
      input: { zones: ['eu-west-1b'], reason: 'an earlier outage, fallen back since' },
    });
    z.sfn.closeAll();
    const a = z.run();
    await z.clock.run(z.clock.sleep(1_000));
    const b = z.run(); // the same moment of the outage, one second later
    const [sa, sb] = await z.clock.run(Promise.all([a.done, b.done]));
    const name = failoverExecutionName('eu-west-1b', bucket, 1);
    expect([sa.failover, sb.failover]).toEqual([
      expect.objectContaining({ action: 'started', name }),
      expect.objectContaining({ action: 'already-started', name }),
    ]);
    expect(z.sfn.started).toHaveLength(2); // the earlier one and this outage's
  });

  it('a closed Failover that holds is already-started: nothing new while the zone is on its gateway', async () => {
    const z = zone(t0);
    const a = z.run();
    await z.clock.run(a.done);
    z.sfn.closeAll();
    // A checker that read "instance" before the routes moved and fails its threshold after.
    const b = z.run();
    await z.clock.run(z.clock.sleep(1_000));
    z.state.mode = 'gateway';
    const s = await z.clock.run(b.done);
    expect(s.failover).toMatchObject({ action: 'already-started' });
    expect(z.sfn.started).toHaveLength(1);
  });

  it('reads the zone once per decision, beside the first start, however many names are taken', async () => {
    for (const taken of [0, 1, 3, 6]) {
      const z = zone(t0);
      z.takeNames(bucket, taken, 'an earlier outage, fallen back since');
      z.sfn.closeAll();
      const a = z.run();
      const s = await z.clock.run(a.done);
      expect(s.failover).toMatchObject({
        action: 'started',
        name: failoverExecutionName('eu-west-1b', bucket, taken),
      });
      // One read when the invocation starts, one for the decision.
      expect(a.f.modeReads()).toBe(2);
      // The decision waits for one read (50 ms here), not one per taken name (the last round
      // is refused within 5 ms).
      const rounds = a.f.lines.filter((l) => l.type === 'round');
      const lastRound = Date.parse(String(rounds.at(-1)!.at));
      const summary = a.f.lines.find((l) => l.type === 'summary')!;
      expect(t0 + Number(summary.ms) - lastRound).toBeLessThanOrEqual(100);
    }
  });

  it('stops after MAX_GENERATIONS taken names and fails the invocation', async () => {
    const z = zone(t0);
    z.takeNames(bucket, MAX_GENERATIONS, 'x');
    const a = z.run({ probeSeconds: 8 });
    await expect(z.clock.run(a.done)).rejects.toThrow(
      `could not start Failover for eu-west-1b: all ${MAX_GENERATIONS} names of the bucket are taken`,
    );
    expect(z.sfn.started).toHaveLength(MAX_GENERATIONS);
  });

  it('Fallback names: a second Fallback in the same bucket, and one start for overlapping checkers', async () => {
    const z = zone(t0);
    z.state.web = ok;
    z.state.mode = 'gateway';
    const on = { autoFallback: true, fallbackArn: FALLBACK };
    const healthy = (f: ReturnType<typeof z.run>['f']) => {
      f.deps.fallback = {
        facts: async () => ({
          instance: { instanceId: 'i-0123456789abcdef0', ready: true },
          samples: Array.from({ length: 12 }, (_, i) => ({
            at: z.clock.now() - (i + 1) * 60_000,
            ok: true,
          })),
        }),
        runHealthCommand: async () => {},
      };
    };
    const a = z.run(on);
    healthy(a.f);
    expect((await z.clock.run(a.done)).fallback).toMatchObject({
      action: 'started',
      name: fallbackExecutionName('eu-west-1b', bucket),
    });
    z.sfn.closeAll(); // it landed, then the zone failed over again and stays on its gateway
    const b = z.run(on);
    healthy(b.f);
    const c = z.run(on);
    healthy(c.f);
    const [sb, sc] = await z.clock.run(Promise.all([b.done, c.done]));
    const name = fallbackExecutionName('eu-west-1b', bucket, 1);
    expect([sb.fallback?.action, sc.fallback?.action].sort()).toEqual([
      'already-started',
      'started',
    ]);
    expect([sb.fallback?.name, sc.fallback?.name]).toEqual([name, name]);
    expect(z.sfn.started.map((x) => x.arn)).toEqual([FALLBACK, FALLBACK]);
  });

  it('numbers generations in the name, and refuses a bad one', () => {
    expect(failoverExecutionName('eu-west-1b', bucket, 2)).toBe(
      'natfleet-failover-eu-west-1b-20261123T031000Z-g2',
    );
    expect(() => failoverExecutionName('eu-west-1b', bucket, -1)).toThrow('not a generation');
  });
});
