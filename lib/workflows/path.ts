// The path check (ADR 0150): before Fallback or ReplaceInstances moves a zone's routes to a NAT
// instance, the instance runs the health command the checker's auto-fallback runs (its test-nat,
// then the checker's URLs through its own uplink, lib/health.ts) through SSM RunCommand. Only a
// command that ends Success lets the zone move; a failure, a timeout or an instance SSM cannot
// reach goes to `failed` with $.error saying why (the command's stderr tail included).
import type { Environment } from '../config/schema.js';
import { DELIVERY_SECONDS, HEALTH_TIMEOUT_SECONDS, healthCommands } from '../health.js';
import type { States } from './asl.js';
import { awaitCommand, awaitStart, sendCommand, type CommandSpec } from './command.js';

/** The first state of the check, and the prefix of its poll's states. */
export const PATH_CHECK = { start: 'PathCheck', poll: 'PathChecked' } as const;

/** How the commands are marked in SSM's history (the checker reads back only its own). */
export const PATH_COMMENT = 'natfleet path check';

/** Seconds between polls of the command; enough polls to outlast delivery and execution. */
export const PATH_POLL_SECONDS = 3;
export const PATH_MAX_POLLS = Math.ceil(
  (DELIVERY_SECONDS + HEALTH_TIMEOUT_SECONDS) / PATH_POLL_SECONDS,
);

/** The check of the instance at `instance` (a JSONPath): on to `ok`, or to `failed`. */
export function pathCheck(env: Environment, instance: string, ok: string, failed: string): States {
  const spec: CommandSpec = {
    instance,
    commands: healthCommands(env.checker.urls),
    comment: PATH_COMMENT,
    executionSeconds: HEALTH_TIMEOUT_SECONDS,
    what: 'the path check',
    error: 'PathCheck',
    pollSeconds: PATH_POLL_SECONDS,
    maxPolls: PATH_MAX_POLLS,
  };
  return {
    [PATH_CHECK.start]: sendCommand(spec, awaitStart(PATH_CHECK.poll), failed),
    ...awaitCommand(PATH_CHECK.poll, spec, ok, failed),
  };
}
