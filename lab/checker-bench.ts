// The lab part of npm run bench:checker: fault → flowing again, per fault kind, at 1 s / 2 and
// at the defaults (5 s / 3), with the real checker bundle, moto and the real Failover
// definition (lab/checker-lab.ts). Fault kinds are interleaved; one lab for all runs.
// BENCH_LAB_RUNS runs per fault kind and setting (default 5). Prints numbers; asserts nothing.
import { CheckerLab, DEFAULTS, FAST, FAULTS, type Fault, type Timing } from './checker-lab.js';
import { labUnavailable } from './topology.js';

const RUNS = Number(process.env.BENCH_LAB_RUNS ?? 5);
const TARGET_MS = 5_000;

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
};
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

const why = labUnavailable();
if (why) {
  console.log(`fault→flowing  not measured: ${why}`);
  process.exit(0);
}
if (!(RUNS >= 1 && RUNS <= 50)) {
  console.error(`BENCH_LAB_RUNS: expected 1 to 50, got ${process.env.BENCH_LAB_RUNS}`);
  process.exit(2);
}

const started = Date.now();
const cl = await CheckerLab.create();
let failed = 0;
try {
  for (const [label, timing] of [
    ['1 s / 2', FAST],
    ['5 s / 3 (defaults)', DEFAULTS],
  ] as [string, Timing][]) {
    const results = new Map<Fault, { flowing: number[]; start: number[] }>(
      FAULTS.map((f) => [f, { flowing: [], start: [] }]),
    );
    for (let i = 0; i < RUNS; i++) {
      for (const fault of FAULTS) {
        try {
          const r = await cl.run(fault, timing);
          results.get(fault)!.flowing.push(r.faultToFlowingMs);
          results.get(fault)!.start.push(r.faultToStartMs);
          console.log(
            `  ${label} ${fault} run ${i + 1}/${RUNS}: flowing after ${secs(r.faultToFlowingMs)} ` +
              `(failover started after ${secs(r.faultToStartMs)})`,
          );
        } catch (e) {
          failed++;
          console.log(`  ${label} ${fault} run ${i + 1}/${RUNS}: FAILED ${String(e)}`);
        }
      }
    }
    for (const fault of FAULTS) {
      const { flowing, start } = results.get(fault)!;
      if (flowing.length === 0) continue;
      console.log(
        `fault→flowing  ${label.padEnd(18)} ${fault.padEnd(6)} median ${secs(quantile(flowing, 0.5))}, ` +
          `p95 ${secs(quantile(flowing, 0.95))} over ${flowing.length} runs ` +
          `(→ failover started: median ${secs(quantile(start, 0.5))})` +
          (timing === FAST ? `, target p95 ≤ ${secs(TARGET_MS)}` : ''),
      );
    }
    const all = [...results.values()].flatMap((r) => r.flowing);
    if (all.length > 0)
      console.log(
        `fault→flowing  ${label.padEnd(18)} all    median ${secs(quantile(all, 0.5))}, ` +
          `p95 ${secs(quantile(all, 0.95))} over ${all.length} runs`,
      );
  }
} finally {
  await cl.destroy();
}
console.log(
  `lab            ${failed} failed run(s); ${((Date.now() - started) / 1000).toFixed(0)} s in all`,
);
process.exit(failed ? 1 : 0);
