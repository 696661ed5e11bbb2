// `natfleet lab`: the whole system on one machine. The namespaces are the VPC's data plane,
// moto is AWS, the workflows run in the local Step Functions endpoint, the real checker bundle
// runs in every private namespace, and the ordinary natfleet code drives it (ADR 0093).
import { spawnSync } from 'node:child_process';
import { TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { checkerVariables } from '../lib/checker/settings.js';
import { stateMachineArn } from '../lib/names.js';
import { workflowVerb } from '../cli/workflow.js';
import type { WorkflowVerb } from '../lib/workflows/operate.js';
import { PATH_CHECK } from '../lib/workflows/path.js';
import {
  follow,
  invocationStart,
  minutePhases,
  nextMoment,
  phaseOf,
  SCHEDULE_VARIABLES,
  type Fault,
  type Followed,
} from './checker-lab.js';
import {
  ACCOUNT,
  ControlPlane,
  ENV_NAME,
  REGION,
  type CheckerProfile,
  type Egress,
} from './control-plane.js';
import { reassigningEc2, type Associations } from './aws-part.js';
import { SsmStandIn } from './ssm.js';
import { Reconciler, type ReconcileEvent } from './reconciler.js';
import { recordState, type AuditTrail } from './audit.js';
import { sleep } from './exec.js';
import { CHECKER_LIMITS } from '../lib/config/limits.js';
import { bucketStart, EXECUTION_BUCKET_MS, MAX_GENERATIONS } from '../lib/checker/invocation.js';
import { cleanupStale, INTERNET_ADDR, isRoot, Lab } from './topology.js';
import { serverPath, checkerDriver } from './paths.js';
import { bootAwareEc2, ImageBuilderStandIn, type BuildStatus } from './image-builder.js';
import { watchTraffic, type ZoneTraffic } from './traffic.js';
import { compare, median, ratios, type Metric } from './datapath.js';

/** The fastest supported checker profile and natfleet.yml's defaults. */
export const PROFILES: Record<'fast' | 'defaults', CheckerProfile> = {
  fast: { intervalSeconds: 1, timeoutSeconds: 1, unhealthyThreshold: 2 },
  // What natfleet.yml gives when the checker's timings are not set: the shipped defaults.
  defaults: {
    intervalSeconds: CHECKER_LIMITS.intervalSeconds.default,
    timeoutSeconds: CHECKER_LIMITS.timeoutSeconds.default,
    unhealthyThreshold: CHECKER_LIMITS.unhealthyThreshold.default,
  },
};

export const URLS = [`http://${INTERNET_ADDR}/`, `http://${INTERNET_ADDR}/health`];
const DEAD_URL = `http://${INTERNET_ADDR}:81/`;
const PROBE_EVERY_MS = 100;
const PROBE_TIMEOUT_MS = 1_000;
/** The checker's schedule runs in real time here: faults are put in each phase of its minute. */
const MINUTE_MS = 60_000;
export const PHASES = minutePhases(MINUTE_MS);

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
  { tool: 'jq', how: 'apt-get install jq' },
  { tool: 'moto_server', how: 'python3 -m pip install "moto[server]==5.2.1"' },
];

/** What is missing to run the lab here, each with how to get it. */
export function missingPrerequisites(
  has = (t: string) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0,
  root = isRoot(),
): Prerequisite[] {
  const out: Prerequisite[] = root ? [] : [{ tool: 'root', how: 'run it with sudo' }];
  return [...out, ...TOOLS.filter((t) => !has(t.tool))];
}

/** The Debian packages that provide the missing tools (what `--install` installs). */
export function aptPackages(missing: Prerequisite[]): string[] {
  const pkgs = missing
    .map((m) => /^apt-get install (\S+)$/.exec(m.how)?.[1])
    .filter((p): p is string => !!p);
  return [...new Set(pkgs)];
}

export interface OutageRow {
  scenario: 'outage';
  fault: Fault;
  profile: ProfileName;
  zone: string;
  /** The fault's moment in the minute of the checker's invocations (0: one starts). */
  phaseMs: number;
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
  /** The fallback scenario's own run (an operator's failover, the NAT broken and repaired
   * while on the standby, then Fallback): what the zone's traffic saw during Fallback. */
  traffic?: ZoneTraffic;
}

export interface MaintenanceRow {
  scenario: 'maintenance';
  /** What the NAT translated to (natfleet.yml's instance.egress). */
  egress: Egress;
  /** Zones an operator failed over with --hold while it ran (they must stay on the gateway). */
  held: string[];
  /** Zones whose handoff the lab broke half-way (the final delta's receive killed). */
  broken: string[];
  /** Per zone where its route ended: nat, gateway or none; and the instance in service. */
  routes: Record<string, string>;
  instances: Record<string, string | undefined>;
  /** When it started (epoch ms): the reconciler's events after it are the maintenance's. */
  at: number;
  /** The build was told to fail (its test instance broken before test-nat). */
  failBuild: boolean;
  zones: string[];
  build: BuildStatus | 'none';
  buildReason?: string;
  buildMs?: number;
  /** The Maintenance execution's end, as `natfleet maintenance` reported it (exit code). */
  exitCode: number;
  execution: string;
  /** The end of the verb's output when it failed (the workflow's error and cause). */
  failure?: string;
  durationMs: number;
  /** Zones whose NAT instance is another one afterwards. */
  replaced: string[];
  traffic: ZoneTraffic[];
}

export interface DatapathRow {
  scenario: 'datapath';
  zone: string;
  rounds: number;
  seconds: number;
  /** Median per mode, and NAT / routed as the median of per-round ratios. */
  nat: Partial<Record<Metric, number>>;
  routed: Partial<Record<Metric, number>>;
  ratio: Partial<Record<Metric, number>>;
}

export type Row = OutageRow | DeadUrlRow | FallbackRow | MaintenanceRow | DatapathRow;

export type ProfileName = keyof typeof PROFILES;

export interface LabOptions {
  zones: number;
  /** The checker profiles to run the outages at, in order. */
  profiles: ProfileName[];
  faults: Fault[];
  runs: number;
  deadUrl: boolean;
  /** Fallback after recovery, on zone a. */
  fallback?: boolean;
  /** Maintenance over every zone (`runs` times); and once more with the build told to fail. */
  maintenance?: boolean;
  /** Maintenance with an operator's `natfleet failover --hold` of zone a while it runs. */
  maintenanceHold?: boolean;
  /** natfleet.yml's instance.egress for the lab (default primary, the shipped default). */
  egress?: Egress;
  /** After the others: a maintenance whose handoff in this zone breaks half-way (floating). */
  maintenanceBrokenHandoff?: string;
  maintenanceFailedBuild?: boolean;
  /** NAT against plain routing on zone a (rounds of 2 s per metric). */
  datapath?: number;
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
  /** Zones an operator holds on their gateways (natfleet failover --hold). */
  readonly held = new Set<string>();
  reconciler!: Reconciler;
  profile: ProfileName;

  constructor(
    readonly lab: Lab,
    readonly cp: ControlPlane,
    private readonly o: LabOptions,
    /** The image pipeline the workflows' Image Builder calls reach. */
    readonly images: ImageBuilderStandIn,
    /** The Run Command the workflows' SSM calls reach. */
    readonly ssm: SsmStandIn,
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

  /** The ordinary CLI code of a workflow verb, against the lab: exit code, execution, output. */
  async runVerb(
    verb: WorkflowVerb,
    reason: string,
    zones?: string[],
    o: { hold?: boolean } = {},
  ): Promise<{ code: number; execution: string; out: string[] }> {
    const out: string[] = [];
    const code = await workflowVerb(
      verb,
      {
        config: this.cp.configFile,
        env: ENV_NAME,
        reason,
        ...(zones ? { zones: zones.join(',') } : {}),
        ...(o.hold ? { hold: true } : {}),
      },
      { out: (l) => out.push(l), err: (l) => out.push(l) },
    );
    const last = out.filter((l) => l.startsWith('execution:')).pop() ?? '';
    return { code, execution: last.replace('execution: ', ''), out };
  }

  /** A workflow verb that must succeed: its execution ARN. */
  async verb(verb: WorkflowVerb, reason: string, zones?: string[]): Promise<string> {
    const r = await this.runVerb(verb, reason, zones);
    if (r.code !== 0) throw new Error(`natfleet ${verb} failed:\n${r.out.slice(-15).join('\n')}`);
    return r.execution;
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
      ...SCHEDULE_VARIABLES,
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

  /** The zone's instance in service and the slot it runs in. */
  private serving(zone: string) {
    const a = this.reconciler.active(zone);
    if (!a) throw new Error(`lab: zone ${zone} has no NAT instance`);
    return a;
  }

  /** Breaks the zone's NAT instance; returns the slot it was in (for the repair). */
  private async fault(kind: Fault, zone: string): Promise<number> {
    const { instance, slot } = this.serving(zone);
    if (kind === 'vanish') {
      await this.lab.killNat(zone, slot);
      await this.cp.ec2.send(new TerminateInstancesCommand({ InstanceIds: [instance] }));
    } else if (kind === 'uplink') await this.lab.uplinkDown(zone, true, slot);
    else await this.lab.flushNat(zone, slot);
    return slot;
  }

  private async mend(kind: Exclude<Fault, 'vanish'>, zone: string, slot: number): Promise<void> {
    if (kind === 'uplink') await this.lab.uplinkDown(zone, false, slot);
    else await this.lab.bootNat(zone, slot);
  }

  /** The zone back on a working NAT instance: a new one, or the repaired one and Fallback. */
  private async repair(kind: Fault, zone: string, slot: number): Promise<void> {
    const t0 = Date.now();
    if (kind === 'vanish') {
      await this.verb('replace', 'lab: replace the vanished NAT', [this.awsZone(zone)]);
    } else {
      await this.mend(kind, zone, slot);
      await this.verb('fallback', 'lab: NAT repaired', [this.awsZone(zone)]);
    }
    await this.reconciler.until(
      'route back on the NAT',
      60_000,
      () => this.reconciler.route(zone) === 'nat',
    );
    this.rows.push({ scenario: 'fallback', zone, fault: kind, backMs: Date.now() - t0 });
  }

  /** Per zone: the 5-minute bucket of its last failovers and how many it started in it. */
  private readonly failedOverIn = new Map<string, { bucket: number; count: number }>();

  /**
   * The checker names a zone's Failover by a 5-minute bucket and a generation (ADR 0095): a zone
   * that has used every generation of the bucket starts no more in it, so wait for the next.
   */
  private async freshBucket(zone: string): Promise<void> {
    const last = this.failedOverIn.get(zone);
    if (!last || bucketStart(Date.now()).getTime() !== last.bucket) return;
    if (last.count < MAX_GENERATIONS) return;
    const wait = last.bucket + EXECUTION_BUCKET_MS - Date.now() + 1_000;
    this.o.log(
      `zone ${zone} used all ${MAX_GENERATIONS} failovers of this 5-minute bucket: waiting ${Math.round(wait / 1000)} s`,
    );
    await sleep(Math.max(0, Math.min(wait, EXECUTION_BUCKET_MS + 1_000)));
  }

  private countFailover(zone: string, at: number): void {
    const bucket = bucketStart(at).getTime();
    const last = this.failedOverIn.get(zone);
    const count = last?.bucket === bucket ? last.count + 1 : 1;
    this.failedOverIn.set(zone, { bucket, count });
  }

  /**
   * Zone outage: fault → detection → flowing again through the standby, probes counted. The
   * fault comes at a random moment of PHASES[phase] of the checker's minute.
   */
  async outage(kind: Fault, zone: string, phase = 0): Promise<OutageRow> {
    await this.freshBucket(zone);
    const p = PROFILES[this.profile];
    const detectMs = (p.intervalSeconds * (p.unhealthyThreshold + 1) + p.timeoutSeconds) * 1000;
    const checker = this.checkers.get(zone)!;
    const probers = new Map(
      this.lab.zones.map((z) => [z.name, this.prober(z.name, (detectMs + MINUTE_MS) / 1000 + 90)]),
    );
    let slot: number | undefined;
    try {
      const start = Date.now();
      await this.waitLine(
        checker,
        'good round',
        70_000,
        (j) => j.type === 'round' && j.ok === true,
        start,
      );
      const first = invocationStart(checker.lines, Date.now()) ?? Date.now();
      const moment = nextMoment(first, MINUTE_MS, PHASES[phase % PHASES.length]!, Date.now());
      await sleep(moment - Date.now());
      slot = await this.fault(kind, zone);
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
      this.countFailover(zone, decision.at);
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
        phaseMs: phaseOf(at, invocationStart(checker.lines, at) ?? at, MINUTE_MS),
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
      if (slot !== undefined) await this.repair(kind, zone, slot);
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

  /**
   * Fallback after recovery: an operator fails the zone over, its NAT breaks (rules flushed)
   * and is repaired while the zone is on its standby, then Fallback brings it back, watched:
   * new connections during Fallback (target 0 failed) and the long-lived ones it moves.
   */
  async fallbackAfterRecovery(zone: string): Promise<FallbackRow> {
    const z = [this.awsZone(zone)];
    await this.verb('failover', 'lab: fallback drill', z);
    await this.reconciler.until(
      'zone on its standby',
      30_000,
      () => this.reconciler.route(zone) === 'gateway',
    );
    const slot = await this.fault('flush', zone);
    await this.mend('flush', zone, slot);
    const w = await watchTraffic(this.lab, [zone], async () => {
      await this.verb('fallback', 'lab: NAT repaired', z);
      await this.reconciler.until(
        'route back on the NAT',
        60_000,
        () => this.reconciler.route(zone) === 'nat',
      );
    });
    const row: FallbackRow = {
      scenario: 'fallback',
      zone,
      fault: 'flush',
      backMs: w.ms,
      traffic: w.zones[0]!,
    };
    this.rows.push(row);
    return row;
  }

  /**
   * Maintenance — image build → rolling replacement → fallback — through `natfleet
   * maintenance`, while every zone makes new connections and holds long-lived ones.
   * `during` runs while the execution is in flight, once the build has ended: the hook for an
   * operator's failover during maintenance (which needs zone holds to stay put).
   */
  async maintenance(
    o: {
      zones?: string[];
      failBuild?: boolean;
      long?: number;
      during?: (lab: RunningLab) => Promise<void>;
      /** Zones the operator holds during it (what `during` does): they stay on the gateway. */
      held?: string[];
      /** Zones whose handoff breaks half-way: the new instance's final receive is killed. */
      broken?: string[];
    } = {},
  ): Promise<MaintenanceRow> {
    const zones = o.zones ?? this.lab.zones.map((z) => z.name);
    const held = [...new Set([...(o.held ?? []), ...this.held])];
    const broken = o.broken ?? [];
    for (const z of broken) {
      const address = this.cp.zones.find((x) => x.lab === z)?.floating?.address;
      if (!address) throw new Error(`lab: zone ${z} has no floating address to break a handoff of`);
      const escaped = address.replace(/\./g, '\\.');
      this.ssm.killNext(new RegExp(`nat-handoff\\.sh receive ${escaped} \\S+ final`));
    }
    const before = new Map(zones.map((z) => [z, this.reconciler.instance(z)]));
    this.images.failNext = !!o.failBuild;
    const builds = this.images.builds.length;
    const at = Date.now();
    const w = await watchTraffic(
      this.lab,
      this.lab.zones.map((z) => z.name),
      async () => {
        const run = this.runVerb(
          'maintenance',
          o.failBuild ? 'lab: maintenance, build told to fail' : 'lab: maintenance',
          zones.map(this.awsZone),
        );
        if (o.during) {
          const deadline = Date.now() + 300_000;
          const ended = () => {
            const b = this.images.builds[builds];
            return b !== undefined && b.status !== 'BUILDING' && b.status !== 'TESTING';
          };
          while (!ended() && Date.now() < deadline) await sleep(100);
          await o.during(this);
        }
        const r = await run;
        // The roll ends with the old instances terminated; wait until the namespaces follow.
        const rolled = zones.filter((z) => !held.includes(z) && !broken.includes(z));
        if (r.code === 0 || broken.length)
          await this.reconciler.until('every zone on its new instance', 60_000, () =>
            rolled.every(
              (z) =>
                this.reconciler.route(z) === 'nat' && this.reconciler.instance(z) !== before.get(z),
            ),
          );
        return r;
      },
      o.long !== undefined ? { long: o.long } : {},
    );
    const b = this.images.builds[builds];
    const row: MaintenanceRow = {
      scenario: 'maintenance',
      egress: this.cp.env.instance.egress ?? 'primary',
      held,
      broken,
      routes: Object.fromEntries(zones.map((z) => [z, this.reconciler.route(z) ?? 'none'])),
      instances: Object.fromEntries(zones.map((z) => [z, this.reconciler.instance(z)])),
      at,
      failBuild: !!o.failBuild,
      zones,
      build: b?.status ?? 'none',
      ...(b?.reason ? { buildReason: b.reason } : {}),
      ...(b?.endedAt ? { buildMs: b.endedAt - b.startedAt } : {}),
      exitCode: w.result.code,
      execution: w.result.execution,
      ...(w.result.code !== 0 ? { failure: w.result.out.slice(-6).join('\n') } : {}),
      durationMs: w.ms,
      replaced: zones.filter(
        (z) => this.reconciler.route(z) === 'nat' && this.reconciler.instance(z) !== before.get(z),
      ),
      traffic: w.zones,
    };
    this.rows.push(row);
    return row;
  }

  /**
   * An operator's failover during maintenance: once the build is done, `natfleet failover
   * --zones <zone> --hold` (the CLI's own code) while Maintenance runs. The held zone stays on
   * its gateway to the end; the others are replaced.
   */
  async maintenanceHold(zone: string): Promise<MaintenanceRow> {
    return this.maintenance({
      held: [zone],
      during: async (lab) => {
        const r = await lab.runVerb(
          'failover',
          'lab: operator holds the zone during maintenance',
          [lab.awsZone(zone)],
          { hold: true },
        );
        if (r.code !== 0)
          throw new Error(`natfleet failover --hold failed:\n${r.out.slice(-15).join('\n')}`);
        this.held.add(zone);
      },
    });
  }

  /** NAT against plain routing through zone a's instance in service. */
  async datapath(rounds: number, seconds = 2): Promise<DatapathRow> {
    const zone = 'a';
    const metrics: Metric[] = ['tcp', 'conn'];
    const r = await compare(
      this.lab,
      { zone, slot: this.serving(zone).slot },
      {
        rounds,
        seconds,
        metrics,
      },
    );
    const med = (m: 'nat' | 'routed') =>
      Object.fromEntries(metrics.map((k) => [k, median(r[m][k])]));
    const row: DatapathRow = {
      scenario: 'datapath',
      zone,
      rounds,
      seconds,
      nat: med('nat'),
      routed: med('routed'),
      ratio: ratios(r, metrics),
    };
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
    const associations: Associations = new Map();
    const ssm = new SsmStandIn(cp.ssm, (id) => running?.reconciler.locate(id), o.log);
    const images = new ImageBuilderStandIn({
      lab,
      ec2: cp.ec2,
      region: REGION,
      accountId: ACCOUNT,
      onImage: (ami, dir) => running?.reconciler.imageFor(ami, dir),
      log: o.log,
    });
    await cp.bringUp({
      lab,
      urls: URLS,
      profile: first,
      egress: o.egress ?? 'primary',
      fastMs: 100,
      waitMs: labWaits,
      clients: (ec2) => ({
        ec2: reassigningEc2(
          bootAwareEc2(ec2, (id) => running?.reconciler.bootState(id)),
          associations,
        ),
        ssm,
        imagebuilder: images,
      }),
      log: o.log,
    });
    running = new RunningLab(lab, cp, o, images, ssm);
    const floating = cp.zones.flatMap((z) => (z.floating ? [{ zone: z.lab, ...z.floating }] : []));
    running.reconciler = new Reconciler(
      lab,
      cp.ec2,
      ENV_NAME,
      cp.zones, // NATFLEET_LAB_DEBUG=1: every reconciler event in the progress.
      process.env.NATFLEET_LAB_DEBUG ? o.log : () => {},
      {
        floating,
        associations,
      },
    );
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
        for (const [f, fault] of o.faults.entries()) {
          // Zones take turns, so that every zone's outages are measured; phases too, so that
          // every fault meets every phase of the minute.
          const zone = lab.zones[n++ % lab.zones.length]!.name;
          const row = await running.outage(fault, zone, r + f);
          o.log(
            `outage ${fault} (${profile}, zone ${zone}) at ${(row.phaseMs / 1000).toFixed(1)} s of the minute: detected ${row.detectionMs} ms, flowing ${row.flowingMs} ms`,
          );
        }
      }
    }
    // Past a hand-over: 75 rounds at 1 s take more than a minute of invocations.
    if (o.deadUrl) await running.deadUrl(lab.zones.length > 1 ? 'b' : 'a', 75);
    if (o.fallback) {
      const row = await running.fallbackAfterRecovery('a');
      o.log(`fallback after recovery (zone a): back on the NAT in ${row.backMs} ms`);
    }
    if (o.maintenanceFailedBuild) {
      const row = await running.maintenance({ failBuild: true });
      o.log(`maintenance, build told to fail: build ${row.build}, exit ${row.exitCode}`);
    }
    for (let r = 0; o.maintenance && r < o.runs; r++) {
      const row = await running.maintenance();
      o.log(
        `maintenance (${row.egress} egress): build ${row.build}, exit ${row.exitCode}, ${row.replaced.length} zone(s) replaced in ${row.durationMs} ms; reset ${traffic(row.traffic, (z) => `${z.reset}/${z.established}`)}${row.failure ? `\n${row.failure}` : ''}`,
      );
    }
    if (o.maintenanceHold) {
      // Last: the zone stays held (natfleet release ends that) for the audit trail to record.
      const row = await running.maintenanceHold('a');
      o.log(
        `maintenance with zone a held: exit ${row.exitCode}, routes ${JSON.stringify(row.routes)}, replaced ${row.replaced.join(', ') || 'none'}`,
      );
    }
    if (o.maintenanceBrokenHandoff) {
      const row = await running.maintenance({ broken: [o.maintenanceBrokenHandoff] });
      o.log(
        `maintenance, handoff of zone ${o.maintenanceBrokenHandoff} broken: exit ${row.exitCode}, routes ${JSON.stringify(row.routes)}`,
      );
    }
    if (o.datapath) {
      const row = await running.datapath(o.datapath);
      o.log(`datapath NAT / routed: ${JSON.stringify(row.ratio)}`);
    }
    const audit = await recordState(cp, 'natfleet lab: game day');
    o.log(
      `audit trail: record-state exit ${audit.exitCode}, pull request #${audit.pullRequest?.number ?? '-'}`,
    );
    return { ...result(running), audit };
  } finally {
    running?.stopCheckers();
    await running?.ssm.stop();
    await running?.reconciler?.stop();
    await cp?.stop();
    await lab.destroy();
  }
}

/**
 * The lab's clock for the workflows' polls of real work: a NAT namespace boots in seconds and
 * an image builds in tens of them (minutes on a busy two-core machine), so ReplaceInstances
 * polls every 1 s (patience 36 s) and Maintenance the build every 3 s (patience 195 s); every
 * other Wait runs at fastMs.
 */
export function labWaits(machine: string, state: string): number | undefined {
  if (machine.endsWith('-ReplaceInstances') && state === 'Pause') return 1_000;
  // The handoff's polls of its commands and of the address move wait on real work too.
  if (machine.endsWith('-ReplaceInstances') && /^Handoff.*Pause$/.test(state)) return 1_000;
  if (machine.endsWith('-Maintenance') && state === 'PollWait') return 3_000;
  // The path check (Fallback, ReplaceInstances) polls test-nat running in the instance.
  if (state === `${PATH_CHECK.poll}Pause`) return 1_000;
  return undefined;
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

const traffic = (zs: ZoneTraffic[], f: (z: ZoneTraffic) => string) =>
  zs.map((z) => `${z.zone} ${f(z)}`).join(', ');

/** The game-day tables: one line per fault and profile (p50/p95 over runs), then one per
 * other scenario with what it measured and its target. */
export function table(rows: Row[]): string[] {
  const out: string[] = [
    '| scenario | profile | runs | detection p50/p95 ms | fault → flowing p50/p95 ms | probes failed, faulty zone | probes failed, other zones |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  const outages = rows.filter((r): r is OutageRow => r.scenario === 'outage');
  const line = (what: string, rs: OutageRow[]) => {
    const d = rs.map((r) => r.detectionMs);
    const f = rs.map((r) => r.flowingMs);
    out.push(
      `| ${what} | ${rs[0]!.profile} | ${rs.length} | ${pct(d, 50)} / ${pct(d, 95)} | ${pct(f, 50)} / ${pct(f, 95)} | ${rs.map((r) => r.failedInZone).join(', ')} | ${rs.reduce((s, r) => s + r.failedElsewhere, 0)} |`,
    );
  };
  const groups = [...new Set(outages.map((r) => `${r.fault}/${r.profile}`))];
  for (const g of groups) {
    const rs = outages.filter((r) => `${r.fault}/${r.profile}` === g);
    line(`zone outage: ${rs[0]!.fault}`, rs);
  }
  // How detection varies with the fault's moment in the checker's minute, all faults together.
  for (const profile of new Set(outages.map((r) => r.profile)))
    for (const p of PHASES) {
      const rs = outages.filter(
        (r) => r.profile === profile && r.phaseMs >= p.fromMs && r.phaseMs < p.toMs,
      );
      if (rs.length) line(`zone outage at ${p.label}`, rs);
    }
  const back = rows.filter((r): r is FallbackRow => r.scenario === 'fallback' && !r.traffic);
  if (back.length) {
    const ms = back.map((r) => r.backMs);
    out.push(
      `| back on the NAT after repair | | ${back.length} | | ${pct(ms, 50)} / ${pct(ms, 95)} | | |`,
    );
  }
  const other: string[] = [];
  for (const r of rows) {
    if (r.scenario === 'dead-url')
      other.push(
        `| one checker URL dead (zone ${r.zone}) | ${r.rounds} rounds | failovers: ${r.failovers} | 0 failovers |`,
      );
    if (r.scenario === 'fallback' && r.traffic) {
      const t = r.traffic;
      other.push(
        `| fallback after recovery (zone ${r.zone}) | 1 | back on the NAT in ${r.backMs} ms; new connections failed ${t.newFailed} of ${t.newTotal}; established connections reset ${t.reset} of ${t.established} | 0 new connections failed |`,
      );
    }
    if (r.scenario === 'maintenance' && r.failBuild) {
      const build = `build ${r.build}${r.buildMs !== undefined ? ` in ${(r.buildMs / 1000).toFixed(1)} s` : ''}${r.buildReason ? ` (${r.buildReason.slice(0, 90)})` : ''}`;
      other.push(
        `| maintenance, build told to fail (zones ${r.zones.join(', ')}) | 1 | ${build}; run failed: ${r.exitCode !== 0 ? 'yes' : 'no'}; zones replaced: ${r.replaced.length}; new connections failed: ${traffic(r.traffic, (z) => `${z.newFailed}/${z.newTotal}`)} | run fails, fleet untouched, 0 new connections failed |`,
      );
    }
    if (r.scenario === 'datapath') {
      const fmt = (k: Metric) =>
        `${k === 'tcp' ? 'TCP' : 'new connections'} ${r.ratio[k]?.toFixed(2)} (${r.nat[k]?.toFixed(2)} vs ${r.routed[k]?.toFixed(2)} ${k === 'tcp' ? 'Gbit/s' : 'k/s'})`;
      other.push(
        `| datapath: NAT / plain routing (zone ${r.zone}) | ${r.rounds} rounds | ${(Object.keys(r.ratio) as Metric[]).map(fmt).join('; ')} | ≥ 0.9 |`,
      );
    }
  }
  other.push(...maintenanceLines(rows));
  if (other.length)
    out.push('', '| scenario | runs | measured | target |', '| --- | --- | --- | --- |', ...other);
  return out;
}

const medianOf = (xs: number[]) => pct(xs, 50);

/** Maintenance runs of one kind (egress, held zones, broken handoffs) as one line: counts
 * summed over the runs, timings as medians. */
function maintenanceLines(rows: Row[]): string[] {
  const ms = rows.filter((r): r is MaintenanceRow => r.scenario === 'maintenance' && !r.failBuild);
  const kind = (r: MaintenanceRow) => `${r.egress}|${r.held.join()}|${r.broken.join()}`;
  const out: string[] = [];
  for (const k of [...new Set(ms.map(kind))]) {
    const rs = ms.filter((r) => kind(r) === k);
    const r0 = rs[0]!;
    const zones = r0.zones;
    const perZone = (f: (t: ZoneTraffic) => string) =>
      zones
        .map((z) => `${z} ${f(merge(rs.map((r) => r.traffic.find((t) => t.zone === z)!)))}`)
        .join(', ');
    const sec = (x: number) => `${(x / 1000).toFixed(1)} s`;
    const builds = rs.flatMap((r) => (r.buildMs !== undefined ? [r.buildMs] : []));
    const what = `maintenance, ${r0.egress} egress${r0.held.length ? `, zone ${r0.held.join(', ')} held by an operator` : ''}${r0.broken.length ? `, handoff of zone ${r0.broken.join(', ')} broken half-way` : ''}: image build → rolling replacement → fallback (zones ${zones.join(', ')})`;
    const pauses = zones
      .map(
        (z) =>
          `${z} ${medianOf(rs.map((r) => r.traffic.find((t) => t.zone === z)!.maxPauseMs))} ms`,
      )
      .join(', ');
    const parts = [
      `build ${[...new Set(rs.map((r) => r.build))].join('/')}${builds.length ? ` in ${sec(medianOf(builds))}` : ''}`,
      `duration ${sec(medianOf(rs.map((r) => r.durationMs)))}`,
      `exit ${rs.map((r) => r.exitCode).join(', ')}`,
      `zones replaced ${rs.map((r) => r.replaced.length).join(', ')} of ${zones.length}`,
      ...(r0.held.length || r0.broken.length
        ? [
            `routes at the end: ${zones.map((z) => `${z} ${rs.map((r) => r.routes[z]).join('/')}`).join(', ')}`,
          ]
        : []),
      `new connections failed: ${perZone((t) => `${t.newFailed}/${t.newTotal}`)}`,
      `established connections reset: ${perZone((t) => `${t.reset}/${t.established}`)}`,
      `longest pause of an established connection${rs.length > 1 ? ' (median)' : ''}: ${pauses}`,
    ];
    const target = r0.held.length
      ? 'held zone on its gateway to the end, the others replaced'
      : r0.egress === 'floating' && !r0.broken.length
        ? '0 new connections failed, 0 established reset'
        : '0 new connections failed';
    const label = rs.length > 1 ? `${rs.length} (counts summed, times median)` : '1';
    out.push(`| ${what} | ${label} | ${parts.join('; ')} | ${target} |`);
  }
  return out;
}

/** Several runs' traffic of one zone, counts summed. */
function merge(ts: ZoneTraffic[]): ZoneTraffic {
  return ts.reduce((a, t) => ({
    ...a,
    newTotal: a.newTotal + t.newTotal,
    newFailed: a.newFailed + t.newFailed,
    established: a.established + t.established,
    reset: a.reset + t.reset,
    paused: a.paused + t.paused,
    maxPauseMs: Math.max(a.maxPauseMs, t.maxPauseMs),
    errors: [...a.errors, ...t.errors],
  }));
}

/** The scenarios that missed their target, each said in a few words. */
export function missedTargets(rows: Row[]): string[] {
  const out: string[] = [];
  for (const r of rows) {
    if (r.scenario === 'dead-url' && r.failovers > 0)
      out.push(`dead URL: ${r.failovers} false failover(s)`);
    if (r.scenario === 'outage' && r.failedElsewhere > 0)
      out.push(`outage ${r.fault}: ${r.failedElsewhere} probe(s) lost outside zone ${r.zone}`);
    if (r.scenario === 'fallback' && r.traffic && r.traffic.newFailed > 0)
      out.push(`fallback: ${r.traffic.newFailed} new connection(s) failed`);
    if (r.scenario === 'maintenance') {
      const failed = r.traffic.reduce((s, z) => s + z.newFailed, 0);
      if (failed > 0) out.push(`maintenance: ${failed} new connection(s) failed`);
      if (r.failBuild && (r.exitCode === 0 || r.replaced.length > 0))
        out.push('maintenance with a failed build: the fleet changed or the run succeeded');
      const rolled = r.zones.filter((z) => !r.held.includes(z) && !r.broken.includes(z));
      if (
        !r.failBuild &&
        !r.broken.length &&
        (r.exitCode !== 0 || r.replaced.length !== rolled.length)
      )
        out.push(
          `maintenance: exit ${r.exitCode}, ${r.replaced.length} of ${rolled.length} zone(s) replaced`,
        );
      const left = r.held.filter((z) => r.routes[z] !== 'gateway' || r.replaced.includes(z));
      if (left.length) out.push(`maintenance: held zone(s) ${left.join(', ')} left the gateway`);
      const reset = r.traffic.reduce((s, z) => s + z.reset, 0);
      if (r.egress === 'floating' && !r.broken.length && !r.held.length && reset > 0)
        out.push(`maintenance (floating egress): ${reset} established connection(s) reset`);
    }
  }
  return out;
}
