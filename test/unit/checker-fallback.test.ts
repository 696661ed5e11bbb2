import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  fallbackDecision,
  healthySince,
  MAX_GAP_MS,
  type FallbackFacts,
  type HealthSample,
} from '../../lib/checker/fallback.js';
import { healthCommands } from '../../lib/health.js';
import { tempDir } from '../helpers.js';

const MIN = 60_000;
const NOW = Date.UTC(2026, 10, 23, 4, 0, 0);
/** One result per minute, the last one a minute ago, oldest first. */
const everyMinute = (oks: boolean[]): HealthSample[] =>
  oks.map((ok, i) => ({ at: NOW - (oks.length - i) * MIN, ok }));

const facts = (over: Partial<FallbackFacts> = {}): FallbackFacts => ({
  autoFallback: true,
  mode: 'gateway',
  instance: { instanceId: 'i-0123456789abcdef0', ready: true },
  samples: everyMinute(Array(12).fill(true)),
  now: NOW,
  healthyMinutes: 10,
  ...over,
});

describe('auto-fallback decision', () => {
  it('starts Fallback once the instance has been healthy for healthyMinutes', () => {
    expect(fallbackDecision(facts())).toEqual({
      start: true,
      reason: 'checker: instance i-0123456789abcdef0 healthy for 12 min (≥ 10)',
      healthySince: NOW - 12 * MIN,
    });
  });

  it('waits while the healthy streak is shorter, and keeps collecting results', () => {
    const d = fallbackDecision(facts({ samples: everyMinute([false, ...Array(6).fill(true)]) }));
    expect(d).toEqual({
      start: false,
      reason: 'instance i-0123456789abcdef0 healthy for 6 of 10 min',
      runHealthCommand: true,
      healthySince: NOW - 6 * MIN,
    });
  });

  it('starts the streak again after one bad result (consecutive, not cumulative)', () => {
    const samples = everyMinute([...Array(20).fill(true), false, true, true]);
    expect(healthySince(samples, NOW)).toBe(NOW - 2 * MIN);
    expect(fallbackDecision(facts({ samples })).start).toBe(false);
  });

  it('does not trust a streak with a silence in it, or one that stopped', () => {
    const gap = [
      ...everyMinute(Array(5).fill(true)).map((s) => ({
        ...s,
        at: s.at - 5 * MIN - MAX_GAP_MS - MIN,
      })),
      ...everyMinute(Array(5).fill(true)),
    ];
    expect(healthySince(gap, NOW)).toBe(NOW - 5 * MIN);
    const stale = everyMinute(Array(15).fill(true)).map((s) => ({ ...s, at: s.at - 10 * MIN }));
    expect(healthySince(stale, NOW)).toBeUndefined();
    expect(fallbackDecision(facts({ samples: stale }))).toMatchObject({
      start: false,
      runHealthCommand: true,
      reason: 'instance i-0123456789abcdef0 has no recent good health result',
    });
    expect(healthySince([], NOW)).toBeUndefined();
  });

  it('does nothing when off, on the instance, or without a ready instance', () => {
    expect(fallbackDecision(facts({ autoFallback: false }))).toMatchObject({
      start: false,
      runHealthCommand: false,
      reason: 'auto-fallback is off',
    });
    expect(fallbackDecision(facts({ mode: 'instance' })).reason).toBe(
      'the zone is on its instance',
    );
    expect(fallbackDecision(facts({ mode: undefined })).reason).toBe('the zone mode is not known');
    expect(fallbackDecision(facts({ instance: undefined })).reason).toBe(
      'the zone has no running NAT instance',
    );
    const unready = fallbackDecision(
      facts({ instance: { instanceId: 'i-0123456789abcdef0', ready: false } }),
    );
    expect(unready).toMatchObject({ start: false, runHealthCommand: false });
  });
});

describe('the health command run on the instance', () => {
  // Runs the generated script with bash, a fake test-nat and a fake curl on PATH.
  function run(testNatExit: number, curlExits: number[]) {
    const dir = tempDir('natfleet-health-');
    const testNat = join(dir, 'test-nat');
    writeFileSync(testNat, `#!/bin/sh\nexit ${testNatExit}\n`);
    const log = join(dir, 'curl.log');
    writeFileSync(
      join(dir, 'curl'),
      `#!/bin/bash\necho "$*" >> ${log}\nn=$(wc -l < ${log})\ncodes=(${curlExits.join(' ')})\nexit \${codes[$((n-1))]}\n`,
    );
    chmodSync(testNat, 0o755);
    chmodSync(join(dir, 'curl'), 0o755);
    const script = healthCommands(["https://a.example/it's", 'http://b.example'], testNat).join(
      '\n',
    );
    try {
      execFileSync('bash', ['-c', script], {
        env: { PATH: `${dir}:/usr/bin:/bin` },
        stdio: 'pipe',
      });
      return { code: 0, calls: readLog(log) };
    } catch (e) {
      return { code: (e as { status: number }).status, calls: readLog(log) };
    }
  }
  const readLog = (f: string) => {
    try {
      return execFileSync('cat', [f], { encoding: 'utf8' }).trim().split('\n');
    } catch {
      return [];
    }
  };

  it('passes when test-nat passes and one URL answers', () => {
    const r = run(0, [7, 0]);
    expect(r.code).toBe(0);
    expect(r.calls).toEqual([
      "-4 -sS -o /dev/null --max-time 5 https://a.example/it's",
      '-4 -sS -o /dev/null --max-time 5 http://b.example',
    ]);
  });

  it('fails when test-nat fails, without probing, or when no URL answers', () => {
    expect(run(1, [0, 0])).toEqual({ code: 1, calls: [] });
    expect(run(0, [7, 28]).code).toBe(1);
  });
});
