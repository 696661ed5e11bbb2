// The datapath through a zone's NAT against plain routing in the same namespaces (the NAT's
// table removed, a return route on the internet host): TCP throughput, small-UDP rate and
// new-connection rate, in interleaved rounds so both modes share the machine's load. Used by
// `npm run bench:datapath` (lab/bench.ts) and the lab's datapath scenario.
import { inNs, must, run, sleep } from './exec.js';
import { CLOSE_PORT, INTERNET_ADDR, VPC_CIDR, type Lab } from './topology.js';
import { serverPath } from './paths.js';

export type Mode = 'routed' | 'nat';
export type Metric = 'tcp' | 'udp' | 'conn';
export const METRICS: Metric[] = ['tcp', 'udp', 'conn'];
export const LABEL: Record<Metric, string> = {
  tcp: 'TCP, 1 stream (Gbit/s)',
  udp: '64-byte UDP received (kpps)',
  conn: 'new connections (k/s)',
};

export interface Where {
  zone: string;
  /** The NAT slot whose instance carries the zone (0 in a lab without a control plane). */
  slot: number;
}

async function iperf(lab: Lab, ns: string, seconds: number, args: string[]) {
  // The server takes one test at a time; retry briefly while it finishes the last one.
  for (let i = 0; i < 20; i++) {
    const r = await lab.exec(
      ns,
      ['iperf3', '-c', INTERNET_ADDR, '-J', '-t', String(seconds), ...args],
      { timeoutMs: (seconds + 10) * 1000 },
    );
    if (r.code === 0) return JSON.parse(r.stdout) as Record<string, unknown>;
    await sleep(250);
  }
  throw new Error(`iperf3 ${args.join(' ')} kept failing from ${ns}`);
}

export async function measure(
  lab: Lab,
  w: Where,
  metric: Metric,
  seconds: number,
): Promise<number> {
  const ns = lab.zone(w.zone).private;
  if (metric === 'tcp') {
    const j = (await iperf(lab, ns, seconds, [])) as {
      end: { sum_received: { bits_per_second: number } };
    };
    return j.end.sum_received.bits_per_second / 1e9;
  }
  if (metric === 'udp') {
    const j = (await iperf(lab, ns, seconds, ['-u', '-l', '64', '-b', '0'])) as {
      end: { sum: { packets: number; lost_packets: number; seconds: number } };
    };
    const s = j.end.sum;
    return (s.packets - s.lost_packets) / s.seconds / 1e3;
  }
  const out = await must(
    inNs(ns, [
      'node',
      serverPath('connect-rate.mjs'),
      INTERNET_ADDR,
      String(CLOSE_PORT),
      String(seconds),
      '8',
    ]),
    { timeoutMs: (seconds + 10) * 1000 },
  );
  const r = JSON.parse(out) as { perSecond: number; failed: number };
  if (r.failed > 0) throw new Error(`${r.failed} connections failed: the path is broken`);
  return r.perSecond / 1e3;
}

export async function setMode(lab: Lab, w: Where, mode: Mode): Promise<void> {
  const z = lab.slot(w.zone, w.slot);
  if (mode === 'routed') {
    await run(inNs(z.nat, ['nft', 'delete', 'table', 'ip', 'natfleet']));
    await must(['ip', '-n', lab.internetNs, 'route', 'replace', VPC_CIDR, 'via', z.natPublic]);
    if ((await lab.whoami(w.zone)) !== z.privateAddr)
      throw new Error('plain routing does not work');
  } else {
    await run(['ip', '-n', lab.internetNs, 'route', 'del', VPC_CIDR]);
    const boot = await lab.bootNat(w.zone, w.slot);
    if (boot.code !== 0) throw new Error(`boot failed: ${boot.stderr}`);
    if ((await lab.whoami(w.zone)) !== z.natPublic) throw new Error('the NAT does not translate');
  }
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export type Results = Record<Mode, Record<Metric, number[]>>;

/** Interleaved rounds of every metric in both modes; ends with the NAT translating again. */
export async function compare(
  lab: Lab,
  w: Where,
  o: {
    rounds: number;
    seconds: number;
    metrics?: Metric[];
    onRound?: (r: Results, round: number) => void;
  },
): Promise<Results> {
  const metrics = o.metrics ?? METRICS;
  const results: Results = {
    routed: { tcp: [], udp: [], conn: [] },
    nat: { tcp: [], udp: [], conn: [] },
  };
  try {
    for (let round = 1; round <= o.rounds; round++) {
      const order: Mode[] = round % 2 ? ['routed', 'nat'] : ['nat', 'routed'];
      for (const mode of order) {
        await setMode(lab, w, mode);
        for (const metric of metrics)
          results[mode][metric].push(await measure(lab, w, metric, o.seconds));
      }
      o.onRound?.(results, round);
    }
  } finally {
    await setMode(lab, w, 'nat');
  }
  return results;
}

/** NAT / routed per metric: the median of per-round ratios (each round's pair shares its load). */
export function ratios(r: Results, metrics: Metric[] = METRICS): Partial<Record<Metric, number>> {
  return Object.fromEntries(
    metrics
      .filter((k) => r.nat[k].length)
      .map((k) => [k, median(r.nat[k].map((n, i) => n / r.routed[k][i]!))]),
  );
}
