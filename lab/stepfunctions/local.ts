// The lab's Step Functions: natfleet's state machines run in-process (aws-local-stepfunctions),
// every Task answered by one generic adapter. aws-sdk tasks go to the SDK clients given (moto in
// the tests and the lab, a double for Image Builder); Step Functions' own calls — ListExecutions
// and DescribeExecution for the lock, StartExecution.sync for Maintenance's children — are answered by
// this runner from the executions it holds. Used by the lab, the tests and the benchmarks; not
// part of lib/, which ships.
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { Definition, State } from '../../lib/workflows/asl.js';
import {
  callSdk,
  parseSdkResource,
  TaskError,
  type ServiceClients,
} from '../../lib/workflows/sdk.js';
import type { ExecutionEvent, ExecutionResult, Starter } from '../../lib/workflows/follow.js';

type Resolvers = {
  promise: Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
};

/**
 * aws-local-stepfunctions calls Promise.withResolvers, which Node has from 22 on. Installed by
 * the runner's constructor, and only where Node lacks it: importing this module changes nothing.
 */
export function ensureWithResolvers(): void {
  const P = Promise as unknown as { withResolvers?: () => Resolvers };
  if (P.withResolvers) return;
  P.withResolvers = () => {
    const r = {} as Resolvers;
    r.promise = new Promise((resolve, reject) => Object.assign(r, { resolve, reject }));
    return r;
  };
}

export interface LocalOptions {
  clients: ServiceClients;
  region?: string;
  accountId?: string;
  /** Every Wait and Retry interval becomes this many milliseconds (tests, benchmarks). */
  fastMs?: number;
  /**
   * Around every Task call (the tests' call recorder, fault injection, barriers): answers what
   * `call` answers, or throws what it throws. Default: the call as is.
   */
  around?: (task: TaskCall, call: () => Promise<unknown>) => Promise<unknown>;
  /** A Wait state's own interval in ms, before fastMs (the lab's polls of real boots and
   * builds: fastMs would spend their patience before a namespace boots); undefined: fastMs. */
  waitMs?: (machine: string, state: string) => number | undefined;
  /** Called for each execution a state machine starts (Maintenance's children), as Step
   * Functions lists them beside the ones a client started. */
  onChildStart?: (child: LocalExecution, machineArn: string, input: unknown) => void;
}

/** One Task call: the state machine, its state, the resource and the input it passes. */
export interface TaskCall {
  machine: string;
  state: string;
  resource: string;
  input: unknown;
}

export interface LocalExecution {
  arn: string;
  name: string;
  events: ExecutionEvent[];
  /** Called for each event as it happens. */
  onEvent?: (e: ExecutionEvent) => void;
  result: Promise<ExecutionResult>;
}

interface Registered {
  name: string;
  definition: Definition;
  /** Validated once, run many times. */
  machine: StateMachine;
  running: Set<string>;
  /** Every execution name used, as Step Functions keeps them (the checker relies on that). */
  names: Set<string>;
}

/** Every state of a definition, nested ones included, with the name it is keyed by. */
export function allStates(
  states: Record<string, State>,
  out: [string, State][] = [],
): [string, State][] {
  for (const [name, s] of Object.entries(states)) {
    out.push([name, s]);
    const proc = (s.ItemProcessor ?? s.Iterator) as { States: Record<string, State> } | undefined;
    if (proc) allStates(proc.States, out);
    for (const b of (s.Branches as { States: Record<string, State> }[] | undefined) ?? [])
      allStates(b.States, out);
  }
  return out;
}

export class LocalStepFunctions {
  private readonly machines = new Map<string, Registered>();
  /** Status of every execution started, for DescribeExecution (the lock's stale check). */
  private readonly statuses = new Map<string, ExecutionResult['status']>();
  private readonly region: string;
  private readonly accountId: string;

  constructor(private readonly opts: LocalOptions) {
    ensureWithResolvers();
    this.region = opts.region ?? 'eu-west-1';
    this.accountId = opts.accountId ?? '123456789012';
  }

  arnOf(name: string): string {
    return `arn:aws:states:${this.region}:${this.accountId}:stateMachine:${name}`;
  }

  register(name: string, definition: Definition): string {
    const resources = new Map<string, string>();
    for (const [state, s] of allStates(definition.States)) {
      if (s.Type !== 'Task') continue;
      const seen = resources.get(state);
      // Local task handlers are keyed by state name, so a name must mean one resource.
      if (seen && seen !== s.Resource)
        throw new Error(`${name}: task name ${state} is used for two resources`);
      resources.set(state, s.Resource as string);
    }
    const arn = this.arnOf(name);
    const machine = new StateMachine(definition as unknown as StateMachineDefinition, {
      validationOptions: { checkArn: false },
    });
    this.machines.set(arn, { name, definition, machine, running: new Set(), names: new Set() });
    return arn;
  }

  /** Starts an execution; names must be unique per state machine while it runs. */
  start(arn: string, input: unknown, name: string): LocalExecution {
    const m = this.machines.get(arn);
    if (!m)
      throw new TaskError(
        'Sfn.StateMachineDoesNotExistException',
        `state machine ${arn} does not exist`,
      );
    const execArn = arn.replace(':stateMachine:', ':execution:') + `:${name}`;
    if (m.names.has(name)) {
      throw new TaskError('ExecutionAlreadyExists', `Execution Already Exists: '${execArn}'`);
    }
    m.names.add(name);
    const exec: LocalExecution = {
      arn: execArn,
      name,
      events: [],
      result: Promise.resolve({ status: 'RUNNING' }),
    };
    const emit = (e: ExecutionEvent) => {
      exec.events.push(e);
      exec.onEvent?.(e);
    };
    m.running.add(execArn);
    this.statuses.set(execArn, 'RUNNING');
    exec.result = this.run(m, arn, execArn, name, input, emit).then((r) => {
      m.running.delete(execArn);
      this.statuses.set(execArn, r.status);
      return r;
    });
    return exec;
  }

  private async run(
    m: Registered,
    arn: string,
    execArn: string,
    name: string,
    input: unknown,
    emit: (e: ExecutionEvent) => void,
  ): Promise<ExecutionResult> {
    const handlers: Record<string, (input: unknown) => Promise<never>> = {};
    const waits: Record<string, number> = {};
    const retries: Record<string, number> = {};
    for (const [state, s] of allStates(m.definition.States)) {
      if (s.Type === 'Task') {
        const resource = s.Resource as string;
        handlers[state] = ((input: unknown) =>
          this.aroundTask({ machine: m.name, state, resource, input })) as (
          input: unknown,
        ) => Promise<never>;
      }
      const own = s.Type === 'Wait' ? this.opts.waitMs?.(m.name, state) : undefined;
      if (own !== undefined) waits[state] = own;
      else if (this.opts.fastMs !== undefined) {
        if (s.Type === 'Wait') waits[state] = this.opts.fastMs;
        if (s.Retry) retries[state] = this.opts.fastMs;
      }
    }
    const run = m.machine.run(input as never, {
      overrides: {
        taskResourceLocalHandlers: handlers as never,
        waitTimeOverrides: waits,
        retryIntervalOverrides: retries,
      },
      context: {
        Execution: { Id: execArn, Name: name },
        StateMachine: { Id: arn, Name: m.name },
      },
    });
    const logging = (async () => {
      for await (const e of run.eventLogs) {
        const time = new Date(e.timestamp);
        if (e.type === 'StateEntered' || e.type === 'StateExited') {
          emit({
            time,
            kind: e.type === 'StateEntered' ? 'entered' : 'exited',
            state: e.state.name,
          });
        } else if (e.type === 'StateRetried') {
          emit({
            time,
            kind: 'retried',
            state: e.state.name,
            detail: `attempt ${e.retry.attempt}`,
          });
        } else if (e.type === 'StateFailed' || e.type === 'StateCaught') {
          const detail = 'Error' in e ? `${e.Error}: ${String(e.Cause)}` : 'caught';
          emit({
            time,
            kind: e.type === 'StateFailed' ? 'failed' : 'caught',
            state: e.state.name,
            detail,
          });
        }
      }
    })();
    try {
      const output = await run.result;
      await logging.catch(() => undefined);
      return { status: 'SUCCEEDED', output };
    } catch (e) {
      await logging.catch(() => undefined);
      const err = e as {
        name?: string;
        message?: string;
        cause?: { name?: string; message?: string };
      };
      const inner = err.cause ?? err;
      const timedOut = err.name === 'ExecutionTimeoutError';
      return {
        status: timedOut ? 'TIMED_OUT' : 'FAILED',
        error: timedOut ? 'States.Timeout' : (inner.name ?? 'Error'),
        cause: inner.message ?? String(e),
      };
    }
  }

  private aroundTask(t: TaskCall): Promise<unknown> {
    const call = () => this.task(t.resource, t.input);
    return this.opts.around ? this.opts.around(t, call) : call();
  }

  /** The one adapter every Task goes through. */
  private async task(resource: string, input: unknown): Promise<unknown> {
    const sync = /^arn:aws[a-z-]*:states:::states:startExecution(\.sync(:2)?)?$/.exec(resource);
    if (sync)
      return this.startChild(
        input as { StateMachineArn: string; Input?: unknown; Name?: string },
        !!sync[1],
      );
    const r = parseSdkResource(resource);
    if (r?.service === 'sfn' && r.action === 'listExecutions') {
      const { StateMachineArn, StatusFilter } = input as {
        StateMachineArn: string;
        StatusFilter?: string;
      };
      const m = this.machines.get(StateMachineArn);
      if (!m) throw new TaskError('Sfn.StateMachineDoesNotExistException', StateMachineArn);
      const running = StatusFilter && StatusFilter !== 'RUNNING' ? [] : [...m.running];
      return {
        Executions: running
          .reverse()
          .map((ExecutionArn) => ({ ExecutionArn, StateMachineArn, Status: 'RUNNING' })),
      };
    }
    if (r?.service === 'sfn' && r.action === 'describeExecution') {
      const { ExecutionArn } = input as { ExecutionArn: string };
      const status = this.statuses.get(ExecutionArn);
      if (!status) throw new TaskError('Sfn.ExecutionDoesNotExistException', ExecutionArn);
      return { ExecutionArn, Status: status };
    }
    return callSdk(this.opts.clients, resource, input);
  }

  private async startChild(
    input: { StateMachineArn: string; Input?: unknown; Name?: string },
    sync: boolean,
  ) {
    const childInput: unknown =
      typeof input.Input === 'string' ? JSON.parse(input.Input) : (input.Input ?? {});
    const child = this.start(
      input.StateMachineArn,
      childInput,
      input.Name ?? `child-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`,
    );
    this.opts.onChildStart?.(child, input.StateMachineArn, childInput);
    if (!sync) return { ExecutionArn: child.arn, StartDate: new Date().toISOString() };
    const r = await child.result;
    const described = {
      ExecutionArn: child.arn,
      StateMachineArn: input.StateMachineArn,
      Status: r.status,
    };
    if (r.status !== 'SUCCEEDED') {
      throw new TaskError(
        'States.TaskFailed',
        JSON.stringify({ ...described, Error: r.error, Cause: r.cause }),
      );
    }
    return { ...described, Output: r.output };
  }
}

/** The in-process runner behind the same interface the CLI uses for Step Functions. */
export function localStarter(sf: LocalStepFunctions): Starter {
  return {
    async start(arn, input, name, onEvent) {
      const e = sf.start(arn, input, name);
      e.onEvent = onEvent;
      return { executionArn: e.arn, result: e.result };
    },
  };
}
