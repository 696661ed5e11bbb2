// How the labs put faults in the checker's minute (lab/checker-lab.ts): each phase in turn, at a
// random moment of it, in the first minute still ahead; and how a fault's moment is read back
// from the invocations' first rounds. Pure: no namespaces.
import { describe, expect, it } from '@jest/globals';
import {
  invocationStart,
  labMinute,
  minutePhases,
  nextMoment,
  phaseOf,
  type Followed,
} from '../../lab/checker-lab.js';

const round = (at: number, n: number): Followed['lines'][number] => ({
  at: at + 1_000, // a round's line arrives once its probes are done
  text: '',
  json: { type: 'round', round: n, at: new Date(at).toISOString() },
});

describe('the phases of the checker minute', () => {
  it('cover the minute without gaps: the hand-over, the middle, the last 5 s', () => {
    for (const minute of [20_000, 45_000, 60_000]) {
      const p = minutePhases(minute);
      expect(p.map((x) => [x.fromMs, x.toMs])).toEqual([
        [0, 4_000],
        [4_000, minute - 5_000],
        [minute - 5_000, minute],
      ]);
      expect(p[0]!.label).toContain('hand-over');
    }
  });

  it('puts a fault in the asked phase of the first minute still ahead', () => {
    const start = 1_000_000;
    const [handOver, mid, last] = minutePhases(60_000);
    // 10 s into a minute: the hand-over is next minute's, the middle still this one's.
    const now = start + 10_000;
    expect(nextMoment(start, 60_000, handOver!, now, () => 0.5)).toBe(start + 62_000);
    expect(nextMoment(start, 60_000, mid!, now, () => 0.5)).toBe(start + 29_500);
    expect(nextMoment(start, 60_000, last!, now, () => 0)).toBe(start + 55_000);
    // Minutes later, the same phase of the current minute.
    const later = start + 5 * 60_000 + 1_000;
    expect(nextMoment(start, 60_000, last!, later, () => 0.2)).toBe(start + 5 * 60_000 + 56_000);
    // Never in the past, never more than a minute and a little ahead, at any moment.
    for (let t = start; t < start + 3 * 60_000; t += 1_700)
      for (const p of [handOver!, mid!, last!])
        for (const r of [0, 0.37, 0.999]) {
          const m = nextMoment(start, 60_000, p, t, () => r);
          expect(m).toBeGreaterThan(t);
          expect(m - t).toBeLessThanOrEqual(60_000 + 200);
          const phase = phaseOf(m, start, 60_000);
          expect(phase).toBeGreaterThanOrEqual(p.fromMs);
          expect(phase).toBeLessThan(p.toMs);
        }
  });

  it('reads a moment back against the latest invocation that had started', () => {
    const lines = [round(5_000, 1), round(6_000, 2), round(65_000, 1), round(66_000, 2)];
    expect(invocationStart(lines, 64_000)).toBe(5_000);
    expect(invocationStart(lines, 65_000)).toBe(65_000);
    expect(invocationStart(lines, 200_000)).toBe(65_000);
    expect(invocationStart(lines, 4_000)).toBeUndefined();
    expect(invocationStart([{ at: 1, text: 'x' }], 10)).toBeUndefined();
    expect(phaseOf(67_500, 65_000, 60_000)).toBe(2_500);
    expect(phaseOf(64_000, 5_000, 60_000)).toBe(59_000);
    expect(phaseOf(4_000, 5_000, 60_000)).toBe(59_000);
  });

  it('takes the lab minute from BENCH_LAB_MINUTE_MS, and names a bad one', () => {
    expect(labMinute(undefined)).toBe(20_000);
    expect(labMinute('')).toBe(20_000);
    expect(labMinute('60000')).toBe(60_000);
    for (const bad of ['abc', '1000', '90000', '20000.5'])
      expect(() => labMinute(bad)).toThrow(
        `BENCH_LAB_MINUTE_MS: expected milliseconds from 15000 to 60000, got "${bad}"`,
      );
  });
});
