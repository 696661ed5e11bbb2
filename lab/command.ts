// `natfleet lab`: options, prerequisites, the run, its table or JSON, and clean-up on every way
// out (normal end, error, Ctrl-C/SIGTERM; after a crash the next run removes the leftovers).
import { FAULTS, type Fault } from './checker-lab.js';
import { spawnSync } from 'node:child_process';
import { isRoot } from './topology.js';
import {
  aptPackages,
  missedTargets,
  missingPrerequisites,
  PROFILES,
  runLab,
  table,
  type LabResult,
  type ProfileName,
  type Row,
  type RunningLab,
} from './lab.js';
import type { Egress } from './control-plane.js';

export interface LabCommandArgs {
  zones?: string;
  scenario?: string;
  profile?: string;
  runs?: string;
  egress?: string;
  keep?: boolean;
  json?: boolean;
  install?: boolean;
}

export interface LabIo {
  out(line: string): void;
  err(line: string): void;
}

export class LabUsageError extends Error {}

export const SCENARIOS = [
  ...FAULTS.map((f) => `outage:${f}`),
  'dead-url',
  'fallback',
  'maintenance',
  'maintenance:failed-build',
  'maintenance:hold',
  'datapath',
] as const;

export const EGRESS = ['primary', 'floating'] as const;

/** Rounds of the datapath comparison (2 s per metric and mode each). */
export const DATAPATH_ROUNDS = 3;

export interface ParsedLabArgs {
  zones: number;
  faults: Fault[];
  deadUrl: boolean;
  fallback: boolean;
  maintenance: boolean;
  maintenanceFailedBuild: boolean;
  maintenanceHold: boolean;
  /** One lab per egress mode, in order (`both`: primary, then floating). */
  egress: Egress[];
  datapath: number;
  profiles: ProfileName[];
  runs: number;
  keep: boolean;
  json: boolean;
}

const list = (s: string | undefined) =>
  (s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

export function parseLabArgs(a: LabCommandArgs): ParsedLabArgs {
  const zones = a.zones === undefined ? 2 : Number(a.zones);
  if (!Number.isInteger(zones) || zones < 1 || zones > 3)
    throw new LabUsageError(`lab: --zones: expected 1, 2 or 3, got "${a.zones}"`);
  const scenarios = a.scenario === undefined ? [...SCENARIOS] : list(a.scenario);
  const unknown = scenarios.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
  if (unknown.length || scenarios.length === 0)
    throw new LabUsageError(
      `lab: --scenario: ${unknown.join(', ') || '(none)'} unknown; expected some of ${SCENARIOS.join(', ')}`,
    );
  const profiles =
    a.profile === undefined ? (['fast', 'defaults'] as ProfileName[]) : list(a.profile);
  const badProfile = profiles.filter((p) => !(p in PROFILES));
  if (badProfile.length || profiles.length === 0)
    throw new LabUsageError(
      `lab: --profile: ${badProfile.join(', ') || '(none)'} unknown; expected fast, defaults or both`,
    );
  const egress: Egress[] =
    a.egress === undefined || a.egress === 'primary'
      ? ['primary']
      : a.egress === 'floating'
        ? ['floating']
        : a.egress === 'both'
          ? ['primary', 'floating']
          : [];
  if (!egress.length)
    throw new LabUsageError(`lab: --egress: expected primary, floating or both, got "${a.egress}"`);
  const runs = a.runs === undefined ? 1 : Number(a.runs);
  if (!Number.isInteger(runs) || runs < 1 || runs > 20)
    throw new LabUsageError(`lab: --runs: expected 1 to 20, got "${a.runs}"`);
  return {
    zones,
    faults: FAULTS.filter((f) => scenarios.includes(`outage:${f}`)),
    deadUrl: scenarios.includes('dead-url'),
    fallback: scenarios.includes('fallback'),
    maintenance: scenarios.includes('maintenance'),
    maintenanceFailedBuild: scenarios.includes('maintenance:failed-build'),
    maintenanceHold: scenarios.includes('maintenance:hold'),
    egress,
    datapath: scenarios.includes('datapath') ? DATAPATH_ROUNDS : 0,
    profiles: profiles as ProfileName[],
    runs,
    keep: !!a.keep,
    json: !!a.json,
  };
}

function keepUntilSignal(io: LabIo, stopped: Promise<void>) {
  return async (lab: RunningLab) => {
    const e = lab.cp.exports();
    io.out('');
    io.out('The lab is up. In another shell (as root, for the namespaces):');
    for (const [k, v] of Object.entries(e)) io.out(`  export ${k}=${v}`);
    io.out(`  natfleet failover --env lab --zones eu-west-1a --reason "game day"`);
    io.out(`  natfleet fallback --env lab --zones eu-west-1a --reason "back"`);
    io.out(`  natfleet maintenance --env lab --reason "new image"   # builds one for real`);
    io.out(
      `  ip netns exec ${lab.lab.zone('a').private} curl -s http://198.51.100.1/   # who the internet sees`,
    );
    io.out('Ctrl-C removes everything.');
    await stopped;
  };
}

/** apt-get install of the missing tools' packages, as root; says what it runs. */
function installPackages(io: LabIo, pkgs: string[]): void {
  io.err(`natfleet lab: apt-get install -y ${pkgs.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...pkgs], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env,
    timeout: 600_000,
  });
  if (r.status !== 0) io.err(`natfleet lab: apt-get exited ${r.status ?? r.signal}`);
}

export async function labCommand(a: LabCommandArgs, io: LabIo): Promise<number> {
  const o = parseLabArgs(a);
  let missing = missingPrerequisites();
  const pkgs = aptPackages(missing);
  if (a.install && pkgs.length && isRoot()) {
    installPackages(io, pkgs);
    missing = missingPrerequisites();
  }
  if (missing.length) {
    io.err('natfleet lab: missing prerequisites:');
    for (const m of missing) io.err(`  ${m.tool}: ${m.how}`);
    if (!a.install && aptPackages(missing).length)
      io.err('  (or run natfleet lab --install to apt-get install the Debian packages, as root)');
    return 1;
  }
  let cleanup: (() => Promise<void>) | undefined;
  let release: () => void = () => {};
  const stopped = new Promise<void>((r) => (release = r));
  let waiting = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (waiting) {
      release();
      return;
    }
    io.err(`natfleet lab: ${sig}: removing the lab`);
    void (cleanup?.() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const log = o.json ? (l: string) => io.err(l) : (l: string) => io.out(l);
  const t0 = Date.now();
  try {
    const rows: Row[] = [];
    const executions: LabResult['executions'] = [];
    let audit: LabResult['audit'];
    // One lab per egress mode (natfleet.yml decides it at deploy); --keep keeps the first.
    for (const egress of o.keep ? o.egress.slice(0, 1) : o.egress) {
      const r = await runLab({
        zones: o.zones,
        egress,
        profiles: o.profiles,
        faults: o.faults,
        runs: o.runs,
        deadUrl: o.deadUrl,
        fallback: o.fallback,
        maintenance: o.maintenance,
        maintenanceFailedBuild: o.maintenanceFailedBuild,
        maintenanceHold: o.maintenanceHold,
        datapath: o.datapath,
        log: (l) => log(`${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s  ${l}`),
        onCleanup: (c) => (cleanup = c),
        ...(o.keep
          ? {
              whenUp: (lab: RunningLab) => {
                waiting = true;
                return keepUntilSignal(io, stopped)(lab);
              },
            }
          : {}),
      });
      rows.push(...r.rows);
      executions.push(...r.executions);
      audit = r.audit ?? audit;
    }
    if (o.keep) return 0;
    const pr = audit?.pullRequest;
    const missed = missedTargets(rows);
    if (o.json) {
      io.out(
        JSON.stringify({ zones: o.zones, rows, missed, executions, pullRequest: pr }, null, 2),
      );
    } else {
      io.out('');
      for (const l of table(rows)) io.out(l);
      io.out('');
      if (pr) {
        io.out(`The audit trail: pull request #${pr.number} "${pr.title}" (${pr.head}):`);
        for (const l of pr.body.split('\n')) io.out(`  ${l}`);
      } else
        io.out(
          `The audit trail: no pull request (record-state exit ${audit?.exitCode}):\n${audit?.log ?? ''}`,
        );
    }
    for (const m of missed) io.err(`natfleet lab: target missed: ${m}`);
    return missed.length || !pr ? 1 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** fast (1 s, 1 s, 2), defaults (…): interval, per-URL timeout, threshold, from PROFILES. */
const profileList = () =>
  Object.entries(PROFILES)
    .map(
      ([n, p]) => `${n} (${p.intervalSeconds} s, ${p.timeoutSeconds} s, ${p.unhealthyThreshold})`,
    )
    .join(', ');

export const labHelp = `Usage: natfleet lab [--zones N] [--scenario LIST] [--profile LIST] [--runs R] [--egress MODE] [--keep] [--json] [--install]

Runs the whole system on this machine (as root): network namespaces as the VPC's data plane,
moto_server as AWS, natfleet deploy --apply of the stacks, the workflows in a local Step
Functions endpoint, the real checker in every private namespace. Then plays the scenarios and
prints the game-day table. Everything it made is removed at the end, on Ctrl-C, and (after a
crash) at the next run.

Options:
  --zones N         zones a..c (default 2)
  --scenario LIST   some of ${SCENARIOS.join(', ')} (default: all)
  --profile LIST    checker settings: ${profileList()} (default: both)
  --runs R          runs of each outage and of the maintenance (default 1)
  --egress MODE     what the NAT translates to (instance.egress): primary (default, the shipped
                    default), floating (a floating address and the connection handoff), or
                    both (the scenarios once per mode, one lab each, side by side)
  --keep            no scenarios: stay up, print the exports for the ordinary natfleet commands
  --json            the rows as JSON on stdout (progress on stderr)
  --install         apt-get install the missing Debian packages first (root)
  --help            this text

Scenarios: a zone outage per fault (outage:vanish, outage:uplink, outage:flush) at each
profile, R runs each (p50/p95); one checker URL dead; fallback after recovery; maintenance
(image build → rolling replacement → fallback, under new and long-lived connections in every
zone); maintenance with the build told to fail; maintenance while an operator holds zone a on
its gateway (natfleet failover --hold); the datapath, NAT against plain routing.

Exit code 0 when every scenario met its target (no false failover, no probe lost outside the
faulty zone, no new connection failed during maintenance or fallback, a failed build leaves
the fleet untouched), 1 otherwise or when a prerequisite is missing (each is listed with how
to get it).`;
