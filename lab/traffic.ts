// What a zone's workloads see while something happens to the fleet: a new HTTP connection every
// 100 ms (new connections failed) and a few long-lived TCP connections echoing every 100 ms
// (established connections reset or paused), per zone. The maintenance scenario measures with
// it; so can any other change to the datapath (connection handoff, operator verbs).
import { follow, type Followed } from './checker-lab.js';
import { CLOSE_PORT, INTERNET_ADDR, type Lab } from './topology.js';
import { serverPath } from './paths.js';
import { sleep } from './exec.js';

export const ECHO_PORT = CLOSE_PORT + 1;
const PROBE_EVERY_MS = 100;
const PROBE_TIMEOUT_MS = 1_000;
const ECHO_EVERY_MS = 100;
/** A long-lived connection that waited longer than this for an echo was paused. */
export const PAUSE_MS = 1_000;

export interface ZoneTraffic {
  zone: string;
  /** New connections made, and those that got no answer within 1 s. */
  newTotal: number;
  newFailed: number;
  /** Long-lived connections held, and those that broke (reset, closed, or stuck at the end). */
  established: number;
  reset: number;
  /** Long-lived connections that survived but waited more than PAUSE_MS for an echo. */
  paused: number;
  /** The longest wait for an echo on a surviving connection, ms. */
  maxPauseMs: number;
  /** Why each broken connection broke. */
  errors: string[];
}

export interface Watched<T> {
  result: T;
  ms: number;
  zones: ZoneTraffic[];
}

const stop = (f: Followed) => {
  if (f.child.exitCode === null && f.child.signalCode === null) f.child.kill('SIGTERM');
};

async function waitFor(f: Followed, test: () => boolean, what: string, ms: number) {
  const deadline = Date.now() + ms;
  while (!test()) {
    if (f.child.exitCode !== null || Date.now() > deadline)
      throw new Error(`traffic: ${what} (${f.stderr().trim() || 'no output'})`);
    await sleep(20);
  }
}

/**
 * Runs `during` while every zone in `zones` makes new connections and holds `long` long-lived
 * ones (bounded by `maxSeconds`); returns its result, how long it took and per zone what failed.
 */
export async function watchTraffic<T>(
  lab: Lab,
  zones: string[],
  during: () => Promise<T>,
  o: { long?: number; maxSeconds?: number } = {},
): Promise<Watched<T>> {
  const long = o.long ?? 3;
  const seconds = String(o.maxSeconds ?? 600);
  const probers = new Map<string, Followed>();
  const holders = new Map<string, Followed>();
  try {
    for (const zone of zones) {
      const ns = lab.zone(zone).private;
      const url = `http://${INTERNET_ADDR}/`;
      probers.set(
        zone,
        follow(
          ns,
          [
            'node',
            serverPath('prober.mjs'),
            url,
            String(PROBE_EVERY_MS),
            String(PROBE_TIMEOUT_MS),
            seconds,
          ],
          {},
        ),
      );
      const argv = [serverPath('long-lived.mjs'), INTERNET_ADDR, String(ECHO_PORT)];
      holders.set(
        zone,
        follow(ns, ['node', ...argv, String(long), String(ECHO_EVERY_MS), seconds], {}),
      );
    }
    for (const [zone, f] of holders)
      await waitFor(
        f,
        () => f.lines.some((l) => l.text === 'ready'),
        `zone ${zone}: connections not open`,
        15_000,
      );
    const start = Date.now();
    const result = await during();
    const ms = Date.now() - start;
    // Let the last probes end (each has 1 s), then the holders report.
    await sleep(PROBE_TIMEOUT_MS + 200);
    const out: ZoneTraffic[] = [];
    for (const zone of zones) {
      const p = probers.get(zone)!;
      const h = holders.get(zone)!;
      stop(p);
      stop(h);
      await waitFor(
        h,
        () => h.lines.filter((l) => l.json).length >= long,
        `zone ${zone}: no report`,
        10_000,
      );
      const probes = p.lines.filter(
        (l) => l.json && (l.json.sent as number) >= start && (l.json.sent as number) <= start + ms,
      );
      const conns = h.lines.filter((l) => l.json).map((l) => l.json!);
      const alive = conns.filter((c) => c.ok === true);
      out.push({
        zone,
        newTotal: probes.length,
        newFailed: probes.filter((l) => l.json!.ok !== true).length,
        established: conns.length,
        reset: conns.length - alive.length,
        paused: alive.filter((c) => (c.maxGapMs as number) > PAUSE_MS).length,
        maxPauseMs: Math.max(0, ...alive.map((c) => c.maxGapMs as number)),
        errors: conns.filter((c) => c.ok !== true).map((c) => String(c.error)),
      });
    }
    return { result, ms, zones: out };
  } finally {
    for (const f of [...probers.values(), ...holders.values()])
      if (f.child.exitCode === null && f.child.signalCode === null) f.child.kill('SIGKILL');
  }
}
