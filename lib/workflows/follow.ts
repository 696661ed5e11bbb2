// Following an execution the same way whether it runs in Step Functions or in-process: one line
// per state entered or left with its time, a heartbeat while nothing happens, and how it ended.
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  StartExecutionCommand,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';

export interface ExecutionEvent {
  time: Date;
  kind: 'entered' | 'exited' | 'retried' | 'failed' | 'caught';
  state: string;
  detail?: string;
}

export interface ExecutionResult {
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  output?: unknown;
  error?: string;
  cause?: string;
}

/** Starts a workflow and reports its events until it ends. */
export interface Starter {
  start(
    stateMachineArn: string,
    input: object,
    name: string,
    onEvent: (e: ExecutionEvent) => void,
  ): Promise<{ executionArn: string; result: Promise<ExecutionResult> }>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function fromHistory(e: HistoryEvent): ExecutionEvent | undefined {
  const time = e.timestamp ?? new Date();
  const type = e.type ?? '';
  if (type.endsWith('StateEntered') && e.stateEnteredEventDetails?.name) {
    return { time, kind: 'entered', state: e.stateEnteredEventDetails.name };
  }
  if (type.endsWith('StateExited') && e.stateExitedEventDetails?.name) {
    return { time, kind: 'exited', state: e.stateExitedEventDetails.name };
  }
  if (type === 'TaskFailed' && e.taskFailedEventDetails) {
    const d = e.taskFailedEventDetails;
    return {
      time,
      kind: 'failed',
      state: d.resource ?? 'task',
      detail: `${d.error}: ${d.cause ?? ''}`,
    };
  }
  return undefined;
}

const parse = (s: string | undefined) => {
  if (s === undefined) return undefined;
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
};

/**
 * Step Functions itself: StartExecution, then history and status polled until the end — every
 * second for the first minute (a failover is over by then), every 5 s after (image builds).
 */
export function sfnStarter(
  sfn: SFNClient,
  opts: { pollMs?: number; deadlineMs?: number } = {},
): Starter {
  const pollMs = (elapsedMs: number) => opts.pollMs ?? (elapsedMs < 60_000 ? 1000 : 5000);
  return {
    async start(stateMachineArn, input, name, onEvent) {
      const started = await sfn.send(
        new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }),
      );
      const executionArn = started.executionArn!;
      const result = (async (): Promise<ExecutionResult> => {
        const t0 = Date.now();
        const deadline = t0 + (opts.deadlineMs ?? 2 * 3600_000);
        let seen = 0;
        for (;;) {
          try {
            let token: string | undefined;
            let index = 0;
            do {
              const h = await sfn.send(
                new GetExecutionHistoryCommand({
                  executionArn,
                  nextToken: token,
                  maxResults: 1000,
                }),
              );
              for (const e of h.events ?? []) {
                if (index++ < seen) continue;
                seen++;
                const ev = fromHistory(e);
                if (ev) onEvent(ev);
              }
              token = h.nextToken;
            } while (token);
          } catch {
            // History is a nicety: the status below decides.
          }
          const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
          if (d.status && d.status !== 'RUNNING' && d.status !== 'PENDING_REDRIVE') {
            return {
              status: d.status as ExecutionResult['status'],
              output: parse(d.output),
              ...(d.error ? { error: d.error } : {}),
              ...(d.cause ? { cause: d.cause } : {}),
            };
          }
          if (Date.now() > deadline) {
            return {
              status: 'RUNNING',
              error: 'NotFollowed',
              cause: `still running at the follow deadline: ${executionArn}`,
            };
          }
          await sleep(pollMs(Date.now() - t0));
        }
      })();
      return { executionArn, result };
    },
  };
}
