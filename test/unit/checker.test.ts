import { describe, expect, it } from '@jest/globals';
import {
  bucketStart,
  EXECUTION_BUCKET_MS,
  runInvocation,
  type InvocationSummary,
} from '../../lib/checker/invocation.js';
import type { CheckerSettings } from '../../lib/checker/settings.js';
import { failoverExecutionName, fallbackExecutionName } from '../../lib/names.js';
import {
  checkerSettings,
  FakeClock,
  fakeDeps,
  fakeStepFunctions,
  type Behaviour,
} from '../checker-fakes.js';

const A = 'https://a.example';
const B = 'http://b.example/health';
const ARN = checkerSettings().failoverArn;

const settings = (over: Partial<CheckerSettings> = {}) =>
  checkerSettings({ urls: [A, B], unhealthyThreshold: 3, ...over });

const ok: Behaviour = { status: 200, ms: 30 };
const refused: Behaviour = { refuse: true, ms: 5 };
const up = () => ok;
const down = () => refused;

/** Runs one invocation on the fake clock; remaining time counts down with it like Lambda's. */
async function invoke(
  clock: FakeClock,
  s: CheckerSettings,
  f: ReturnType<typeof fakeDeps>,
  remainingMs = 60_000,
): Promise<InvocationSummary> {
  const end = clock.now() + remainingMs;
  return clock.run(runInvocation(s, f.deps, () => end - clock.now()));
}

const rounds = (f: ReturnType<typeof fakeDeps>) => f.lines.filter((l) => l.type === 'round');

describe('checker invocation', () => {
  it('probes every interval for 55 s while the NAT works, and starts nothing', async () => {
    const clock = new FakeClock();
    const t0 = clock.now();
    const f = fakeDeps(clock, up);
    const s = await invoke(clock, settings(), f);
    expect(s).toMatchObject({ rounds: 11, failedRounds: 0, stoppedBy: 'time', mode: 'instance' });
    expect(s.failover).toBeUndefined();
    // Both URLs at once, every 5 s, the last round starting where it can still end in time.
    const starts = [...new Set(f.web.calls.map((c) => c.at - t0))];
    expect(starts).toEqual([0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50].map((x) => x * 1000));
    expect(f.web.calls.filter((c) => c.at === t0).map((c) => c.url)).toEqual([A, B]);
    expect(rounds(f)).toHaveLength(11);
    expect(f.seen.modes).toEqual(['instance']);
    expect(f.sfn.calls).toEqual([]);
  });

  it('starts Failover once after unhealthyThreshold failed rounds, then stops probing', async () => {
    const clock = new FakeClock();
    const t0 = clock.now();
    const f = fakeDeps(clock, down);
    const s = await invoke(clock, settings(), f);
    expect(s).toMatchObject({ rounds: 3, failedRounds: 3, stoppedBy: 'failover' });
    const name = failoverExecutionName('eu-west-1a', bucketStart(t0 + 10_000));
    expect(f.sfn.started).toEqual([
      {
        arn: ARN,
        name,
        input: { zones: ['eu-west-1a'], reason: expect.stringContaining('3 consecutive failed') },
      },
    ]);
    // The same input for every checker of the outage; each round's errors are in its log line.
    expect(f.sfn.started[0]!.input.reason).toBe(
      'checker: 3 consecutive failed probe rounds in eu-west-1a',
    );
    expect(rounds(f)[2]!.probes).toContainEqual(expect.objectContaining({ url: A, ok: false }));
    expect(f.seen.failovers).toBe(1);
    expect(Math.max(...f.web.calls.map((c) => c.at - t0))).toBe(10_000);
    expect(f.lines.find((l) => l.type === 'failover')).toMatchObject({
      action: 'started',
      name,
    });
  });

  it('honours a threshold of 1 and of 5', async () => {
    for (const threshold of [1, 5]) {
      const clock = new FakeClock();
      const f = fakeDeps(clock, down);
      const s = await invoke(clock, settings({ unhealthyThreshold: threshold }), f);
      expect(s.rounds).toBe(threshold);
      expect(f.sfn.started).toHaveLength(1);
    }
  });

  it('counts consecutive failed rounds, not all of them', async () => {
    const clock = new FakeClock();
    const t0 = clock.now();
    // Two bad rounds, one good, over and over: 8 failed rounds, never 3 in a row.
    const f = fakeDeps(clock, (_u, t) => (Math.round((t - t0) / 5000) % 3 === 2 ? ok : refused));
    const s = await invoke(clock, settings(), f);
    expect(s.rounds).toBe(11);
    expect(s.failedRounds).toBe(8);
    expect(s.failover).toBeUndefined();
    expect(rounds(f).map((r) => r.consecutiveFailures)).toEqual([1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2]);
  });

  it('does not count a round as failed when only one URL is down', async () => {
    const clock = new FakeClock();
    const f = fakeDeps(clock, (u) => (u === A ? refused : { status: 503, ms: 40 }));
    const s = await invoke(clock, settings(), f);
    expect(s.failedRounds).toBe(0);
    expect(f.sfn.calls).toEqual([]);
    // The dead URL is still reported per probe; a 503 is an answer, so it is a success.
    expect(f.seen.probes.filter((p) => p.url === A).every((p) => !p.ok)).toBe(true);
    expect(f.seen.probes.find((p) => p.url === B)).toMatchObject({ ok: true, status: 503 });
  });

  it('fails a probe that gets no answer within the timeout, and passes a slow one', async () => {
    const clock = new FakeClock();
    const f = fakeDeps(clock, (u) => (u === A ? 'hang' : { status: 200, ms: 2_500 }));
    const s = await invoke(clock, settings(), f);
    expect(s).toMatchObject({ rounds: 3, stoppedBy: 'failover' });
    expect(f.seen.probes.map((p) => [p.ok, p.ms])).toEqual(Array(6).fill([false, 2_000]));
    expect(f.seen.probes[0]).toMatchObject({ error: 'no answer in 2000 ms' });

    const clock2 = new FakeClock();
    const g = fakeDeps(clock2, () => ({ status: 204, ms: 1_900 }));
    expect((await invoke(clock2, settings(), g)).failedRounds).toBe(0);
    expect(g.seen.probes[0]).toMatchObject({ ok: true, ms: 1_900 });
  });

  it('stays within the time the Lambda context has left', async () => {
    const clock = new FakeClock();
    const t0 = clock.now();
    const f = fakeDeps(clock, up);
    // 20 s left, 4 s kept back: rounds may start at 0, 5 and 10 s (each may last 2 s).
    const s = await invoke(clock, settings(), f, 20_000);
    expect(s.rounds).toBe(3);
    expect(clock.now() - t0).toBeLessThanOrEqual(16_000);

    const clock2 = new FakeClock();
    const g = fakeDeps(clock2, up);
    expect((await invoke(clock2, settings(), g, 5_000)).rounds).toBe(0);

    // probeSeconds bounds it too, when the context has more time.
    const clock3 = new FakeClock();
    const h = fakeDeps(clock3, up);
    expect((await invoke(clock3, settings({ probeSeconds: 12 }), h, 900_000)).rounds).toBe(3);
  });

  it('runs rounds every intervalSeconds, 1 s included', async () => {
    const clock = new FakeClock();
    const f = fakeDeps(clock, up);
    const s = await invoke(clock, settings({ intervalSeconds: 1, timeoutSeconds: 1 }), f);
    expect(s.rounds).toBe(55);
  });

  it('starts nothing for a zone already on its gateway, and keeps probing', async () => {
    const clock = new FakeClock();
    const f = fakeDeps(clock, down, { mode: 'gateway' });
    const s = await invoke(clock, settings(), f);
    expect(s).toMatchObject({ rounds: 11, failedRounds: 11, stoppedBy: 'time', mode: 'gateway' });
    expect(s.failover).toEqual({ action: 'skipped', reason: 'the zone is already on its gateway' });
    expect(f.sfn.calls).toEqual([]);
    expect(f.modeReads()).toBe(2); // read again before deciding, only once per invocation
    expect(f.seen.modes).toEqual(['gateway']);
  });

  it('starts Failover when a Fallback moved the zone back to its instance meanwhile', async () => {
    const clock = new FakeClock();
    const modes = ['gateway', 'instance'] as const;
    let reads = 0;
    const f = fakeDeps(clock, down, { mode: () => modes[Math.min(reads++, 1)]! });
    const s = await invoke(clock, settings(), f);
    expect(s.failover?.action).toBe('started');
  });

  it('starts Failover without waiting when EC2 cannot be reached to read the mode', async () => {
    const clock = new FakeClock();
    const f = fakeDeps(clock, down);
    f.deps.readMode = () =>
      Promise.reject(new Error('connect ETIMEDOUT ec2.eu-west-1.amazonaws.com'));
    const s = await invoke(clock, settings(), f);
    expect(s.failover?.action).toBe('started');
    expect(s.mode).toBeUndefined();
    expect(f.lines.find((l) => l.type === 'warning')).toMatchObject({
      what: 'reading the zone mode',
    });
  });

  it('overlapping invocations start Failover once: the second finds the name taken', async () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 23, 3, 12, 0));
    const sfn = fakeStepFunctions();
    const first = fakeDeps(clock, down, { sfn });
    const t1 = clock.now();
    const run1 = runInvocation(settings(), first.deps, () => t1 + 60_000 - clock.now());
    await clock.run(clock.sleep(2_000)); // the next invocation starts 2 s later
    const second = fakeDeps(clock, down, { sfn });
    const t2 = clock.now();
    const run2 = runInvocation(settings(), second.deps, () => t2 + 60_000 - clock.now());
    const [s1, s2] = await clock.run(Promise.all([run1, run2]));
    expect(s1.failover?.action).toBe('started');
    expect(s2.failover?.action).toBe('already-started');
    expect(sfn.calls).toHaveLength(2);
    expect(sfn.calls[0]).toBe(sfn.calls[1]);
    expect(sfn.started).toHaveLength(1);
    expect(first.seen.failovers + second.seen.failovers).toBe(1);
  });

  it('tries a failed start again after the next failed round, then fails the invocation', async () => {
    const clock = new FakeClock();
    const f = fakeDeps(clock, down);
    f.sfn.failNext(1);
    const s = await invoke(clock, settings(), f);
    expect(s.rounds).toBe(4);
    expect(f.sfn.calls).toHaveLength(2);
    expect(f.sfn.started).toHaveLength(1);

    const clock2 = new FakeClock();
    const g = fakeDeps(clock2, down);
    g.sfn.failNext(100);
    await expect(invoke(clock2, settings(), g)).rejects.toThrow(
      'could not start Failover for eu-west-1a: connect ETIMEDOUT',
    );
    expect(g.sfn.calls.length).toBe(9); // rounds 3 to 11
  });

  it('writes one JSON line per round and a summary', async () => {
    const clock = new FakeClock();
    const f = fakeDeps(clock, (u) => (u === A ? ok : refused));
    await invoke(clock, settings(), f, 20_000);
    expect(f.lines.map((l) => l.type)).toEqual(['round', 'round', 'round', 'summary']);
    expect(f.lines[0]).toEqual({
      type: 'round',
      environment: 'prod',
      zone: 'eu-west-1a',
      round: 1,
      ok: true,
      consecutiveFailures: 0,
      at: '2026-11-23T03:12:00.000Z',
      probes: [
        { url: A, ok: true, status: 200, ms: 30 },
        { url: B, ok: false, error: 'ECONNREFUSED: connect ECONNREFUSED', ms: 5 },
      ],
    });
  });
});

describe('auto-fallback in an invocation', () => {
  const FALLBACK = ARN.replace('Failover', 'Fallback');
  const on = settings({ autoFallback: true, fallbackArn: FALLBACK, healthyMinutes: 10 });
  const instance = { instanceId: 'i-0123456789abcdef0', ready: true };

  function withFallback(
    f: ReturnType<typeof fakeDeps>,
    clock: FakeClock,
    healthyFor: number,
    fail = false,
  ) {
    const commands: string[] = [];
    const asked: number[] = [];
    f.deps.fallback = {
      facts: async (minutes) => {
        asked.push(minutes);
        if (fail) throw new Error('ssm: AccessDenied');
        const samples = Array.from({ length: healthyFor }, (_, i) => ({
          at: clock.now() - (i + 1) * 60_000,
          ok: true,
        }));
        return { instance, samples };
      },
      runHealthCommand: async (id) => void commands.push(id),
    };
    return { commands, asked };
  }

  it('starts Fallback for a zone on its gateway whose instance is healthy long enough', async () => {
    const clock = new FakeClock();
    const f = fakeDeps(clock, up, { mode: 'gateway' });
    const w = withFallback(f, clock, 12);
    const s = await invoke(clock, on, f);
    expect(w.asked).toEqual([10]);
    expect(s.fallback).toMatchObject({ action: 'started' });
    expect(f.sfn.started).toEqual([
      {
        arn: FALLBACK,
        name: fallbackExecutionName('eu-west-1a', bucketStart(clock.now())),
        input: { zones: ['eu-west-1a'], reason: 'checker: eu-west-1a healthy for 10 min' },
      },
    ]);
    expect(w.commands).toEqual([]);
  });

  it('runs the health command on the instance while the streak is too short', async () => {
    const clock = new FakeClock();
    const f = fakeDeps(clock, up, { mode: 'gateway' });
    const w = withFallback(f, clock, 4);
    const s = await invoke(clock, on, f);
    expect(s.fallback).toMatchObject({ action: 'waiting' });
    expect(w.commands).toEqual(['i-0123456789abcdef0']);
    expect(f.sfn.calls).toEqual([]);
  });

  it('leaves zones on their instance alone, and never lets its own errors stop the checker', async () => {
    const clock = new FakeClock();
    const f = fakeDeps(clock, up);
    const w = withFallback(f, clock, 60);
    expect((await invoke(clock, on, f)).fallback).toEqual({
      action: 'none',
      reason: 'the zone is on its instance',
    });
    expect(w.asked).toEqual([]);

    const clock2 = new FakeClock();
    const g = fakeDeps(clock2, up, { mode: 'gateway' });
    withFallback(g, clock2, 60, true);
    expect((await invoke(clock2, on, g)).fallback).toEqual({
      action: 'error',
      reason: 'ssm: AccessDenied',
    });
    expect(g.lines.find((l) => l.type === 'fallback')).toMatchObject({ action: 'error' });

    // Off by default: not even asked.
    const clock3 = new FakeClock();
    const h = fakeDeps(clock3, up, { mode: 'gateway' });
    const x = withFallback(h, clock3, 60);
    expect((await invoke(clock3, settings(), h)).fallback).toBeUndefined();
    expect(x.asked).toEqual([]);
  });
});

describe('failover execution names', () => {
  it('are the same within a time bucket and differ across buckets', () => {
    const t = Date.UTC(2026, 10, 23, 3, 12, 34);
    expect(bucketStart(t).toISOString()).toBe('2026-11-23T03:10:00.000Z');
    expect(bucketStart(t + 60_000)).toEqual(bucketStart(t));
    expect(bucketStart(t + EXECUTION_BUCKET_MS)).not.toEqual(bucketStart(t));
    expect(failoverExecutionName('eu-west-1a', bucketStart(t))).toBe(
      'natfleet-failover-eu-west-1a-20261123T031000Z',
    );
  });

  it('are valid Step Functions names for every zone', () => {
    const name = failoverExecutionName('ap-southeast-2a', bucketStart(Date.now()));
    expect(name).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
    expect(() => failoverExecutionName('eu west 1a', new Date())).toThrow('not a zone name');
  });
});
