// Following an execution: the events it goes through and how it ended, the same whether it runs
// in Step Functions or in-process.
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
