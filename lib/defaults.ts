// Sizing facts shared by the stacks, the checker and the cost estimate.
export const CHECKER_MEMORY_MB = 128;
/**
 * The checker probes for this long per one-minute invocation: past the next invocation's start,
 * so that the two overlap and no moment of the minute goes unprobed (ADR 0096).
 */
export const CHECKER_PROBE_SECONDS = 64;
/** The Lambda timeout: the probing, the reserve for the failover call and the cold start. */
export const CHECKER_TIMEOUT_SECONDS = 70;
/** Two invocations of a zone's checker overlap for a few seconds every minute. */
export const CHECKER_CONCURRENCY = 2;
/**
 * Failed rounds in a minute that trip the failed-rounds alarm (the second path to Failover):
 * half the minute's rounds, and never fewer than the threshold. Scattered failures (a
 * flapping site, a slow resolver) stay below it at a one-second rhythm; a dead NAT fails
 * every round.
 */
export const alarmFailedRounds = (intervalSeconds: number, threshold: number) =>
  Math.max(threshold, Math.ceil(Math.floor(60 / intervalSeconds) / 2));
/** ProbeSuccess (1/0), ProbeLatency, FailedRounds, FailoversStarted, OnInstance (lib/checker/metrics.ts). */
export const CHECKER_METRICS_PER_ZONE = 5;
export const CHECKER_INVOCATIONS_PER_MONTH = 60 * 730;
/**
 * The checker's log volume per round: one JSON round line and one EMF document (all of the
 * round's probes in one, lib/checker/metrics.ts), bytes with two URLs as measured from the
 * real lines (test/unit/checker-metrics.test.ts keeps these true); plus per invocation the
 * Lambda's START/END/REPORT lines, the mode document and the summary line.
 */
export const CHECKER_LOG = {
  linesPerRound: 2,
  bytesPerRound: 780,
  bytesPerInvocation: 900,
} as const;
/** Lambda runtime and architecture of the checker (Node.js 22 or newer, Graviton). */
export const CHECKER_RUNTIME = 'nodejs22.x';
export const CHECKER_LOG_RETENTION_DAYS = 30;
/** A zone still on its standby gateway after this long alerts the operator. */
export const ON_GATEWAY_ALARM_MINUTES = 60;
/** Longest `reason` a workflow run takes: one constant for the CLI, the action and the checker. */
export const REASON_MAX_LENGTH = 200;
