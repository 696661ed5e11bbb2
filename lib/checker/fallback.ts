// Auto-fallback (off by default): when may a failed-over zone go back to its NAT instance?
// No route points at the instance, so the checker cannot probe through it. Instead the
// instance checks itself: each invocation runs the health command on it through SSM (its
// test-nat, then a probe of the checker's URLs from the instance). SSM keeps each run's result,
// which makes the command history the record of how long the instance has been healthy,
// and the checker needs no state of its own (ADR 0040).
import type { Mode } from '../fleet.js';

export interface HealthSample {
  /** When the health command ran on the instance (ms since the epoch). */
  at: number;
  ok: boolean;
}

/** Results older than this do not count: the instance is not known to be healthy now. */
export const MAX_SAMPLE_AGE_MS = 3 * 60_000;
/** A longer silence between two results breaks a healthy streak (e.g. while on the instance). */
export const MAX_GAP_MS = 3 * 60_000;
/** How the checker marks its health commands, so that it reads back only its own. */
export const HEALTH_COMMENT = 'natfleet health';

export interface FallbackFacts {
  autoFallback: boolean;
  /** The zone's mode, if EC2 could be read. */
  mode?: Mode;
  /** The zone's NAT instance: ready = running, status checks ok, source/dest check off. */
  instance?: { instanceId: string; ready: boolean };
  samples: readonly HealthSample[];
  now: number;
  healthyMinutes: number;
}

export type FallbackDecision =
  | { start: true; reason: string; healthySince: number }
  | { start: false; reason: string; healthySince?: number; runHealthCommand: boolean };

/** When the run of good results that ends with the latest one began, if it is still going. */
export function healthySince(samples: readonly HealthSample[], now: number): number | undefined {
  const byTime = [...samples].sort((a, b) => a.at - b.at);
  let i = byTime.length - 1;
  const last = byTime[i];
  if (!last || !last.ok || now - last.at > MAX_SAMPLE_AGE_MS) return undefined;
  while (i > 0) {
    const before = byTime[i - 1]!;
    if (!before.ok || byTime[i]!.at - before.at > MAX_GAP_MS) break;
    i--;
  }
  return byTime[i]!.at;
}

export function fallbackDecision(f: FallbackFacts): FallbackDecision {
  const no = (reason: string, runHealthCommand = false, since?: number): FallbackDecision => ({
    start: false,
    reason,
    runHealthCommand,
    ...(since !== undefined ? { healthySince: since } : {}),
  });
  if (!f.autoFallback) return no('auto-fallback is off');
  if (f.mode !== 'gateway') {
    return no(f.mode ? 'the zone is on its instance' : 'the zone mode is not known');
  }
  if (!f.instance) return no('the zone has no running NAT instance');
  if (!f.instance.ready) {
    return no(`instance ${f.instance.instanceId} is not ready (status checks, source/dest check)`);
  }
  const since = healthySince(f.samples, f.now);
  const wanted = f.healthyMinutes * 60_000;
  if (since === undefined) {
    return no(`instance ${f.instance.instanceId} has no recent good health result`, true);
  }
  const minutes = Math.floor((f.now - since) / 60_000);
  if (f.now - since < wanted) {
    return no(
      `instance ${f.instance.instanceId} healthy for ${minutes} of ${f.healthyMinutes} min`,
      true,
      since,
    );
  }
  return {
    start: true,
    reason: `checker: instance ${f.instance.instanceId} healthy for ${minutes} min (≥ ${f.healthyMinutes})`,
    healthySince: since,
  };
}
