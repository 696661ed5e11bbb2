// Fakes for the checker's unit tests: a clock that only moves when nothing else can run, and
// a web whose answers are scripted per URL and per moment.
import type { Clock, HttpGet } from '../lib/checker/probe.js';
import type {
  CheckerDeps,
  CheckerMetrics,
  FailoverInput,
  Round,
  StartOutcome,
} from '../lib/checker/invocation.js';
import type { CheckerSettings } from '../lib/checker/settings.js';
import type { Mode } from '../lib/fleet.js';
import type { ProbeResult } from '../lib/checker/probe.js';

interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
}

/** One zone's checker settings as its stack passes them, `over` in place of these. */
export const checkerSettings = (over: Partial<CheckerSettings> = {}): CheckerSettings => ({
  environment: 'prod',
  zone: 'eu-west-1a',
  urls: ['https://a.example'],
  intervalSeconds: 5,
  timeoutSeconds: 2,
  unhealthyThreshold: 2,
  probeSeconds: 55,
  routeTables: ['rtb-0123456789abcdef0'],
  failoverArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:natfleet-prod-Failover',
  autoFallback: false,
  healthyMinutes: 10,
  ...over,
});

const idle = () => new Promise<void>((r) => setImmediate(r));

export class FakeClock implements Clock {
  private timers: Timer[] = [];
  private seq = 0;
  constructor(public t = Date.UTC(2026, 10, 23, 3, 12, 0)) {}

  now = () => this.t;

  sleep = (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = { at: this.t + Math.max(0, ms), seq: this.seq++, resolve };
      this.timers.push(timer);
      signal?.addEventListener(
        'abort',
        () => {
          this.timers = this.timers.filter((x) => x !== timer);
          resolve();
        },
        { once: true },
      );
    });

  /** Settles `work`, moving time to the next timer whenever everything else is waiting. */
  async run<T>(work: Promise<T>, limitMs = 15 * 60_000): Promise<T> {
    const end = this.t + limitMs;
    let settled = false;
    const watched = work.finally(() => (settled = true));
    watched.catch(() => undefined);
    for (;;) {
      await idle();
      if (settled) return watched;
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers.shift();
      if (!next) throw new Error('stuck: nothing is scheduled and the work has not settled');
      if (next.at > end) throw new Error(`still running after ${limitMs} ms of fake time`);
      this.t = next.at;
      next.resolve();
    }
  }
}

/** What one URL does at a moment: answer after ms, refuse after ms, or never answer. */
export type Behaviour = { status: number; ms?: number } | { refuse: true; ms?: number } | 'hang';

export function fakeWeb(clock: FakeClock, script: (url: string, t: number) => Behaviour) {
  const calls: { url: string; at: number }[] = [];
  const get: HttpGet = async (url, signal) => {
    calls.push({ url, at: clock.now() });
    const b = script(url, clock.now());
    if (b === 'hang') {
      await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
      throw new Error('The operation was aborted');
    }
    await clock.sleep(b.ms ?? 20, signal);
    if (signal.aborted) throw new Error('The operation was aborted');
    if ('refuse' in b)
      throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    return { status: b.status };
  };
  return { get, calls };
}

/** Step Functions as far as names go: a second start under a used name is refused. */
export function fakeStepFunctions() {
  const started: { arn: string; name: string; input: FailoverInput }[] = [];
  // Names of executions that have closed (Step Functions keeps their names taken).
  const closed = new Set<string>();
  const calls: string[] = [];
  let failures = 0;
  return {
    started,
    calls,
    /** Closes every execution started so far. */
    closeAll() {
      for (const s of started) closed.add(s.name);
    },
    failNext(n: number) {
      failures = n;
    },
    start: async (arn: string, name: string, input: FailoverInput): Promise<StartOutcome> => {
      calls.push(name);
      if (failures > 0) {
        failures--;
        throw new Error('connect ETIMEDOUT states.eu-west-1.amazonaws.com');
      }
      // As Step Functions: a repeat of a running execution's name and input gets that execution.
      const same = started.find((s) => s.arn === arn && s.name === name);
      if (same) {
        const repeat = !closed.has(name) && JSON.stringify(same.input) === JSON.stringify(input);
        return repeat ? 'already-started' : 'name-taken';
      }
      started.push({ arn, name, input });
      return 'started';
    },
  };
}

export function recordingMetrics() {
  const seen = {
    probes: [] as ProbeResult[],
    rounds: [] as Round[],
    modes: [] as Mode[],
    failovers: 0,
  };
  const metrics: CheckerMetrics = {
    round: async (r) => {
      seen.rounds.push(r);
      seen.probes.push(...r.probes);
    },
    mode: async (m) => void seen.modes.push(m),
    failoverStarted: async () => void seen.failovers++,
  };
  return { seen, metrics };
}

export function fakeDeps(
  clock: FakeClock,
  script: (url: string, t: number) => Behaviour,
  opts: { mode?: Mode | (() => Mode); sfn?: ReturnType<typeof fakeStepFunctions> } = {},
) {
  const web = fakeWeb(clock, script);
  const sfn = opts.sfn ?? fakeStepFunctions();
  const { seen, metrics } = recordingMetrics();
  const lines: Record<string, unknown>[] = [];
  let modeReads = 0;
  const deps: CheckerDeps = {
    clock,
    get: web.get,
    readMode: async () => {
      modeReads++;
      await clock.sleep(50);
      const m = opts.mode ?? 'instance';
      return typeof m === 'function' ? m() : m;
    },
    startExecution: sfn.start,
    metrics,
    log: (l) => lines.push(JSON.parse(JSON.stringify(l))),
  };
  return { deps, web, sfn, seen, lines, modeReads: () => modeReads };
}
