// The checker against a dying NAT, in the lab (docs/checker.md, "The lab test"):
// - moto_server runs in the lab's ctl namespace and is AWS: the zone's VPC (lab/vpc.ts), the
//   Failover state machine, its executions;
// - the real checker bundle runs in the zone's private namespace through checker/driver.mjs,
//   its EC2 and Step Functions calls going to moto over the endpoint link;
// - a control loop here plays the AWS side: executions the checker starts in moto are run with
//   the real Failover definition in the in-process runner (its EC2 tasks against moto), and
//   moto's route table is applied to the private host's default route;
// - a prober in the private namespace measures fault → first good connection.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Server } from 'node:net';
import { EC2Client, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { observeRouteTables } from '../lib/aws/fleet.js';
import { stateMachineName } from '../lib/names.js';
import { failoverDefinition } from '../lib/workflows/index.js';
import type { ExecutionResult } from '../lib/workflows/follow.js';
import { LocalStepFunctions } from './stepfunctions/local.js';
import { buildVpc, type BuiltZone } from './vpc.js';
import { must, run, sleep } from './exec.js';
import { MOTO_PORT, motoInControlNs } from './control-plane.js';
import { CONTROL_ADDR, INTERNET_ADDR, Lab } from './topology.js';
import { serverPath, checkerDriver } from './paths.js';
import { CHECKER_PROBE_SECONDS, CHECKER_TIMEOUT_SECONDS } from '../lib/defaults.js';
import { CHECKER_LIMITS } from '../lib/config/limits.js';

export const ENV_NAME = 'lab';
/** The lab's zone a is this zone in moto. */
export const AWS_ZONE = 'eu-west-1a';
const CONTROL_EVERY_MS = 100;
const PROBE_EVERY_MS = 100;
const PROBE_TIMEOUT_MS = 1_000;

export type Fault = 'vanish' | 'uplink' | 'flush';
export const FAULTS: Fault[] = ['vanish', 'uplink', 'flush'];

/**
 * The schedule of invocations, as EventBridge and Lambda run them, in a shorter "minute":
 * a fresh process (a cold start, SDK load included) every periodMs, each probing for
 * probeSeconds within budgetMs. The hand-over keeps its real length: the old defaults leave
 * the last 5 s of the minute unprobed, the new ones overlap the next invocation by 4 s.
 */
export interface Schedule {
  periodMs: number;
  probeSeconds: number;
  budgetMs: number;
}

export interface Timing {
  intervalSeconds: number;
  timeoutSeconds: number;
  unhealthyThreshold: number;
  /** Without one: a single invocation, probing when the fault comes (the lab test). */
  schedule?: Schedule;
}

/**
 * The lab's minute: long enough for a hand-over and a detection, short enough for ≥ 15 runs.
 * BENCH_LAB_MINUTE_MS=60000 runs the real one (the old schedule's gap then has its real weight).
 */
export const LAB_MINUTE_MS = labMinute(process.env.BENCH_LAB_MINUTE_MS);

export function labMinute(v: string | undefined): number {
  if (v === undefined || v === '') return 20_000;
  const ms = Number(v);
  if (!Number.isInteger(ms) || ms < 15_000 || ms > 60_000)
    throw new Error(`BENCH_LAB_MINUTE_MS: expected milliseconds from 15000 to 60000, got "${v}"`);
  return ms;
}
const minute = (s: number) => LAB_MINUTE_MS / 1000 + s;
/** Before ADR 0096: 55 s of probing in a 60 s Lambda, one at a time (a 5 s gap). */
export const OLD_SCHEDULE: Schedule = {
  periodMs: LAB_MINUTE_MS,
  probeSeconds: minute(-5),
  budgetMs: LAB_MINUTE_MS,
};
/** Since ADR 0096: CHECKER_PROBE_SECONDS (minute + 4 s) in a CHECKER_TIMEOUT_SECONDS Lambda. */
export const NEW_SCHEDULE: Schedule = {
  periodMs: LAB_MINUTE_MS,
  probeSeconds: minute(CHECKER_PROBE_SECONDS - 60),
  budgetMs: LAB_MINUTE_MS + (CHECKER_TIMEOUT_SECONDS - 60) * 1000,
};

/** The fast setting of the lab test (one invocation). */
export const FAST: Timing = { intervalSeconds: 1, timeoutSeconds: 1, unhealthyThreshold: 2 };
/** natfleet.yml's defaults, on their schedule. */
export const DEFAULTS: Timing = {
  intervalSeconds: CHECKER_LIMITS.intervalSeconds.default,
  timeoutSeconds: CHECKER_LIMITS.timeoutSeconds.default,
  unhealthyThreshold: CHECKER_LIMITS.unhealthyThreshold.default,
  schedule: NEW_SCHEDULE,
};
/** The defaults before ADR 0096, on their schedule. */
export const OLD_DEFAULTS: Timing = {
  intervalSeconds: 5,
  timeoutSeconds: 2,
  unhealthyThreshold: 3,
  schedule: OLD_SCHEDULE,
};
/** The fastest profile, on the new schedule. */
export const FASTEST: Timing = { ...FAST, schedule: NEW_SCHEDULE };

/**
 * The moments of a minute that faults are put in, in turn: the hand-over (the new schedule's
 * two invocations, or the old one's next cold start), the middle, the last 5 s (where the old
 * schedule did not probe). Taking them in turn weights the minute's edges more than uniformly
 * random faults would: the p95 over all runs is the harder one.
 */
export interface Phase {
  label: string;
  fromMs: number;
  toMs: number;
}
export function minutePhases(minuteMs: number): Phase[] {
  const overlap = (CHECKER_PROBE_SECONDS - 60) * 1000;
  const s = (ms: number) => ms / 1000;
  return [
    { label: `0–${s(overlap)} s (hand-over)`, fromMs: 0, toMs: overlap },
    {
      label: `${s(overlap)}–${s(minuteMs - 5_000)} s (mid-minute)`,
      fromMs: overlap,
      toMs: minuteMs - 5_000,
    },
    {
      label: `${s(minuteMs - 5_000)}–${s(minuteMs)} s (last 5 s)`,
      fromMs: minuteMs - 5_000,
      toMs: minuteMs,
    },
  ];
}

/** A random moment of `phase` in the first minute (from `start`, every minuteMs) still ahead. */
export function nextMoment(
  start: number,
  minuteMs: number,
  phase: Phase,
  now: number,
  random: () => number = Math.random,
): number {
  const offset = phase.fromMs + random() * (phase.toMs - phase.fromMs);
  const k = Math.max(0, Math.ceil((now + 200 - start - offset) / minuteMs));
  return start + k * minuteMs + offset;
}

/** `at`'s moment in its minute of invocations that started at `start`. */
export const phaseOf = (at: number, start: number, minuteMs: number): number =>
  (((at - start) % minuteMs) + minuteMs) % minuteMs;

/** When the latest invocation in `lines` that started by `at` started: its first round's time. */
export function invocationStart(lines: Followed['lines'], at: number): number | undefined {
  let start: number | undefined;
  for (const l of lines) {
    if (l.json?.type !== 'round' || l.json.round !== 1) continue;
    const t = Date.parse(String(l.json.at));
    if (t <= at && (start === undefined || t > start)) start = t;
  }
  return start;
}

/**
 * The driver's variables for the shipped schedule in real time: an invocation every minute,
 * each with the Lambda's timeout, probing past the next one's start (ADR 0096).
 */
export const SCHEDULE_VARIABLES = {
  CHECKER_INVOCATIONS: '10000',
  CHECKER_EVERY_MS: '60000',
  CHECKER_BUDGET_MS: String(CHECKER_TIMEOUT_SECONDS * 1000),
  CHECKER_OVERLAP: '1',
};

/** A child process whose stdout lines are kept with the time they arrived. */
export interface Followed {
  child: ChildProcess;
  lines: { at: number; text: string; json?: Record<string, unknown> }[];
  stderr(): string;
}

export function follow(ns: string, argv: string[], env: Record<string, string>): Followed {
  const child = spawn('ip', ['netns', 'exec', ns, ...argv], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
  });
  child.on('error', () => {});
  const f: Followed = { child, lines: [], stderr: () => err };
  let err = '';
  let partial = '';
  child.stdout!.on('data', (d: Buffer) => {
    const parts = (partial + d.toString()).split('\n');
    partial = parts.pop()!;
    const at = Date.now();
    for (const text of parts) {
      let json: Record<string, unknown> | undefined;
      try {
        json = JSON.parse(text) as Record<string, unknown>;
      } catch {
        json = undefined;
      }
      f.lines.push({ at, text, ...(json && typeof json === 'object' ? { json } : {}) });
    }
  });
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-8000)));
  return f;
}

/** Waits (bounded, polling) until `test` finds something; throws naming `what` otherwise. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  test: () => T | undefined,
  detail: () => string = () => '',
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = test();
    if (found !== undefined) return found;
    if (Date.now() > until) throw new Error(`no ${what} within ${timeoutMs} ms. ${detail()}`);
    await sleep(20);
  }
}

/** The promise's value, or `otherwise` after ms (the timer does not outlive the wait). */
async function within<T>(p: Promise<T>, ms: number, otherwise: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => (timer = setTimeout(() => resolve(otherwise), ms)));
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

function kill(child: ChildProcess | undefined): void {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

export interface RunOutcome {
  fault: Fault;
  timing: Timing;
  faultAt: number;
  /** Fault → the first new connection that got an answer (through the standby gateway). */
  faultToFlowingMs: number;
  /** Fault → the checker's failover decision line. */
  faultToStartMs: number;
  /** Fault → the private host's default route moved to the gateway. */
  faultToRouteMs: number;
  /** With a schedule: the fault's moment in the lab's minute (0 = an invocation starts). */
  phaseMs?: number;
  /** The checker's JSON lines (rounds, failover, summary, driver result). */
  checker: Record<string, unknown>[];
  /** moto's Failover executions after the run. */
  executions: { name: string; input: unknown }[];
  /** The in-process Failover run of that execution. */
  failover: ExecutionResult;
  /** The zone's table in moto and the private host's default route, after. */
  tableTarget: string | undefined;
  hostRoute: string;
  /** Answers from the NAT's address to connections opened after the fault (must be none). */
  natAnswersAfterFault: number;
  whoamiAfter: string | undefined;
}

export interface State {
  zone: BuiltZone;
  stateMachineArn: string;
  local: LocalStepFunctions;
  started: Map<string, { at: number; result: Promise<ExecutionResult> }>;
  applied?: 'nat' | 'gateway' | 'none';
  routeEvents: { at: number; target: string }[];
  errors: string[];
}

/**
 * The checker's invocations: one, or a fresh process every periodMs, at most `max` of them (a
 * bound whatever happens to the caller; a long study asks for as many as it lasts minutes).
 */
export class Invocations {
  readonly runs: Followed[] = [];
  t0 = 0;
  private timer?: NodeJS.Timeout;
  constructor(
    private readonly ns: string,
    private readonly env: Record<string, string>,
    private readonly periodMs: number,
    private readonly max = 100,
  ) {}

  start(): void {
    this.t0 = Date.now();
    const spawnOne = () => this.runs.push(follow(this.ns, ['node', checkerDriver()], this.env));
    spawnOne();
    if (this.periodMs > 0)
      this.timer = setInterval(() => {
        if (this.runs.length < this.max) spawnOne();
      }, this.periodMs);
  }

  lines(): Followed['lines'] {
    return this.runs.flatMap((r) => r.lines).sort((a, b) => a.at - b.at);
  }

  last(): Followed | undefined {
    return this.runs.at(-1);
  }

  /** The earliest line that passes `test`, and the invocation that wrote it. */
  first(test: (l: Followed['lines'][number]) => boolean) {
    let best: { line: Followed['lines'][number]; from: Followed } | undefined;
    for (const from of this.runs) {
      const line = from.lines.find(test);
      if (line && (!best || line.at < best.line.at)) best = { line, from };
    }
    return best;
  }

  stop(): void {
    clearInterval(this.timer);
    for (const r of this.runs) kill(r.child);
  }
}

export class CheckerLab {
  private relay?: Server;
  private loop?: Promise<void>;
  private looping = false;
  readonly ec2: EC2Client;
  readonly sfn: SFNClient;

  private constructor(
    readonly lab: Lab,
    readonly endpoint: string,
    private readonly log: (line: string) => void,
  ) {
    const config = {
      region: 'eu-west-1',
      endpoint,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      maxAttempts: 2,
    };
    this.ec2 = new EC2Client(config);
    this.sfn = new SFNClient(config);
  }

  /** A one-zone lab with moto_server in its ctl namespace, reachable from here by a relay. */
  static async create(log: (line: string) => void = () => {}): Promise<CheckerLab> {
    const lab = await Lab.create({ zones: 1, endpoint: true, log });
    let relay: Server | undefined;
    try {
      const moto = await motoInControlNs(lab);
      relay = moto.server;
      const cl = new CheckerLab(lab, moto.url, log);
      cl.relay = relay;
      return cl;
    } catch (e) {
      relay?.close();
      await lab.destroy();
      throw e;
    }
  }

  private async post(path: string): Promise<void> {
    const r = await fetch(`${this.endpoint}${path}`, { method: 'POST' });
    if (!r.ok) throw new Error(`moto ${path}: HTTP ${r.status}`);
  }

  /** Fresh AWS state: moto reset, the zone's VPC, the Failover state machine. */
  async prepare(): Promise<State> {
    await this.post('/moto-api/reset');
    const { env, zones } = await buildVpc(this.ec2, ENV_NAME, [AWS_ZONE]);
    const zone = zones[0]!;
    const definition = failoverDefinition(env, {
      gateways: { [AWS_ZONE]: zone.gateway },
      launchTemplateId: 'lt-00000000000000001',
      amiParameter: `/natfleet/${ENV_NAME}/ami`,
      imagePipelineArn: 'arn:aws:imagebuilder:eu-west-1:123456789012:image-pipeline/lab',
      replaceInstancesArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:lab-replace',
      fallbackArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:lab-fallback',
    });
    const name = stateMachineName(ENV_NAME, 'Failover');
    const created = await this.sfn.send(
      new CreateStateMachineCommand({
        name,
        definition: JSON.stringify(definition),
        roleArn: `arn:aws:iam::123456789012:role/${name}`,
      }),
    );
    const local = new LocalStepFunctions({ clients: { ec2: this.ec2 } });
    const localArn = local.register(name, definition);
    if (localArn !== created.stateMachineArn)
      throw new Error(`runner ARN ${localArn} is not moto's ${created.stateMachineArn}`);
    return {
      zone,
      stateMachineArn: localArn,
      local,
      started: new Map(),
      routeEvents: [],
      errors: [],
    };
  }

  /** One pass of the AWS side: new executions → Failover runs; the route table → the host. */
  private async tick(s: State): Promise<void> {
    const listed = await this.sfn.send(
      new ListExecutionsCommand({ stateMachineArn: s.stateMachineArn }),
    );
    for (const e of listed.executions ?? []) {
      if (s.started.has(e.executionArn!)) continue;
      const d = await this.sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn }));
      const exec = s.local.start(s.stateMachineArn, JSON.parse(d.input ?? '{}'), e.name!);
      s.started.set(e.executionArn!, { at: Date.now(), result: exec.result });
      this.log(`control: running Failover ${e.name} in-process`);
    }
    const [table] = await observeRouteTables(this.ec2, s.zone.routeTables.slice(0, 1));
    const r = table?.defaultRoute;
    const target =
      !r || r.state === 'blackhole'
        ? 'none'
        : r.natGatewayId === s.zone.gateway
          ? 'gateway'
          : r.networkInterfaceId === s.zone.eniId || r.instanceId === s.zone.instanceId
            ? 'nat'
            : 'none';
    if (target === s.applied) return;
    const z = this.lab.zone('a');
    // Stamped before the host route moves: no packet can take the new path before this time.
    const at = Date.now();
    if (target === 'none') await run(['ip', '-n', z.private, 'route', 'del', 'default']);
    else await this.lab.routeVia('a', target);
    s.applied = target;
    s.routeEvents.push({ at, target });
    this.log(`control: private default route → ${target}`);
  }

  private startLoop(s: State, maxMs: number): void {
    this.looping = true;
    const until = Date.now() + maxMs;
    this.loop = (async () => {
      while (this.looping && Date.now() < until) {
        try {
          await this.tick(s);
        } catch (e) {
          s.errors.push(String(e));
        }
        await sleep(CONTROL_EVERY_MS);
      }
    })();
  }

  private async stopLoop(): Promise<void> {
    this.looping = false;
    await this.loop;
  }

  /** The checker's environment: the zone's settings and moto over the endpoint link. */
  checkerEnv(s: { zone: BuiltZone; stateMachineArn: string }, t: Timing): Record<string, string> {
    return {
      NATFLEET_ENVIRONMENT: ENV_NAME,
      NATFLEET_ZONE: AWS_ZONE,
      NATFLEET_URLS: `http://${INTERNET_ADDR}/,http://${INTERNET_ADDR}/health`,
      NATFLEET_ROUTE_TABLES: s.zone.routeTables.join(','),
      NATFLEET_FAILOVER_ARN: s.stateMachineArn,
      NATFLEET_INTERVAL_SECONDS: String(t.intervalSeconds),
      NATFLEET_TIMEOUT_SECONDS: String(t.timeoutSeconds),
      NATFLEET_UNHEALTHY_THRESHOLD: String(t.unhealthyThreshold),
      AWS_ENDPOINT_URL: `http://${CONTROL_ADDR}:${MOTO_PORT}`,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_EMF_ENVIRONMENT: 'Local',
      AWS_EC2_METADATA_DISABLED: 'true',
      CHECKER_INVOCATIONS: '1',
      CHECKER_BUDGET_MS: String(t.schedule?.budgetMs ?? 60_000),
      ...(t.schedule ? { NATFLEET_PROBE_SECONDS: String(t.schedule.probeSeconds) } : {}),
    };
  }

  private async fault(kind: Fault, s: State): Promise<void> {
    if (kind === 'vanish') {
      await this.lab.killNat('a');
      await this.ec2.send(new TerminateInstancesCommand({ InstanceIds: [s.zone.instanceId] }));
    } else if (kind === 'uplink') {
      await this.lab.uplinkDown('a');
    } else {
      await this.lab.flushNat('a');
    }
  }

  /** A new instance, a repaired uplink, a rebooted NAT: the zone's NAT works again. */
  private async repair(kind: Fault): Promise<void> {
    if (kind === 'vanish') await this.lab.launchNat('a');
    else if (kind === 'uplink') await this.lab.uplinkDown('a', false);
    else await this.lab.rebootNat('a');
  }

  /**
   * One run: fresh AWS state, the checker probing through a healthy NAT, then the fault at a
   * random moment of a round (with a schedule: of the minute's phase `opts.phase`, minutePhases); waits (bounded) until the private host's connections flow again.
   * The NAT is repaired afterwards, so that runs can follow each other in one lab.
   */
  async run(kind: Fault, t: Timing, opts: { phase?: number } = {}): Promise<RunOutcome> {
    const s = await this.prepare();
    const z = this.lab.zone('a');
    const detectMs =
      t.intervalSeconds * 1000 * (t.unhealthyThreshold + 1) + t.timeoutSeconds * 1000;
    const period = t.schedule?.periodMs ?? 0;
    const invocations = new Invocations(z.private, this.checkerEnv(s, t), period);
    let prober: Followed | undefined;
    const tail = () =>
      `checker: ${invocations
        .lines()
        .slice(-4)
        .map((l) => l.text)
        .join(
          ' | ',
        )} ${invocations.last()?.stderr() ?? ''}; control: ${s.errors.slice(-2).join(' | ')}`;
    this.startLoop(s, detectMs + period + 120_000);
    try {
      await waitFor('route on the NAT', 10_000, () => (s.applied === 'nat' ? true : undefined));
      await this.natAnswers();
      prober = follow(
        z.private,
        [
          'node',
          serverPath('prober.mjs'),
          `http://${INTERNET_ADDR}/`,
          String(PROBE_EVERY_MS),
          String(PROBE_TIMEOUT_MS),
          String(Math.ceil((detectMs + period) / 1000) + 90),
        ],
        {},
      );
      invocations.start();
      const p = prober;
      await waitFor(
        'good round of the checker',
        30_000,
        () => invocations.lines().find((l) => l.json?.type === 'round' && l.json.ok === true),
        tail,
      );
      // A random moment of a round, or with a schedule of the lab's minute (hand-over included).
      if (period > 0) {
        const phase = minutePhases(period)[(opts.phase ?? 0) % 3]!;
        await sleep(nextMoment(invocations.t0, period, phase, Date.now()) - Date.now());
      } else await sleep(Math.random() * t.intervalSeconds * 1000);
      await this.fault(kind, s);
      const faultAt = Date.now();
      this.log(`fault ${kind} at ${new Date(faultAt).toISOString()}`);
      const flowing = await waitFor(
        'connection through the gateway after the fault',
        detectMs + 30_000,
        () =>
          p.lines.find(
            (l) =>
              l.json?.ok === true &&
              (l.json.sent as number) >= faultAt &&
              l.json.from === z.gatewayPublic,
          ),
        tail,
      );
      const decided = await waitFor(
        'failover line of the checker',
        10_000,
        () => invocations.first((l) => l.json?.type === 'failover' && l.at >= faultAt),
        tail,
      );
      const decision = decided.line;
      await waitFor('end of the invocation', 15_000, () =>
        decided.from.lines.find((l) => l.json?.driver),
      );
      const runs = [...s.started.values()];
      const failover: ExecutionResult = runs[0]
        ? await within(runs[0].result, 30_000, { status: 'TIMED_OUT', error: 'not done in 30 s' })
        : { status: 'FAILED', error: 'no execution was run' };
      const listed = await this.sfn.send(
        new ListExecutionsCommand({ stateMachineArn: s.stateMachineArn }),
      );
      const executions = await Promise.all(
        (listed.executions ?? []).map(async (e) => {
          const d = await this.sfn.send(
            new DescribeExecutionCommand({ executionArn: e.executionArn }),
          );
          return { name: e.name!, input: JSON.parse(d.input ?? 'null') as unknown };
        }),
      );
      const [table] = await observeRouteTables(this.ec2, s.zone.routeTables);
      const r = table?.defaultRoute;
      const routeAt = s.routeEvents.find((e) => e.target === 'gateway' && e.at >= faultAt)?.at;
      return {
        fault: kind,
        timing: t,
        faultAt,
        faultToFlowingMs: (flowing.json!.sent as number) - faultAt,
        faultToStartMs: decision.at - faultAt,
        faultToRouteMs: routeAt === undefined ? NaN : routeAt - faultAt,
        ...(period > 0 ? { phaseMs: (faultAt - invocations.t0) % period } : {}),
        checker: (period > 0 ? invocations.lines() : decided.from.lines).flatMap((l) =>
          l.json ? [l.json] : [],
        ),
        executions,
        failover,
        tableTarget: r?.natGatewayId ?? r?.networkInterfaceId ?? r?.instanceId,
        hostRoute: (await must(['ip', '-n', z.private, 'route', 'show', 'default'])).trim(),
        natAnswersAfterFault: p.lines.filter(
          (l) => (l.json?.sent as number) >= faultAt && l.json?.from === z.natPublic,
        ).length,
        whoamiAfter: await this.lab.whoami('a'),
      };
    } finally {
      invocations.stop();
      kill(prober?.child);
      await this.stopLoop();
      try {
        await this.repair(kind);
      } catch (e) {
        this.log(`repair after ${kind} failed: ${String(e)}`);
      }
    }
  }

  /** Bounded: the private host reaches the internet through the NAT. */
  private async natAnswers(): Promise<void> {
    const z = this.lab.zone('a');
    let seen: string | undefined;
    for (let i = 0; i < 20; i++) {
      seen = await this.lab.whoami('a', 1);
      if (seen === z.natPublic) return;
      await sleep(250);
    }
    throw new Error(`the private host does not reach the internet through the NAT (saw ${seen})`);
  }

  async destroy(): Promise<void> {
    await this.stopLoop();
    this.relay?.close();
    this.relay = undefined;
    this.ec2.destroy();
    this.sfn.destroy();
    await this.lab.destroy();
  }
}
