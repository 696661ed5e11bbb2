// Sizing facts shared by the stacks, the checker and the cost estimate.
export const CHECKER_MEMORY_MB = 128;
/** The checker probes for this long per one-minute invocation. */
export const CHECKER_PROBE_SECONDS = 55;
export const CHECKER_TIMEOUT_SECONDS = 60;
/** ProbeSuccess (1/0), ProbeLatency, FailedRounds, FailoversStarted, OnInstance (lib/checker/metrics.ts). */
export const CHECKER_METRICS_PER_ZONE = 5;
export const CHECKER_INVOCATIONS_PER_MONTH = 60 * 730;
/** Lambda runtime and architecture of the checker (Node.js 22 or newer, Graviton). */
export const CHECKER_RUNTIME = 'nodejs22.x';
export const CHECKER_LOG_RETENTION_DAYS = 30;
/** A zone still on its standby gateway after this long alerts the operator. */
export const ON_GATEWAY_ALARM_MINUTES = 60;
/** Longest `reason` a workflow run takes: one constant for the CLI, the action and the checker. */
export const REASON_MAX_LENGTH = 200;
