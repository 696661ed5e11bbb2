// One checker invocation: probe rounds until the time is up, and a Failover start once the
// zone has failed `unhealthyThreshold` rounds in a row.
import type { Mode } from '../fleet.js';
import { failoverExecutionName, fallbackExecutionName } from '../names.js';
import { fallbackDecision, type FallbackFacts } from './fallback.js';
import { probeUrl, type Clock, type HttpGet, type ProbeResult } from './probe.js';
import type { CheckerSettings } from './settings.js';
import { REASON_MAX_LENGTH } from '../defaults.js';

/** Executions started within one bucket share a name, so only the first one starts. */
export const EXECUTION_BUCKET_MS = 5 * 60_000;
/** Time kept back from the Lambda's remaining time for the failover call and the last logs. */
export const RESERVE_MS = 4_000;

export const bucketStart = (ms: number) =>
  new Date(Math.floor(ms / EXECUTION_BUCKET_MS) * EXECUTION_BUCKET_MS);

export interface Round {
  round: number;
  ok: boolean;
  consecutiveFailures: number;
  probes: ProbeResult[];
}

/**
 * "already-started": a running execution has this name and input (Step Functions answers a
 * repeat with it). "name-taken": the name is used otherwise (closed, or other input).
 */
export type StartOutcome = 'started' | 'already-started' | 'name-taken';

/** Names asked for in one bucket at most: each one needs a whole outage and its undoing. */
export const MAX_GENERATIONS = 8;

export interface FailoverInput {
  zones: string[];
  reason: string;
}

export interface CheckerMetrics {
  /** One round with its probes: one EMF document per round, whatever the number of URLs. */
  round(r: Round): Promise<void>;
  mode(m: Mode): Promise<void>;
  failoverStarted(): Promise<void>;
}

export interface CheckerDeps {
  clock: Clock;
  get: HttpGet;
  /** The zone's mode from its route tables; rejects when EC2 cannot be reached. */
  readMode(): Promise<Mode>;
  startExecution(arn: string, name: string, input: FailoverInput): Promise<StartOutcome>;
  metrics: CheckerMetrics;
  /** Writes one JSON log line. */
  log(line: Record<string, unknown>): void;
  /** Auto-fallback's view of the zone's instance; only called when auto-fallback is on. */
  fallback?: {
    facts(healthyMinutes: number): Promise<Pick<FallbackFacts, 'instance' | 'samples'>>;
    runHealthCommand(instanceId: string): Promise<void>;
  };
}

export interface FallbackOutcome {
  action: 'started' | 'already-started' | 'waiting' | 'none' | 'error';
  reason: string;
  name?: string;
}

export type FailoverDecision =
  | { action: 'started' | 'already-started'; name: string; input: FailoverInput }
  | { action: 'skipped'; reason: string }
  | { action: 'error'; name: string; error: string };

export interface InvocationSummary {
  zone: string;
  rounds: number;
  failedRounds: number;
  /** The mode read at the start, if EC2 answered. */
  mode?: Mode;
  failover?: FailoverDecision;
  fallback?: FallbackOutcome;
  stoppedBy: 'time' | 'failover';
}

const safe = async (p: Promise<unknown>, log: CheckerDeps['log'], what: string) => {
  try {
    await p;
  } catch (e) {
    log({ type: 'warning', what, error: e instanceof Error ? e.message : String(e) });
  }
};

export async function runInvocation(
  s: CheckerSettings,
  deps: CheckerDeps,
  remainingMs: () => number,
): Promise<InvocationSummary> {
  const { clock, log, metrics } = deps;
  const t0 = clock.now();
  const budget = Math.min(s.probeSeconds * 1000, remainingMs() - RESERVE_MS);
  const deadline = t0 + budget;
  const timeoutMs = s.timeoutSeconds * 1000;
  const intervalMs = s.intervalSeconds * 1000;
  const summary: InvocationSummary = {
    zone: s.zone,
    rounds: 0,
    failedRounds: 0,
    stoppedBy: 'time',
  };

  // Read the mode while probing: when the NAT is dead EC2 may be unreachable, and that wait
  // must not delay detection.
  const startMode = deps.readMode().then(
    async (m) => {
      summary.mode = m;
      await safe(metrics.mode(m), log, 'mode metric');
      return m;
    },
    (e: unknown) => {
      log({ type: 'warning', what: 'reading the zone mode', error: String(e) });
      return undefined;
    },
  );

  let consecutive = 0;
  let decided = false;
  // Rounds keep a fixed cadence from t0; a round starts only if it can end before the deadline.
  for (let planned = t0; planned + timeoutMs <= deadline; planned += intervalMs) {
    await clock.sleep(planned - clock.now());
    const started = clock.now();
    const probes = await Promise.all(s.urls.map((u) => probeUrl(deps.get, clock, u, timeoutMs)));
    const ok = probes.some((p) => p.ok);
    consecutive = ok ? 0 : consecutive + 1;
    summary.rounds++;
    if (!ok) summary.failedRounds++;
    const round: Round = { round: summary.rounds, ok, consecutiveFailures: consecutive, probes };
    log({
      type: 'round',
      environment: s.environment,
      zone: s.zone,
      ...round,
      at: new Date(started).toISOString(),
    });
    await safe(metrics.round(round), log, 'round metric');

    if (!decided && consecutive >= s.unhealthyThreshold) {
      decided = true;
      summary.failover = await decideFailover(s, deps, summary.mode);
      log({ type: 'failover', zone: s.zone, ...summary.failover });
      const action = summary.failover.action;
      // A failed start is tried again after the next failed round.
      if (action === 'error') decided = false;
      if (action === 'started') await safe(metrics.failoverStarted(), log, 'failover metric');
      if (action === 'started' || action === 'already-started') {
        summary.stoppedBy = 'failover';
        break;
      }
    }
  }
  await startMode;
  if (s.autoFallback && deps.fallback && summary.stoppedBy === 'time') {
    summary.fallback = await checkFallback(s, deps, summary.mode);
    log({ type: 'fallback', zone: s.zone, ...summary.fallback });
  }
  log({ type: 'summary', environment: s.environment, ...summary, ms: clock.now() - t0 });
  if (summary.failover?.action === 'error') {
    // Fail the invocation so that the Lambda's Errors metric (and its alarm) sees it.
    throw new Error(`could not start Failover for ${s.zone}: ${summary.failover.error}`);
  }
  return summary;
}

async function decideFailover(
  s: CheckerSettings,
  deps: CheckerDeps,
  modeAtStart: Mode | undefined,
): Promise<FailoverDecision> {
  // Trust "instance" (or no answer yet) from the start of the invocation: starting at once is
  // what matters, and Failover is idempotent. "gateway" is read again: a Fallback may have run.
  if (modeAtStart === 'gateway') {
    const now = await deps.readMode().catch(() => undefined);
    if (now === 'gateway') {
      return { action: 'skipped', reason: 'the zone is already on its gateway' };
    }
  }
  // The input is the same for every checker of this zone and outage: Step Functions then
  // answers a repeat of a running execution with it, which tells "in flight" from "closed".
  // Each round's errors are in the round logs.
  const input: FailoverInput = {
    zones: [s.zone],
    reason: `checker: ${s.unhealthyThreshold} consecutive failed probe rounds in ${s.zone}`.slice(
      0,
      REASON_MAX_LENGTH,
    ),
  };
  const bucket = bucketStart(deps.clock.now());
  // A taken name whose execution is closed and whose zone still reads as on its instance did
  // not hold (the zone was fallen back, or the run failed): the next generation's name is asked.
  // A mode that cannot be read counts as not held: a second Failover is harmless, none is not.
  const held = async () => (await deps.readMode().catch(() => undefined)) === 'gateway';
  const r = await startGeneration(deps, s.failoverArn, input, held, (g) =>
    failoverExecutionName(s.zone, bucket, g),
  );
  return r.action === 'error' ? r : { ...r, input };
}

type GenerationOutcome =
  | { action: 'started' | 'already-started'; name: string }
  | { action: 'error'; name: string; error: string };

/**
 * Starts under the first name of the bucket whose execution is not known to be closed and
 * held: a running one of the same input is this outage's, so it is "already-started".
 * "Held" is read once, beside the first start: a taken generation then costs one call, not
 * two in a row (a zone that fails again within its bucket fails over as fast as the first time).
 */
async function startGeneration(
  deps: CheckerDeps,
  arn: string,
  input: FailoverInput,
  held: () => Promise<boolean>,
  nameOf: (generation: number) => string,
): Promise<GenerationOutcome> {
  let name = nameOf(0);
  const heldNow = held().then(
    (h) => ({ h }),
    (e: unknown) => ({ e }),
  );
  try {
    for (let g = 0; g < MAX_GENERATIONS; g++) {
      name = nameOf(g);
      const outcome = await deps.startExecution(arn, name, input);
      if (outcome !== 'name-taken') return { action: outcome, name };
      const r = await heldNow;
      if ('e' in r) throw r.e;
      if (r.h) return { action: 'already-started', name };
      deps.log({ type: 'name-taken', name, next: g + 1 < MAX_GENERATIONS });
    }
    return { action: 'error', name, error: `all ${MAX_GENERATIONS} names of the bucket are taken` };
  } catch (e) {
    return { action: 'error', name, error: e instanceof Error ? e.message : String(e) };
  }
}

/** Auto-fallback's step, once per invocation; its failures are logged, never thrown. */
async function checkFallback(
  s: CheckerSettings,
  deps: CheckerDeps,
  mode: Mode | undefined,
): Promise<FallbackOutcome> {
  const fb = deps.fallback!;
  try {
    const { instance, samples } =
      mode === 'gateway' ? await fb.facts(s.healthyMinutes) : { instance: undefined, samples: [] };
    const d = fallbackDecision({
      autoFallback: s.autoFallback,
      ...(mode ? { mode } : {}),
      ...(instance ? { instance } : {}),
      samples,
      now: deps.clock.now(),
      healthyMinutes: s.healthyMinutes,
    });
    if (d.start) {
      const bucket = bucketStart(deps.clock.now());
      // A fixed reason keeps the input the same for every checker (see decideFailover).
      const input = {
        zones: [s.zone],
        reason: `checker: ${s.zone} healthy for ${s.healthyMinutes} min`,
      };
      // Fallback is optional: a mode that cannot be read stops here rather than start twice.
      const held = async () =>
        (await deps.readMode().catch(() => 'instance' as const)) === 'instance';
      const r = await startGeneration(deps, s.fallbackArn!, input, held, (g) =>
        fallbackExecutionName(s.zone, bucket, g),
      );
      if (r.action === 'error') return { action: 'error', reason: r.error, name: r.name };
      return { action: r.action, reason: d.reason, name: r.name };
    }
    if (d.runHealthCommand && instance) {
      await fb.runHealthCommand(instance.instanceId);
      return { action: 'waiting', reason: d.reason };
    }
    return { action: 'none', reason: d.reason };
  } catch (e) {
    return { action: 'error', reason: e instanceof Error ? e.message : String(e) };
  }
}
