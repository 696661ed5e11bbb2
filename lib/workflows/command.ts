// SSM RunCommand from a state machine, written once: SendCommand (AWS-RunShellScript) to one
// instance, then GetCommandInvocation polled, bounded in count and wait, until the command
// ends. The connection handoff (handoff.ts) and the path check (path.ts) run their commands
// through these states.
import type { Json } from '../cfn.js';
import { DELIVERY_SECONDS } from '../health.js';
import type { State, States } from './asl.js';
import { pass, pollAgain, pollStart, task } from './asl.js';

/**
 * SSM's errors worth a retry: the agent of a just-ready instance may not be registered yet
 * (InvalidInstanceId); an invocation is not readable at once after SendCommand. About a minute
 * in all (3 + 4.5 + 6.8 + 10 + 15 + 23 s): an agent still missing then is a failure.
 */
export const SSM_RETRY: Json = [
  {
    ErrorEquals: ['Ssm.InvalidInstanceIdException', 'Ssm.InvocationDoesNotExistException'],
    IntervalSeconds: 3,
    MaxAttempts: 6,
    BackoffRate: 1.5,
  },
];

const withRetry = (s: State): State => ({
  ...s,
  Retry: [...(SSM_RETRY as Json[]), ...((s.Retry as Json[] | undefined) ?? [])],
});

/** What a command is, for its SendCommand and for the words of its failure. */
export interface CommandSpec {
  /** The instance id, a JSONPath. */
  instance: string;
  /** The command lines: a literal list, or a JSONPath expression giving one ('…$' key). */
  commands: string[] | { expression: string };
  comment: string;
  /** SSM's executionTimeout on the instance. */
  executionSeconds: number;
  /** What the failure names: `<what> on i-… ended Failed: <stderr>`. */
  what: string;
  /** The Error of a failure: <error>Failed, <error>TooSlow. */
  error: string;
  /** Polls of the invocation: seconds between, and how many at most. */
  pollSeconds: number;
  maxPolls: number;
}

/** SendCommand of `spec` to its instance; $.cmd.id for the poll. */
export function sendCommand(spec: CommandSpec, next: string, onError: string): State {
  const commands: Record<string, Json> = Array.isArray(spec.commands)
    ? { commands: spec.commands }
    : { 'commands.$': spec.commands.expression };
  return withRetry(
    task(
      'ssm',
      'sendCommand',
      {
        'InstanceIds.$': `States.Array(${spec.instance})`,
        DocumentName: 'AWS-RunShellScript',
        Comment: spec.comment,
        TimeoutSeconds: DELIVERY_SECONDS,
        Parameters: { ...commands, executionTimeout: [String(spec.executionSeconds)] },
      },
      next,
      { ResultSelector: { 'id.$': '$.Command.CommandId' }, ResultPath: '$.cmd', onError },
    ),
  );
}

/** The state names of a poll of the command started at `p`: its first is `${p}Init`. */
export const awaitStart = (p: string) => `${p}Init`;

/**
 * Polls the command at $.cmd.id on the spec's instance until it ends: on to `ok`, or a failure
 * ($.error set, with the command's own stderr) to `failed`.
 */
export function awaitCommand(p: string, spec: CommandSpec, ok: string, failed: string): States {
  const names = {
    start: awaitStart(p),
    count: `${p}Count`,
    patience: `${p}Patience?`,
    pause: `${p}Pause`,
  };
  return {
    ...pollStart(names, `${p}Status`),
    [`${p}Status`]: withRetry(
      task(
        'ssm',
        'getCommandInvocation',
        { 'CommandId.$': '$.cmd.id', 'InstanceId.$': spec.instance },
        `${p}Done?`,
        {
          ResultSelector: { 'status.$': '$.Status', 'said.$': '$.StandardErrorContent' },
          ResultPath: '$.inv',
          onError: failed,
        },
      ),
    ),
    [`${p}Done?`]: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.inv.status', StringEquals: 'Success', Next: ok },
        {
          Or: ['Failed', 'Cancelled', 'TimedOut', 'Cancelling'].map((s) => ({
            Variable: '$.inv.status',
            StringEquals: s,
          })),
          Next: `${p}Failed`,
        },
      ],
      Default: names.count,
    },
    ...pollAgain(names, spec.maxPolls, spec.pollSeconds, `${p}Status`, `${p}TooSlow`),
    [`${p}Failed`]: pass(
      {
        Error: `${spec.error}Failed`,
        'Cause.$': `States.Format('${spec.what} on {} ended {}: {}', ${spec.instance}, $.inv.status, $.inv.said)`,
      },
      '$.error',
      failed,
    ),
    [`${p}TooSlow`]: pass(
      {
        Error: `${spec.error}TooSlow`,
        'Cause.$': `States.Format('${spec.what} on {} not finished within ${spec.maxPolls * spec.pollSeconds} s', ${spec.instance})`,
      },
      '$.error',
      failed,
    ),
  };
}
