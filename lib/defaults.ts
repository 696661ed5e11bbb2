// Sizing facts shared by the stacks, the checker and the cost estimate.
export const CHECKER_MEMORY_MB = 128;
/** The checker probes for this long per one-minute invocation. */
export const CHECKER_PROBE_SECONDS = 55;
export const CHECKER_TIMEOUT_SECONDS = 60;
/** ProbeSuccess (1/0), ProbeLatency, FailedRounds, FailoversStarted, OnInstance (lib/checker/metrics.ts). */
export const CHECKER_METRICS_PER_ZONE = 5;
export const CHECKER_INVOCATIONS_PER_MONTH = 60 * 730;
