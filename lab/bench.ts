// npm run bench:datapath — throughput, small-packet rate and new-connection rate from a
// private host to the internet host, through the natfleet NAT and through plain routing in
// the same topology (same namespaces, the NAT table removed and a return route added).
// Interleaved rounds, medians, ratio NAT / routed. Numbers describe this machine only.
import { inNs, must, run, sleep } from './exec.js';
import { CLOSE_PORT, INTERNET_ADDR, Lab, VPC_CIDR, hasTool } from './topology.js';
import { serverPath } from './paths.js';

const ROUNDS = Number(process.env.NATFLEET_BENCH_ROUNDS ?? 7);
const SECONDS = Number(process.env.NATFLEET_BENCH_SECONDS ?? 2);
type Mode = 'routed' | 'nat';
type Metric = 'tcp' | 'udp' | 'conn';
const LABEL: Record<Metric, string> = {
  tcp: 'TCP, 1 stream (Gbit/s)',
  udp: '64-byte UDP received (kpps)',
  conn: 'new connections (k/s)',
};

async function iperf(lab: Lab, ns: string, args: string[]): Promise<Record<string, unknown>> {
  // The server takes one test at a time; retry briefly while it finishes the last one.
  for (let i = 0; i < 20; i++) {
    const r = await lab.exec(
      ns,
      ['iperf3', '-c', INTERNET_ADDR, '-J', '-t', String(SECONDS), ...args],
      {
        timeoutMs: (SECONDS + 10) * 1000,
      },
    );
    if (r.code === 0) return JSON.parse(r.stdout);
    await sleep(250);
  }
  throw new Error(`iperf3 ${args.join(' ')} kept failing from ${ns}`);
}

async function measure(lab: Lab, metric: Metric): Promise<number> {
  const ns = lab.zone('a').private;
  if (metric === 'tcp') {
    const j = (await iperf(lab, ns, [])) as { end: { sum_received: { bits_per_second: number } } };
    return j.end.sum_received.bits_per_second / 1e9;
  }
  if (metric === 'udp') {
    const j = (await iperf(lab, ns, ['-u', '-l', '64', '-b', '0'])) as {
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
      String(SECONDS),
      '8',
    ]),
    { timeoutMs: (SECONDS + 10) * 1000 },
  );
  const r = JSON.parse(out) as { perSecond: number; failed: number };
  if (r.failed > 0) throw new Error(`${r.failed} connections failed: the path is broken`);
  return r.perSecond / 1e3;
}

async function setMode(lab: Lab, mode: Mode): Promise<void> {
  const z = lab.zone('a');
  if (mode === 'routed') {
    await run(inNs(z.nat, ['nft', 'delete', 'table', 'ip', 'natfleet']));
    await must(['ip', '-n', lab.internetNs, 'route', 'replace', VPC_CIDR, 'via', z.natPublic]);
    if ((await lab.whoami('a')) !== z.privateAddr) throw new Error('plain routing does not work');
  } else {
    await run(['ip', '-n', lab.internetNs, 'route', 'del', VPC_CIDR]);
    const boot = await lab.bootNat('a');
    if (boot.code !== 0) throw new Error(`boot failed: ${boot.stderr}`);
    if ((await lab.whoami('a')) !== z.natPublic) throw new Error('the NAT does not translate');
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const fmt = (n: number) => n.toFixed(n >= 100 ? 0 : n >= 10 ? 1 : 2);

async function main(): Promise<void> {
  if (!hasTool('iperf3')) throw new Error('iperf3 is not installed (apt-get install iperf3)');
  const t0 = Date.now();
  console.log(`bench:datapath — ${ROUNDS} interleaved rounds of ${SECONDS} s per test`);
  const lab = await Lab.create({ zones: 1 });
  const results: Record<Mode, Record<Metric, number[]>> = {
    routed: { tcp: [], udp: [], conn: [] },
    nat: { tcp: [], udp: [], conn: [] },
  };
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      const order: Mode[] = round % 2 ? ['routed', 'nat'] : ['nat', 'routed'];
      for (const mode of order) {
        await setMode(lab, mode);
        for (const metric of ['tcp', 'udp', 'conn'] as Metric[])
          results[mode][metric].push(await measure(lab, metric));
      }
      const r = (m: Mode) =>
        (['tcp', 'udp', 'conn'] as Metric[]).map((k) => fmt(results[m][k].at(-1)!)).join(' / ');
      console.log(
        `round ${round}/${ROUNDS}: routed ${r('routed')}  nat ${r('nat')}  (tcp Gbit/s / udp kpps / conn k/s)`,
      );
    }
  } finally {
    await lab.destroy();
  }
  console.log('');
  console.log(
    '| metric | routed, median (min–max) | NAT, median (min–max) | ratio of medians | median of per-round ratios |',
  );
  console.log('| --- | --- | --- | --- | --- |');
  const range = (xs: number[]) => `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`;
  for (const k of ['tcp', 'udp', 'conn'] as Metric[]) {
    const routed = median(results.routed[k]);
    const nat = median(results.nat[k]);
    // Each round's two runs share the machine's load of that moment: their ratio cancels drift.
    const paired = median(results.nat[k].map((n, i) => n / results.routed[k][i]!));
    console.log(
      `| ${LABEL[k]} | ${fmt(routed)} (${range(results.routed[k])}) | ${fmt(nat)} (${range(results.nat[k])}) | ${(nat / routed).toFixed(2)} | ${paired.toFixed(2)} |`,
    );
  }
  console.log(
    `\ntarget: ratio ≥ 0.9 on each; ${ROUNDS} rounds in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
  );
}

main().catch((e: Error) => {
  console.error(`bench:datapath: ${e.message}`);
  process.exit(1);
});
