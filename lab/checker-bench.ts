// The lab part of npm run bench:checker: fault → flowing again at the old defaults (5 s / 2 s /
// 3, 55 s of probing a minute) and the new ones (1 s / 1 s / 3, invocations overlapping),
// side by side, with the real checker bundle on its schedule, moto and the real Failover
// definition (lab/checker-lab.ts). Faults come at random moments of the lab's minute, in each
// of its phases in turn (minutePhases); fault kinds are interleaved. BENCH_LAB_MINUTE_MS sets the
// minute (default 20 s; 60000 is the real one). Then the false-failover study (lab/checker-study.ts).
// BENCH_LAB_RUNS runs per profile (default 15, fault kinds in turn); BENCH_STUDY_SECONDS per
// nuisance (default 60; 0 skips the study); BENCH_PROFILES old,new (default both). Prints numbers; asserts nothing.
import {
  CheckerLab,
  DEFAULTS,
  FASTEST,
  FAULTS,
  LAB_MINUTE_MS,
  minutePhases,
  OLD_DEFAULTS,
  type RunOutcome,
  type Timing,
} from './checker-lab.js';
import { falseFailoverStudy, NUISANCES, type Nuisance } from './checker-study.js';
import { labUnavailable } from './topology.js';

const RUNS = Number(process.env.BENCH_LAB_RUNS ?? 15);
const STUDY_SECONDS = Number(process.env.BENCH_STUDY_SECONDS ?? 60);
// BENCH_STUDY_NUISANCES=flapping,slow-dns (default all): some of the study's nuisances.
const NUISANCE_LIST = (process.env.BENCH_STUDY_NUISANCES ?? NUISANCES.join(',')).split(',');
const TARGET_MS = 5_000;
const ALL_PROFILES: [string, Timing][] = [
  ['old 5 s/2 s/3', OLD_DEFAULTS],
  ['new 1 s/1 s/3', DEFAULTS],
];
// BENCH_PROFILES=old,new (default both): the labels' first words.
const wanted = (process.env.BENCH_PROFILES ?? 'old,new').split(',');
const PROFILES = ALL_PROFILES.filter(([l]) => wanted.includes(l.split(' ')[0]!));
/** Moments of the lab's minute (an invocation starts at 0), taken in turn by the runs. */
const PHASES = minutePhases(LAB_MINUTE_MS);
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
};
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const stats = (xs: number[]) =>
  xs.length === 0
    ? '—'
    : `${secs(quantile(xs, 0.5))} / ${secs(quantile(xs, 0.95))} / ${secs(Math.max(...xs))} (${xs.length})`;

const why = labUnavailable();
if (why) {
  console.log(`fault→flowing  not measured: ${why}`);
  process.exit(0);
}
const unknown = NUISANCE_LIST.filter((n) => !(NUISANCES as string[]).includes(n));
if (unknown.length) {
  console.error(
    `BENCH_STUDY_NUISANCES: expected some of ${NUISANCES.join(', ')}; got ${unknown.join(', ')}`,
  );
  process.exit(2);
}
if (!(RUNS >= 0 && RUNS <= 60) || !(STUDY_SECONDS >= 0 && STUDY_SECONDS <= 3600)) {
  console.error('BENCH_LAB_RUNS: expected 0 to 60; BENCH_STUDY_SECONDS: expected 0 to 3600');
  process.exit(2);
}

const started = Date.now();
const cl = await CheckerLab.create();
let failed = 0;
const results = new Map<string, RunOutcome[]>(PROFILES.map(([l]) => [l, []]));
try {
  // Profiles and fault kinds interleaved, so that the machine's load falls on both alike.
  for (let i = 0; i < RUNS; i++) {
    for (const [label, timing] of PROFILES) {
      const fault = FAULTS[i % FAULTS.length]!;
      try {
        // Phases change every FAULTS.length runs: each fault kind meets each phase.
        const phase = Math.floor(i / FAULTS.length) % PHASES.length;
        const r = await cl.run(fault, timing, { phase });
        results.get(label)!.push(r);
        console.log(
          `  ${label} ${fault} run ${i + 1}/${RUNS} at ${secs(r.phaseMs ?? 0)} of the minute: ` +
            `flowing after ${secs(r.faultToFlowingMs)} (failover started after ${secs(r.faultToStartMs)})`,
        );
      } catch (e) {
        failed++;
        console.log(`  ${label} ${fault} run ${i + 1}/${RUNS}: FAILED ${String(e)}`);
      }
    }
  }
  if (RUNS > 0) {
    const col = (s: string) => s.padEnd(34);
    console.log(
      `\nfault → flowing again: median / p95 / max (runs); target p95 ≤ ${secs(TARGET_MS)}`,
    );
    console.log(`| ${col('')} | ${PROFILES.map(([l]) => col(l)).join(' | ')} |`);
    const line = (
      what: string,
      pick: (r: RunOutcome) => boolean,
      of = (r: RunOutcome) => r.faultToFlowingMs,
    ) =>
      console.log(
        `| ${col(what)} | ${PROFILES.map(([l]) => col(stats(results.get(l)!.filter(pick).map(of)))).join(' | ')} |`,
      );
    line('all faults', () => true);
    for (const f of FAULTS) line(`  ${f}`, (r) => r.fault === f);
    line(
      'fault → failover started',
      () => true,
      (r) => r.faultToStartMs,
    );
    console.log(
      `\nby the fault's moment in the lab's ${LAB_MINUTE_MS / 1000} s minute (fault → flowing again)`,
    );
    for (const p of PHASES)
      line(p.label, (r) => (r.phaseMs ?? 0) >= p.fromMs && (r.phaseMs ?? 0) < p.toMs);
  }
  if (STUDY_SECONDS > 0) {
    const profiles = { 'new 1 s/1 s/3': DEFAULTS, 'fastest 1 s/1 s/2': FASTEST };
    const t0 = Date.now();
    const rows = await falseFailoverStudy(
      cl,
      profiles,
      STUDY_SECONDS,
      (l) => console.log(`  ${l}`),
      NUISANCE_LIST as Nuisance[],
    );
    console.log(
      `\nfalse-failover study: ${Math.round((Date.now() - t0) / 1000)} s in all, ${STUDY_SECONDS} s per nuisance, profiles side by side`,
    );
    console.log(
      '| nuisance   | profile            | invocations | failed rounds | max in a row | false failovers |',
    );
    for (const r of rows)
      console.log(
        `| ${r.nuisance.padEnd(10)} | ${r.profile.padEnd(18)} | ${String(r.invocations).padStart(11)} | ` +
          `${`${r.failedRounds}/${r.rounds}`.padStart(13)} | ${String(r.maxConsecutive).padStart(12)} | ` +
          `${String(r.falseFailovers).padStart(15)} |${r.errors ? ` ${r.errors} error(s)` : ''}`,
      );
  }
} finally {
  await cl.destroy();
}
console.log(
  `lab            ${failed} failed run(s); ${((Date.now() - started) / 1000).toFixed(0)} s in all`,
);
process.exit(failed ? 1 : 0);
