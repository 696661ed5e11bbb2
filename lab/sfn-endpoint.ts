// A local Step Functions endpoint: the JSON protocol the SDK's SFN client speaks (POST /,
// X-Amz-Target: AWSStepFunctions.<Action>), answering from the definitions the workflows stack
// deployed, run in the in-process runner with their AWS calls going to moto. Any real client
// reaches it through AWS_ENDPOINT_URL_SFN, unchanged (ADR 0090).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { Definition, State } from '../lib/workflows/asl.js';
import type { ExecutionEvent, ExecutionResult } from '../lib/workflows/follow.js';
import {
  LocalStepFunctions,
  type LocalExecution,
  type LocalOptions,
} from './stepfunctions/local.js';
import { TaskError } from '../lib/workflows/sdk.js';
import { deployedMachines, type DeployedMachine } from './deployed.js';

export interface SfnEndpointOptions {
  /** Where the definitions come from: the workflows stack, read through this client. */
  cfn: CloudFormationClient;
  stackName: string;
  region: string;
  accountId: string;
  /** The runner's clients (moto, the Image Builder stand-in) and its speed-ups. */
  runner: LocalOptions;
  host?: string;
  port?: number;
}

interface Execution {
  arn: string;
  name: string;
  machineArn: string;
  input: string;
  startDate: Date;
  stopDate?: Date;
  status: ExecutionResult['status'];
  result?: ExecutionResult;
  events: ExecutionEvent[];
}

interface Machine extends DeployedMachine {
  text: string;
  types: Map<string, string>;
  createdAt: Date;
}

class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

function stateTypes(states: Record<string, State>, out = new Map<string, string>()) {
  for (const [name, s] of Object.entries(states)) {
    out.set(name, String(s.Type));
    const proc = (s.ItemProcessor ?? s.Iterator) as { States: Record<string, State> } | undefined;
    if (proc) stateTypes(proc.States, out);
    for (const b of (s.Branches as { States: Record<string, State> }[] | undefined) ?? [])
      stateTypes(b.States, out);
  }
  return out;
}

const epoch = (d: Date) => d.getTime() / 1000;
const HISTORY_TYPE: Record<string, string> = {
  Task: 'Task',
  Choice: 'Choice',
  Wait: 'Wait',
  Pass: 'Pass',
  Map: 'Map',
  Parallel: 'Parallel',
  Succeed: 'Succeed',
  Fail: 'Fail',
};

export class SfnEndpoint {
  private readonly runner: LocalStepFunctions;
  private readonly machines = new Map<string, Machine>();
  private readonly executions = new Map<string, Execution>();
  private servers: Server[] = [];
  url = '';

  constructor(private readonly o: SfnEndpointOptions) {
    this.runner = new LocalStepFunctions({
      region: o.region,
      accountId: o.accountId,
      ...o.runner,
      onChildStart: (child, machineArn, input) => {
        this.track(child, machineArn, JSON.stringify(input));
      },
    });
  }

  /** Reads the stack again; a machine whose definition changed is registered anew. */
  async load(): Promise<void> {
    const deployed = await deployedMachines(
      this.o.cfn,
      this.o.stackName,
      this.o.region,
      this.o.accountId,
    );
    for (const d of deployed) {
      const text = JSON.stringify(d.definition);
      if (this.machines.get(d.arn)?.text === text) continue;
      this.runner.register(d.name, d.definition);
      this.machines.set(d.arn, {
        ...d,
        text,
        types: stateTypes(d.definition.States),
        createdAt: new Date(),
      });
    }
  }

  async start(): Promise<string> {
    await this.load();
    const server = await this.listen({ port: this.o.port ?? 0, host: this.o.host ?? '127.0.0.1' });
    const a = server.address() as { address: string; port: number };
    this.url = `http://${a.address}:${a.port}`;
    return this.url;
  }

  /** Also answers on a unix socket (a relay in another network namespace connects to it). */
  async listenOn(path: string): Promise<void> {
    rmSync(path, { force: true });
    await this.listen({ path });
  }

  private async listen(at: { port: number; host: string } | { path: string }): Promise<Server> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(at, () => resolve());
    });
    this.servers.push(server);
    return server;
  }

  /** Stops answering; executions still running are left to end in this process. */
  async stop(): Promise<void> {
    const all = this.servers;
    this.servers = [];
    for (const s of all) {
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
  }

  /** Executions seen, newest first (the lab's own scenarios read them too). */
  list(): Execution[] {
    return [...this.executions.values()].reverse();
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const action = target.replace(/^AWSStepFunctions\./, '');
    let status = 200;
    let body: unknown;
    try {
      const input = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
      body = await this.call(action, input as Record<string, unknown>);
    } catch (e) {
      const err =
        e instanceof ApiError
          ? e
          : e instanceof TaskError
            ? new ApiError(e.name.replace(/^Sfn\./, '').replace(/Exception$/, ''), e.message)
            : new ApiError('InternalFailure', String((e as Error).message ?? e), 500);
      status = err.status;
      body = { __type: err.type, message: err.message };
    }
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
    res.end(JSON.stringify(body));
  }

  private async call(action: string, i: Record<string, unknown>): Promise<unknown> {
    switch (action) {
      case 'StartExecution':
        return this.startExecution(i);
      case 'DescribeExecution':
        return this.describe(this.execution(i.executionArn));
      case 'GetExecutionHistory':
        return this.history(this.execution(i.executionArn), i);
      case 'ListExecutions':
        return this.listExecutions(i);
      case 'StopExecution':
        return this.stopExecution(i);
      case 'DescribeStateMachine':
        return this.describeMachine(await this.machine(i.stateMachineArn));
      case 'ListStateMachines':
        await this.load();
        return {
          stateMachines: [...this.machines.values()].map((m) => ({
            stateMachineArn: m.arn,
            name: m.name,
            type: 'STANDARD',
            creationDate: epoch(m.createdAt),
          })),
        };
      default:
        throw new ApiError('UnknownOperationException', `${action || '(none)'} is not served here`);
    }
  }

  private async machine(arn: unknown): Promise<Machine> {
    if (typeof arn !== 'string') throw new ApiError('InvalidArn', 'stateMachineArn is required');
    if (!this.machines.has(arn)) await this.load();
    const m = this.machines.get(arn);
    if (!m)
      throw new ApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return m;
  }

  private execution(arn: unknown): Execution {
    const x = typeof arn === 'string' ? this.executions.get(arn) : undefined;
    if (!x) throw new ApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return x;
  }

  private async startExecution(i: Record<string, unknown>) {
    await this.load();
    const m = await this.machine(i.stateMachineArn);
    const name = typeof i.name === 'string' && i.name ? i.name : randomUUID();
    const input = typeof i.input === 'string' ? i.input : '{}';
    let parsed: unknown;
    try {
      parsed = JSON.parse(input);
    } catch {
      throw new ApiError('InvalidExecutionInput', 'input is not JSON');
    }
    const x = this.track(this.runner.start(m.arn, parsed, name), m.arn, input);
    return { executionArn: x.arn, startDate: epoch(x.startDate) };
  }

  /** An execution the endpoint answers for: one a client started, or a machine's child. */
  private track(run: LocalExecution, machineArn: string, input: string): Execution {
    const x: Execution = {
      arn: run.arn,
      name: run.name,
      machineArn,
      input,
      startDate: new Date(),
      status: 'RUNNING',
      events: run.events,
    };
    this.executions.set(x.arn, x);
    void run.result.then((r) => {
      if (x.status !== 'RUNNING') return;
      x.status = r.status;
      x.result = r;
      x.stopDate = new Date();
    });
    return x;
  }

  private describe(x: Execution) {
    return {
      executionArn: x.arn,
      stateMachineArn: x.machineArn,
      name: x.name,
      status: x.status,
      startDate: epoch(x.startDate),
      input: x.input,
      ...(x.stopDate ? { stopDate: epoch(x.stopDate) } : {}),
      ...(x.result?.output !== undefined ? { output: JSON.stringify(x.result.output) } : {}),
      ...(x.result?.error ? { error: x.result.error } : {}),
      ...(x.result?.cause ? { cause: x.result.cause } : {}),
    };
  }

  private history(x: Execution, i: Record<string, unknown>) {
    const types = this.machines.get(x.machineArn)?.types ?? new Map<string, string>();
    const events: Record<string, unknown>[] = [
      {
        type: 'ExecutionStarted',
        timestamp: epoch(x.startDate),
        executionStartedEventDetails: { input: x.input },
      },
    ];
    for (const e of x.events) {
      const kind = HISTORY_TYPE[types.get(e.state) ?? 'Task'] ?? 'Task';
      const timestamp = epoch(e.time);
      if (e.kind === 'entered') {
        events.push({
          type: `${kind}StateEntered`,
          timestamp,
          stateEnteredEventDetails: { name: e.state },
        });
      } else if (e.kind === 'exited') {
        events.push({
          type: `${kind}StateExited`,
          timestamp,
          stateExitedEventDetails: { name: e.state },
        });
      } else if (e.kind === 'failed') {
        const [error, ...cause] = (e.detail ?? '').split(': ');
        events.push({
          type: 'TaskFailed',
          timestamp,
          taskFailedEventDetails: { resource: e.state, error, cause: cause.join(': ') },
        });
      }
    }
    if (x.stopDate) {
      const end =
        x.status === 'SUCCEEDED'
          ? 'Succeeded'
          : x.status === 'ABORTED'
            ? 'Aborted'
            : x.status === 'TIMED_OUT'
              ? 'TimedOut'
              : 'Failed';
      events.push({ type: `Execution${end}`, timestamp: epoch(x.stopDate) });
    }
    const all = events.map((e, n) => ({ id: n + 1, previousEventId: n, ...e }));
    const from = typeof i.nextToken === 'string' ? Number(i.nextToken) : 0;
    const max = typeof i.maxResults === 'number' && i.maxResults > 0 ? i.maxResults : 100;
    const page = all.slice(from, from + max);
    return {
      events: i.reverseOrder ? page.reverse() : page,
      ...(from + max < all.length ? { nextToken: String(from + max) } : {}),
    };
  }

  private async listExecutions(i: Record<string, unknown>) {
    const m = await this.machine(i.stateMachineArn);
    const filter = typeof i.statusFilter === 'string' ? i.statusFilter : undefined;
    return {
      executions: this.list()
        .filter((x) => x.machineArn === m.arn && (!filter || x.status === filter))
        .slice(0, typeof i.maxResults === 'number' && i.maxResults > 0 ? i.maxResults : 100)
        .map((x) => ({
          executionArn: x.arn,
          stateMachineArn: x.machineArn,
          name: x.name,
          status: x.status,
          startDate: epoch(x.startDate),
          ...(x.stopDate ? { stopDate: epoch(x.stopDate) } : {}),
        })),
    };
  }

  /**
   * Marks the execution ABORTED as Step Functions reports it. The in-process run is not
   * interrupted (the runner offers no stop): its later steps still reach moto.
   */
  private stopExecution(i: Record<string, unknown>) {
    const x = this.execution(i.executionArn);
    if (x.status === 'RUNNING') {
      x.status = 'ABORTED';
      x.stopDate = new Date();
      x.result = {
        status: 'ABORTED',
        ...(typeof i.error === 'string' ? { error: i.error } : {}),
        ...(typeof i.cause === 'string' ? { cause: i.cause } : {}),
      };
    }
    return { stopDate: epoch(x.stopDate ?? new Date()) };
  }

  private describeMachine(m: Machine) {
    return {
      stateMachineArn: m.arn,
      name: m.name,
      status: 'ACTIVE',
      definition: m.text,
      roleArn: `arn:aws:iam::${this.o.accountId}:role/${m.name}`,
      type: 'STANDARD',
      creationDate: epoch(m.createdAt),
    };
  }
}

export type { Definition };
