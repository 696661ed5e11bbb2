// `natfleet lab`: the whole system on one machine. The namespaces are the VPC's data plane,
// moto is AWS, the workflows run in the local Step Functions endpoint, the real checker bundle
// runs in every private namespace, and the ordinary natfleet code drives it (ADR 0093).
import { spawnSync } from 'node:child_process';
import { TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { checkerVariables } from '../lib/checker/settings.js';
import { stateMachineArn } from '../lib/names.js';
import { workflowVerb } from '../cli/workflow.js';
import type { WorkflowVerb } from '../lib/workflows/operate.js';
import { follow, type Fault, type Followed } from './checker-lab.js';
import { ACCOUNT, ControlPlane, ENV_NAME, REGION, type CheckerProfile } from './control-plane.js';
import { Reconciler, type ReconcileEvent } from './reconciler.js';
import { recordState, type AuditTrail } from './audit.js';
import { sleep } from './exec.js';
import { bucketStart, EXECUTION_BUCKET_MS } from '../lib/checker/invocation.js';
import { cleanupStale, INTERNET_ADDR, isRoot, Lab } from './topology.js';
import { serverPath, checkerDriver } from './paths.js';

/** The checker's driver next to its committed bundle (found from the CLI bundle too). */

/** The fastest supported checker profile and natfleet.yml's defaults. */
export const PROFILES: Record<'fast' | 'defaults', CheckerProfile> = {
  fast: { intervalSeconds: 1, timeoutSeconds: 1, unhealthyThreshold: 2 },
  defaults: { intervalSeconds: 5, timeoutSeconds: 2, unhealthyThreshold: 3 },
};

export const URLS = [`http://${INTERNET_ADDR}/`, `http://${INTERNET_ADDR}/health`];
const DEAD_URL = `http://${INTERNET_ADDR}:81/`;
const PROBE_EVERY_MS = 100;
const PROBE_TIMEOUT_MS = 1_000;

export interface Prerequisite {
  tool: string;
  how: string;
}

const TOOLS: Prerequisite[] = [
  { tool: 'ip', how: 'apt-get install iproute2' },
  { tool: 'nft', how: 'apt-get install nftables' },
  { tool: 'iptables', how: 'apt-get install iptables' },
  { tool: 'iptables-legacy', how: 'apt-get install iptables' },
  { tool: 'iperf3', how: 'apt-get install iperf3' },
  { tool: 'curl', how: 'apt-get install curl' },
  { tool: 'ss', how: 'apt-get install iproute2' },
  { tool: 'moto_server', how: "pip install 'moto[server]'" },
];

/** What is missing to run the lab here, each with how to get it. */
export function missingPrerequisites(
  has = (t: string) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0,
  root = isRoot(),
): Prerequisite[] {
  const out: Prerequisite[] = root ? [] : [{ tool: 'root', how: 'run it with sudo' }];
  return [...out, ...TOOLS.filter((t) => !has(t.tool))];
}

export interface OutageRow {
  scenario: 'outage';
  fault: Fault;
  profile: ProfileName;
  zone: string;
  /** Fault → the checker's failover decision. */
  detectionMs: number;
  /** Fault → the first new connection of the faulty zone that got an answer. */
  flowingMs: number;
  failedInZone: number;
  failedElsewhere: number;
  /** The checker's failover call: started, or already-started (the bucket's name existed). */
  action: string;
  execution: string;
}

export interface DeadUrlRow {
  scenario: 'dead-url';
  zone: string;
  rounds: number;
  failovers: number;
}

export interface FallbackRow {
  scenario: 'fallback';
  zone: string;
  fault: Fault;
  /** Repair → the zone's route back on its NAT instance (Fallback or a new instance). */
  backMs: number;
}

export type Row = OutageRow | DeadUrlRow | FallbackRow;

export type ProfileName = keyof typeof PROFILES;

export interface LabOptions {
  zones: number;
  /** The checker profiles to run the outages at, in order. */
  profiles: ProfileName[];
  faults: Fault[];
  runs: number;
  deadUrl: boolean;
  log: (line: string) => void;
  /** Called once the lab is up (for --keep: print the exports, wait for Ctrl-C). */
  whenUp?: (lab: RunningLab) => Promise<void>;
  /** Called as soon as the namespaces exist, with what removes them (for a signal handler). */
  onCleanup?: (cleanup: () => Promise<void>) => void;
}

const kill = (f?: Followed) => {
  if (f && f.child.exitCode === null && f.child.signalCode === null) f.child.kill('SIGKILL');
};

export class RunningLab {
  readonly checkers = new Map<string, Followed>();
  readonly rows: Row[] = [];
  reconciler!: Reconciler;
  profile: ProfileName;

  constructor(
    readonly lab: Lab,
    readonly cp: ControlPlane,
    private readonly o: LabOptions,
  ) {
    this.profile = o.profiles[0] ?? 'fast';
  }

  /** The checkers restarted with another profile's interval, timeout and threshold. */
  useProfile(name: ProfileName): void {
    this.profile = name;
    this.cp.env = { ...this.cp.env, checker: { ...this.cp.env.checker, ...PROFILES[name] } };
    this.stopCheckers();
    for (const z of this.lab.zones) this.checkers.set(z.name, this.startChecker(z.name));
  }

  /** The ordinary CLI code of a workflow verb, against the lab. */
  async verb(verb: WorkflowVerb, reason: string, zones?: string[]): Promise<string> {
    const out: string[] = [];
    const code = await workflowVerb(
      verb,
      {
        config: this.cp.configFile,
        env: ENV_NAME,
        reason,
        ...(zones ? { zones: zones.join(',') } : {}),
      },
      { out: (l) => out.push(l), err: (l) => out.push(l) },
    );
    const last = out.filter((l) => l.startsWith('execution:')).pop() ?? '';
    if (code !== 0) throw new Error(`natfleet ${verb} failed:\n${out.slice(-15).join('\n')}`);
    return last.replace('execution: ', '');
  }

  awsZone = (lab: string) => `${REGION}${lab}`;

  /** The real checker bundle in the zone's private namespace, on the schedule's rhythm. */
  startChecker(zone: string, urls = URLS): Followed {
    const env = { ...this.cp.env, checker: { ...this.cp.env.checker, urls } };
    const vars = checkerVariables(env, this.awsZone(zone), {
      failover: stateMachineArn(REGION, ACCOUNT, ENV_NAME, 'Failover'),
    });
    return follow(this.lab.zone(zone).private, ['node', checkerDriver()], {
      ...vars,
      AWS_ENDPOINT_URL: this.cp.inLab.aws,
      AWS_ENDPOINT_URL_SFN: this.cp.inLab.sfn,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_EMF_ENVIRONMENT: 'Local',
      AWS_EC2_METADATA_DISABLED: 'true',
      CHECKER_INVOCATIONS: '10000',
      CHECKER_EVERY_MS: '60000',
      CHECKER_BUDGET_MS: '60000',
    });
  }

  private prober(zone: string, seconds: number): Followed {
    return follow(
      this.lab.zone(zone).private,
      [
        'node',
        serverPath('prober.mjs'),
        `http://${INTERNET_ADDR}/`,
        String(PROBE_EVERY_MS),
        String(PROBE_TIMEOUT_MS),
        String(seconds),
      ],
      {},
    );
  }

  /** Every zone on its NAT instance, as after a first maintenance. */
  async onInstances(): Promise<void> {
    await this.cp.registerImage('1');
    const arn = await this.verb('replace', 'lab: first NAT instances');
    this.o.log(`replace: ${arn}`);
    await this.reconciler.until('zone on its NAT instance', 60_000, () =>
      this.lab.zones.every((z) => this.reconciler.route(z.name) === 'nat'),
    );
  }

  private async waitLine(
    f: Followed,
    what: string,
    ms: number,
    test: (j: Record<string, unknown>) => boolean,
    after = 0,
  ) {
    const deadline = Date.now() + ms;
    for (;;) {
      const l = f.lines.find((x) => x.at >= after && x.json && test(x.json));
      if (l) return l;
      if (Date.now() > deadline)
        throw new Error(
          `lab: no ${what} within ${ms} ms (${f.lines
            .slice(-3)
            .map((x) => x.text)
            .join(' | ')} ${f.stderr()})`,
        );
      await sleep(20);
    }
  }

  private async fault(kind: Fault, zone: string): Promise<void> {
    if (kind === 'vanish') {
      const id = this.reconciler.instance(zone)!;
      await this.lab.killNat(zone);
      await this.cp.ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    } else if (kind === 'uplink') await this.lab.uplinkDown(zone);
    else await this.lab.flushNat(zone);
  }

  /** The zone back on a working NAT instance: a new one, or the repaired one and Fallback. */
  private async repair(kind: Fault, zone: string): Promise<void> {
    const t0 = Date.now();
    if (kind === 'vanish') {
      await this.verb('replace', 'lab: replace the vanished NAT', [this.awsZone(zone)]);
    } else {
      if (kind === 'uplink') await this.lab.uplinkDown(zone, false);
      else await this.lab.bootNat(zone);
      await this.verb('fallback', 'lab: NAT repaired', [this.awsZone(zone)]);
    }
    await this.reconciler.until(
      'route back on the NAT',
      60_000,
      () => this.reconciler.route(zone) === 'nat',
    );
    this.rows.push({ scenario: 'fallback', zone, fault: kind, backMs: Date.now() - t0 });
  }

  private readonly failedOverIn = new Map<string, number>();

  /**
   * The checker names a zone's Failover by a 5-minute bucket, so a second outage of a zone in
   * the bucket of its last failover starts none (the name exists): wait for the next bucket.
   */
  private async freshBucket(zone: string): Promise<void> {
    const last = this.failedOverIn.get(zone);
    if (last === undefined || bucketStart(Date.now()).getTime() !== last) return;
    const wait = last + EXECUTION_BUCKET_MS - Date.now() + 1_000;
    this.o.log(
      `zone ${zone} failed over in this 5-minute bucket: waiting ${Math.round(wait / 1000)} s`,
    );
    await sleep(Math.max(0, Math.min(wait, EXECUTION_BUCKET_MS + 1_000)));
  }

  /** Zone outage: fault → detection → flowing again through the standby, probes counted. */
  async outage(kind: Fault, zone: string): Promise<OutageRow> {
    await this.freshBucket(zone);
    const p = PROFILES[this.profile];
    const detectMs = (p.intervalSeconds * (p.unhealthyThreshold + 1) + p.timeoutSeconds) * 1000;
    const checker = this.checkers.get(zone)!;
    const probers = new Map(
      this.lab.zones.map((z) => [z.name, this.prober(z.name, detectMs / 1000 + 60)]),
    );
    try {
      const start = Date.now();
      await this.waitLine(
        checker,
        'good round',
        70_000,
        (j) => j.type === 'round' && j.ok === true,
        start,
      );
      await sleep(Math.random() * p.intervalSeconds * 1000);
      await this.fault(kind, zone);
      const at = Date.now();
      const z = this.lab.zone(zone);
      const mine = probers.get(zone)!;
      const flowing = await this.waitLine(
        mine,
        'answer through the standby',
        detectMs + 60_000,
        (j) => j.ok === true && (j.sent as number) >= at && j.from === z.gatewayPublic,
      ).catch((e: Error) => {
        const seen = checker.lines
          .filter((l) => l.at >= at)
          .slice(-4)
          .map((l) => l.text);
        throw new Error(
          `${e.message}; checker of zone ${zone} since the fault: ${seen.join(' | ')}`,
        );
      });
      const decision = await this.waitLine(
        checker,
        'failover decision',
        10_000,
        (j) => j.type === 'failover',
        at,
      );
      this.failedOverIn.set(zone, bucketStart(decision.at).getTime());
      const until = flowing.json!.sent as number;
      const failed = (f: Followed, from: number, to: number) =>
        f.lines.filter(
          (l) =>
            l.json &&
            l.json.ok === false &&
            (l.json.sent as number) >= from &&
            (l.json.sent as number) <= to,
        ).length;
      const row: OutageRow = {
        scenario: 'outage',
        fault: kind,
        profile: this.profile,
        zone,
        detectionMs: decision.at - at,
        flowingMs: until - at,
        failedInZone: failed(mine, at, until),
        failedElsewhere: [...probers]
          .filter(([n]) => n !== zone)
          .reduce((s, [, f]) => s + failed(f, start, Date.now()), 0),
        action: String((decision.json as { action?: string }).action ?? ''),
        execution: String((decision.json as { name?: string }).name ?? ''),
      };
      this.rows.push(row);
      return row;
    } finally {
      for (const f of probers.values()) kill(f);
      await this.repair(kind, zone);
    }
  }

  /** One checker URL dead for `rounds` rounds: the zone must stay on its NAT. */
  async deadUrl(zone: string, rounds: number): Promise<DeadUrlRow> {
    const c = this.checkers.get(zone);
    kill(c);
    const f = this.startChecker(zone, [URLS[0]!, DEAD_URL]);
    this.checkers.set(zone, f);
    const start = Date.now();
    const deadline = start + rounds * PROFILES[this.profile].intervalSeconds * 1000 + 70_000;
    while (f.lines.filter((l) => l.json?.type === 'round').length < rounds && Date.now() < deadline)
      await sleep(100);
    const row: DeadUrlRow = {
      scenario: 'dead-url',
      zone,
      rounds: f.lines.filter((l) => l.json?.type === 'round').length,
      failovers: f.lines.filter((l) => l.json?.type === 'failover').length,
    };
    kill(f);
    this.checkers.set(zone, this.startChecker(zone));
    this.rows.push(row);
    return row;
  }

  stopCheckers(): void {
    for (const f of this.checkers.values()) kill(f);
    this.checkers.clear();
  }
}

export interface LabResult {
  rows: Row[];
  /** What the reconciler did to the namespaces, in order. */
  events: ReconcileEvent[];
  /** Every execution the Step Functions endpoint ran: machine name, execution name, status. */
  executions: { machine: string; name: string; status: string }[];
  /** The record-state bundle's run after the scenarios: state/lab.json and its pull request. */
  audit?: AuditTrail;
}

/** Brings the lab up, runs the scenarios (or hands over to whenUp), always cleans up. */
export async function runLab(o: LabOptions): Promise<LabResult> {
  const stale = await cleanupStale();
  if (stale.length) o.log(`removed a crashed lab's leftovers: ${stale.join(', ')}`);
  const lab = await Lab.create({ zones: o.zones, endpoint: true, log: () => {} });
  o.onCleanup?.(() => lab.destroy());
  let cp: ControlPlane | undefined;
  let running: RunningLab | undefined;
  try {
    o.log(`lab ${lab.id}: ${o.zones} zone(s) in network namespaces`);
    cp = await ControlPlane.start(lab);
    const first = PROFILES[o.profiles[0] ?? 'fast'];
    await cp.bringUp({ lab, urls: URLS, profile: first, fastMs: 100, log: o.log });
    running = new RunningLab(lab, cp, o);
    running.reconciler = new Reconciler(lab, cp.ec2, ENV_NAME, cp.zones);
    running.reconciler.start();
    await running.onInstances();
    o.log('data plane: every zone on its NAT instance');
    for (const z of lab.zones) running.checkers.set(z.name, running.startChecker(z.name));
    if (o.whenUp) {
      await o.whenUp(running);
      return result(running);
    }
    let n = 0;
    for (const [i, profile] of o.profiles.entries()) {
      if (i > 0) running.useProfile(profile);
      for (let r = 0; r < o.runs; r++) {
        for (const fault of o.faults) {
          // Zones take turns: fewer waits for a fresh execution bucket (see freshBucket).
          const zone = lab.zones[n++ % lab.zones.length]!.name;
          const row = await running.outage(fault, zone);
          o.log(
            `outage ${fault} (${profile}, zone ${zone}): detected ${row.detectionMs} ms, flowing ${row.flowingMs} ms`,
          );
        }
      }
    }
    if (o.deadUrl) await running.deadUrl(lab.zones.length > 1 ? 'b' : 'a', 5);
    const audit = await recordState(cp, 'natfleet lab: game day');
    o.log(
      `audit trail: record-state exit ${audit.exitCode}, pull request #${audit.pullRequest?.number ?? '-'}`,
    );
    return { ...result(running), audit };
  } finally {
    running?.stopCheckers();
    await running?.reconciler?.stop();
    await cp?.stop();
    await lab.destroy();
  }
}

function result(r: RunningLab): LabResult {
  return {
    rows: r.rows,
    events: [...r.reconciler.events],
    executions: (r.cp.sfn?.list() ?? []).reverse().map((x) => ({
      machine: x.machineArn.split(':').pop()!,
      name: x.name,
      status: x.status,
    })),
  };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : NaN;
};

/** The game-day table: one line per fault (p50/p95 over runs), then the other scenarios. */
export function table(rows: Row[]): string[] {
  const out: string[] = [
    '| scenario | profile | runs | detection p50/p95 ms | fault → flowing p50/p95 ms | probes failed, faulty zone | probes failed, other zones |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  const outages = rows.filter((r): r is OutageRow => r.scenario === 'outage');
  const groups = [...new Set(outages.map((r) => `${r.fault}/${r.profile}`))];
  for (const g of groups) {
    const rs = outages.filter((r) => `${r.fault}/${r.profile}` === g);
    const fault = rs[0]!.fault;
    const d = rs.map((r) => r.detectionMs);
    const f = rs.map((r) => r.flowingMs);
    out.push(
      `| zone outage: ${fault} | ${rs[0]!.profile} | ${rs.length} | ${pct(d, 50)} / ${pct(d, 95)} | ${pct(f, 50)} / ${pct(f, 95)} | ${rs.map((r) => r.failedInZone).join(', ')} | ${rs.reduce((s, r) => s + r.failedElsewhere, 0)} |`,
    );
  }
  for (const r of rows) {
    if (r.scenario === 'dead-url')
      out.push(
        `| one checker URL dead (zone ${r.zone}) | | ${r.rounds} rounds | failovers: ${r.failovers} | | | |`,
      );
  }
  const back = rows.filter((r): r is FallbackRow => r.scenario === 'fallback');
  if (back.length)
    out.push(
      `| back on the NAT after repair | | ${back.length} | | ${pct(
        back.map((r) => r.backMs),
        50,
      )} / ${pct(
        back.map((r) => r.backMs),
        95,
      )} | | |`,
    );
  return out;
}
