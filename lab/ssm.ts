// The lab's Systems Manager Run Command (moto runs no SSM agent): SendCommand with
// AWS-RunShellScript on an instance runs its commands for real inside that instance's NAT
// namespace, GetCommandInvocation answers with the real status and output (InProgress while it
// runs). Any command, not only the handoff's. Everything else SSM answers (parameters, the lock)
// goes to moto. The instance's file system is its root directory: an absolute path in a command
// that exists under the root is taken from there, as on the instance (ADR 0170).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Sender } from '../lib/workflows/sdk.js';
import { inNs } from './exec.js';

/** Where an instance runs: its namespace, root and environment (undefined: not booted here). */
export type Locate = (
  instance: string,
) => { ns: string; root: string; env: Record<string, string> } | undefined;

export type InvocationStatus =
  'Pending' | 'InProgress' | 'Success' | 'Failed' | 'TimedOut' | 'Cancelled';

export interface Invocation {
  commandId: string;
  instance: string;
  commands: string[];
  status: InvocationStatus;
  code: number;
  stdout: string;
  stderr: string;
  startedAt: number;
  endedAt?: number;
  done: Promise<void>;
  child?: ChildProcess;
}

/** The document's default executionTimeout (seconds), and the lab's ceiling on any command. */
const DEFAULT_TIMEOUT_S = 3600;
const MAX_TIMEOUT_S = 600;
/** SSM keeps 24 000 / 8 000 characters of output in the invocation. */
const STDOUT_MAX = 24_000;
const STDERR_MAX = 8_000;

const failure = (name: string, message: string) =>
  Object.assign(new Error(message), { name, Code: name });

/** Absolute paths of a command line that exist under `root`, taken from there. */
export function underRoot(command: string, root: string): string {
  return command.replace(/(^|[\s'"=:(])(\/[^\s'";|&)<>]+)/g, (all, pre: string, path: string) =>
    existsSync(join(root, path)) ? `${pre}${join(root, path)}` : all,
  );
}

export class SsmStandIn implements Sender {
  readonly invocations: Invocation[] = [];
  /** Commands matching this are killed once started (a handoff that fails half-way). */
  private kills: { match: RegExp; afterMs: number }[] = [];

  constructor(
    private readonly moto: Sender,
    private readonly locate: Locate,
    private readonly log: (line: string) => void = () => {},
  ) {}

  /** The next command whose text matches `match` is killed `afterMs` after it starts. */
  killNext(match: RegExp, afterMs = 0): void {
    this.kills.push({ match, afterMs });
  }

  async send(command: unknown): Promise<unknown> {
    const name = (command as object).constructor.name.replace(/Command$/, '');
    const input = (command as { input: Record<string, unknown> }).input;
    if (name === 'SendCommand') return this.sendCommand(input);
    if (name === 'GetCommandInvocation') return this.invocation(input);
    return this.moto.send(command);
  }

  private sendCommand(input: Record<string, unknown>) {
    if (input.DocumentName !== 'AWS-RunShellScript')
      throw failure(
        'InvalidDocument',
        `the lab runs AWS-RunShellScript only, not ${input.DocumentName}`,
      );
    const ids = (input.InstanceIds as string[] | undefined) ?? [];
    if (ids.length === 0) throw failure('InvalidInstanceId', 'InstanceIds is required');
    const params = (input.Parameters ?? {}) as Record<string, string[] | undefined>;
    const commands = params.commands ?? [];
    if (commands.length === 0)
      throw failure('InvalidParameters', 'Parameters.commands is required');
    const asked = Number(params.executionTimeout?.[0] ?? DEFAULT_TIMEOUT_S);
    if (!Number.isInteger(asked) || asked < 1 || asked > 172_800)
      throw failure('InvalidParameters', `executionTimeout: expected 1 to 172800, got ${asked}`);
    // An agent that is not there yet: as SSM answers for an instance not registered.
    for (const id of ids)
      if (!this.locate(id)) throw failure('InvalidInstanceId', `instance ${id} is not managed`);
    const commandId = randomUUID();
    for (const id of ids) this.start(commandId, id, commands, Math.min(asked, MAX_TIMEOUT_S));
    return {
      Command: {
        CommandId: commandId,
        DocumentName: input.DocumentName,
        InstanceIds: ids,
        Status: 'Pending',
        Comment: input.Comment,
      },
    };
  }

  private start(commandId: string, instance: string, commands: string[], timeoutS: number) {
    const at = this.locate(instance)!;
    const script = commands.map((c) => underRoot(c, at.root)).join('\n');
    const inv: Invocation = {
      commandId,
      instance,
      commands,
      status: 'InProgress',
      code: -1,
      stdout: '',
      stderr: '',
      startedAt: Date.now(),
      done: Promise.resolve(),
    };
    this.invocations.push(inv);
    this.log(`ssm: ${instance}: started ${commands.join('; ').slice(0, 100)}`);
    const argv = inNs(at.ns, ['bash', '-c', script]);
    const child = spawn(argv[0]!, argv.slice(1), {
      env: { ...process.env, ...at.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    inv.child = child;
    child.stdout!.on('data', (d: Buffer) => (inv.stdout = (inv.stdout + d).slice(0, STDOUT_MAX)));
    child.stderr!.on('data', (d: Buffer) => (inv.stderr = (inv.stderr + d).slice(0, STDERR_MAX)));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutS * 1000);
    const kill = this.kills.findIndex((k) => k.match.test(commands.join('\n')));
    if (kill >= 0) {
      const { afterMs } = this.kills.splice(kill, 1)[0]!;
      setTimeout(() => child.kill('SIGKILL'), afterMs);
      this.log(`ssm: ${instance}: will kill "${commands.join('; ').slice(0, 80)}"`);
    }
    inv.done = new Promise((resolve) => {
      const end = (code: number | null) => {
        clearTimeout(timer);
        inv.code = code ?? -1;
        inv.status = timedOut ? 'TimedOut' : code === 0 ? 'Success' : 'Failed';
        inv.endedAt = Date.now();
        this.log(
          `ssm: ${instance}: ${inv.status} (${inv.code}) ${commands.join('; ').slice(0, 80)}: ${inv.stderr.trim().split('\n').slice(-2).join(' | ')}`,
        );
        resolve();
      };
      child.on('error', (e) => {
        inv.stderr += String(e);
        end(null);
      });
      child.on('close', end);
    });
  }

  private invocation(input: Record<string, unknown>) {
    const inv = this.invocations.find(
      (x) => x.commandId === input.CommandId && x.instance === input.InstanceId,
    );
    if (!inv)
      throw failure(
        'InvocationDoesNotExist',
        `no invocation of ${String(input.CommandId)} on ${String(input.InstanceId)}`,
      );
    return {
      CommandId: inv.commandId,
      InstanceId: inv.instance,
      DocumentName: 'AWS-RunShellScript',
      Status: inv.status,
      StatusDetails: inv.status,
      ResponseCode: inv.code,
      StandardOutputContent: inv.stdout,
      StandardErrorContent: inv.stderr,
    };
  }

  /** Ends every command still running (the lab's clean-up). */
  async stop(): Promise<void> {
    for (const i of this.invocations) if (i.status === 'InProgress') i.child?.kill('SIGKILL');
    await Promise.all(this.invocations.map((i) => i.done));
  }
}
