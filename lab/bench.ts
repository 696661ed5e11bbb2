// npm run bench:datapath — throughput, small-packet rate and new-connection rate from a
// private host to the internet host, through the natfleet NAT and through plain routing in
// the same topology (same namespaces, the NAT table removed and a return route added).
// Interleaved rounds, medians, ratio NAT / routed. Numbers describe this machine only.
import { Lab, hasTool } from './topology.js';
import { compare, LABEL, median, METRICS, type Metric, type Mode } from './datapath.js';

const ROUNDS = Number(process.env.NATFLEET_BENCH_ROUNDS ?? 7);
const SECONDS = Number(process.env.NATFLEET_BENCH_SECONDS ?? 2);
const fmt = (n: number) => n.toFixed(n >= 100 ? 0 : n >= 10 ? 1 : 2);

async function main(): Promise<void> {
  if (!hasTool('iperf3')) throw new Error('iperf3 is not installed (apt-get install iperf3)');
  const t0 = Date.now();
  console.log(`bench:datapath — ${ROUNDS} interleaved rounds of ${SECONDS} s per test`);
  const lab = await Lab.create({ zones: 1 });
  let results;
  try {
    results = await compare(
      lab,
      { zone: 'a', slot: 0 },
      {
        rounds: ROUNDS,
        seconds: SECONDS,
        onRound: (res, round) => {
          const r = (m: Mode) => METRICS.map((k) => fmt(res[m][k].at(-1)!)).join(' / ');
          console.log(
            `round ${round}/${ROUNDS}: routed ${r('routed')}  nat ${r('nat')}  (tcp Gbit/s / udp kpps / conn k/s)`,
          );
        },
      },
    );
  } finally {
    await lab.destroy();
  }
  console.log('');
  console.log(
    '| metric | routed, median (min–max) | NAT, median (min–max) | ratio of medians | median of per-round ratios |',
  );
  console.log('| --- | --- | --- | --- | --- |');
  const range = (xs: number[]) => `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`;
  for (const k of METRICS as Metric[]) {
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
