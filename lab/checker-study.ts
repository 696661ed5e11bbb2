// The false-failover study (docs/checker.md): the NAT stays healthy while the checker's world
// misbehaves — one site dead, one slow, both flapping, a slow resolver, CPU bursts on the
// checker's host — and the invocations hand over as the schedule runs them the whole time.
// Each profile's checkers run side by side, each against its own Failover state machine in
// moto (nothing runs it: a start is only counted). Any failover decision is a false one.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateStateMachineCommand } from '@aws-sdk/client-sfn';
import {
  CheckerLab,
  follow,
  Invocations,
  waitFor,
  type Followed,
  type Timing,
} from './checker-lab.js';
import { sleep } from './exec.js';
import { replaceFile } from './files.js';
import { serverPath } from './paths.js';
import { CONTROL_ADDR, INTERNET_ADDR } from './topology.js';

export type Nuisance =
  'hand-over' | 'dead-url' | 'slow-url' | 'flapping' | 'slow-dns' | 'cpu-burst';
export const NUISANCES: Nuisance[] = [
  'hand-over',
  'dead-url',
  'slow-url',
  'flapping',
  'slow-dns',
  'cpu-burst',
];
const SITE_PORTS = ['8081', '8082'];
const NAMES = ['site-a.lab.test', 'site-b.lab.test'];

export interface StudyRow {
  nuisance: Nuisance;
  profile: string;
  seconds: number;
  invocations: number;
  rounds: number;
  failedRounds: number;
  maxConsecutive: number;
  /** Failover decisions (started, already-started, skipped, error): each one is false. */
  falseFailovers: number;
  /** Invocations that ended with an error (none expected). */
  errors: number;
}

type Line = Followed['lines'][number];

/** Runs every nuisance for `seconds` with all profiles at once; returns one row per pair. */
export async function falseFailoverStudy(
  cl: CheckerLab,
  profiles: Record<string, Timing>,
  seconds: number,
  progress: (line: string) => void = () => {},
  nuisances: Nuisance[] = NUISANCES,
): Promise<StudyRow[]> {
  const lab = cl.lab;
  const z = lab.zone('a');
  const s = await cl.prepare();
  await lab.routeVia('a', 'nat');
  const dir = join(lab.dir, 'study');
  mkdirSync(dir, { recursive: true });
  const siteModes = join(dir, 'sites.json');
  const dnsMode = join(dir, 'dns.json');
  const setModes = (sites: Record<string, string>, dns = 'fast') => {
    replaceFile(siteModes, JSON.stringify(sites));
    replaceFile(dnsMode, JSON.stringify({ delay: dns }));
  };
  setModes({});
  // The private host's resolver is the VPC's (on the endpoint link, not behind the NAT).
  const netnsEtc = `/etc/netns/${z.private}`;
  mkdirSync(netnsEtc, { recursive: true });
  writeFileSync(
    join(netnsEtc, 'resolv.conf'),
    `nameserver ${CONTROL_ADDR}\noptions timeout:5 attempts:1\n`,
  );
  const daemons: Followed[] = [];
  const runs: { profile: string; inv: Invocations }[] = [];
  const burners: Followed[] = [];
  try {
    daemons.push(
      follow(
        lab.internetNs,
        ['node', serverPath('sites.mjs'), INTERNET_ADDR, siteModes, ...SITE_PORTS],
        {},
      ),
      follow(
        lab.controlNs,
        [
          'node',
          serverPath('dns.mjs'),
          CONTROL_ADDR,
          NAMES.map((n) => `${n}=${INTERNET_ADDR}`).join(','),
          dnsMode,
        ],
        {},
      ),
    );
    for (const d of daemons)
      await waitFor(
        'a lab server ready',
        10_000,
        () => d.lines.find((l) => l.text === 'ready'),
        d.stderr,
      );
    for (const [i, [profile, t]] of Object.entries(profiles).entries()) {
      const sm = await cl.sfn.send(
        new CreateStateMachineCommand({
          name: `natfleet-lab-study-${i}`,
          definition: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }),
          roleArn: 'arn:aws:iam::123456789012:role/natfleet-lab-study',
        }),
      );
      const env = {
        ...cl.checkerEnv({ zone: s.zone, stateMachineArn: sm.stateMachineArn! }, t),
        NATFLEET_URLS: NAMES.map((n, k) => `http://${n}:${SITE_PORTS[k]}/`).join(','),
      };
      const period = t.schedule?.periodMs ?? 60_000;
      // Enough invocations for every nuisance, and a minute more.
      const max = Math.ceil(((nuisances.length * seconds + 60) * 1000) / period) + 1;
      const inv = new Invocations(z.private, env, period, max);
      inv.start();
      runs.push({ profile, inv });
    }
    // Every profile has had a good round before the first nuisance.
    for (const r of runs)
      await waitFor('a good round in the study', 30_000, () =>
        r.inv.lines().find((l) => l.json?.type === 'round' && l.json.ok === true),
      );
    const rows: StudyRow[] = [];
    for (const nuisance of nuisances) {
      const from = Date.now();
      if (nuisance === 'dead-url') setModes({ [SITE_PORTS[0]!]: 'dead' });
      else if (nuisance === 'slow-url') setModes({ [SITE_PORTS[0]!]: 'slow' });
      else if (nuisance === 'flapping')
        setModes({ [SITE_PORTS[0]!]: 'flap', [SITE_PORTS[1]!]: 'flap' });
      else if (nuisance === 'slow-dns') setModes({}, 'slow');
      else setModes({});
      const until = from + seconds * 1000;
      while (Date.now() < until) {
        if (nuisance === 'cpu-burst') {
          // 3 s of four busy processes on the checker's host (two cores), then 3–6 s of rest.
          for (let k = 0; k < 4; k++)
            burners.push(
              follow(
                z.private,
                ['node', '-e', 'const e=Date.now()+3000;while(Date.now()<e){}'],
                {},
              ),
            );
          await sleep(Math.min(until - Date.now(), 3_000 + 3_000 * (1 + Math.random())));
        } else await sleep(Math.min(until - Date.now(), 1_000));
      }
      const to = Date.now();
      setModes({});
      for (const r of runs) rows.push(row(nuisance, r.profile, r.inv, from, to));
      progress(
        `study ${nuisance}: ` +
          rows
            .slice(-runs.length)
            .map(
              (x) =>
                `${x.profile} ${x.falseFailovers} false failover(s), ${x.failedRounds}/${x.rounds} failed rounds`,
            )
            .join('; '),
      );
    }
    return rows;
  } finally {
    for (const r of runs) r.inv.stop();
    for (const b of burners) if (b.child.exitCode === null) b.child.kill('SIGKILL');
    for (const d of daemons) if (d.child.exitCode === null) d.child.kill('SIGKILL');
    rmSync(netnsEtc, { recursive: true, force: true });
  }
}

function row(
  nuisance: Nuisance,
  profile: string,
  inv: Invocations,
  from: number,
  to: number,
): StudyRow {
  const within = (l: Line) => l.at >= from && l.at < to;
  const lines = inv.lines().filter(within);
  const rounds = lines.filter((l) => l.json?.type === 'round');
  return {
    nuisance,
    profile,
    seconds: Math.round((to - from) / 1000),
    invocations: inv.runs.filter((r) => r.lines.some(within)).length,
    rounds: rounds.length,
    failedRounds: rounds.filter((l) => l.json!.ok === false).length,
    maxConsecutive: Math.max(0, ...rounds.map((l) => Number(l.json!.consecutiveFailures))),
    falseFailovers: lines.filter((l) => l.json?.type === 'failover').length,
    errors: lines.filter((l) => l.json?.driver === 'error').length,
  };
}
