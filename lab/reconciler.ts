// Makes the lab's namespaces follow moto's EC2 state, as the VPC would follow AWS's: a running
// instance in a zone is a NAT namespace booted from the image with its real boot service; a
// terminated one is gone; source/dest check on drops what it forwards; a private route table's
// default route is the private host's route (ADR 0092).
import {
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeRouteTablesCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { TAG } from '../lib/names.js';
import { run, sleep } from './exec.js';
import type { ZoneIds } from './control-plane.js';
import type { Lab } from './topology.js';

export type RouteTarget = 'nat' | 'gateway' | 'none';

export interface ReconcileEvent {
  at: number;
  zone: string;
  what: 'launched' | 'terminated' | 'route' | 'source-dest-check' | 'error';
  detail: string;
}

interface ZoneState {
  /** The instance whose namespace is booted, if any. */
  instance?: string;
  sourceDestCheck?: boolean;
  route?: RouteTarget;
}

const SDC_TABLE = 'lab_source_dest_check';

export class Reconciler {
  readonly events: ReconcileEvent[] = [];
  private readonly state = new Map<string, ZoneState>();
  private running = false;
  private loop?: Promise<void>;

  constructor(
    private readonly lab: Lab,
    private readonly ec2: EC2Client,
    private readonly env: string,
    private readonly zones: ZoneIds[],
    private readonly log: (line: string) => void = () => {},
  ) {
    for (const z of zones) this.state.set(z.lab, {});
  }

  route(zone: string): RouteTarget | undefined {
    return this.state.get(zone)?.route;
  }

  instance(zone: string): string | undefined {
    return this.state.get(zone)?.instance;
  }

  private note(zone: string, what: ReconcileEvent['what'], detail: string) {
    this.events.push({ at: Date.now(), zone, what, detail });
    this.log(`reconcile ${zone}: ${what} ${detail}`);
  }

  /** One pass: instances first (a route to a new instance needs its namespace). */
  async tick(): Promise<void> {
    const reservations = (
      await this.ec2.send(
        new DescribeInstancesCommand({
          Filters: [
            { Name: `tag:${TAG.environment}`, Values: [this.env] },
            { Name: 'instance-state-name', Values: ['pending', 'running'] },
          ],
        }),
      )
    ).Reservations!;
    const instances = reservations.flatMap((r) => r.Instances ?? []);
    for (const z of this.zones) {
      const s = this.state.get(z.lab)!;
      // The newest instance in the zone's public subnet is the one its namespace runs.
      const mine = instances
        .filter((i) => i.SubnetId === z.publicSubnet)
        .sort((a, b) => (b.LaunchTime?.getTime() ?? 0) - (a.LaunchTime?.getTime() ?? 0))[0];
      if (mine?.InstanceId !== s.instance) {
        if (s.instance) {
          await this.lab.killNat(z.lab);
          this.note(z.lab, 'terminated', s.instance);
          s.instance = undefined;
          s.sourceDestCheck = undefined;
        }
        if (mine?.InstanceId) {
          // The lab's first NATs were booted before any instance existed: start clean.
          await this.lab.killNat(z.lab);
          const boot = await this.lab.launchNat(z.lab);
          s.instance = mine.InstanceId;
          this.note(z.lab, 'launched', `${mine.InstanceId} (boot exit ${boot.code})`);
        }
      }
      if (s.instance) await this.sourceDestCheck(z.lab, s);
    }
    const tables = (
      await this.ec2.send(
        new DescribeRouteTablesCommand({ RouteTableIds: this.zones.map((z) => z.routeTable) }),
      )
    ).RouteTables!;
    for (const z of this.zones) {
      const s = this.state.get(z.lab)!;
      const t = tables.find((x) => x.RouteTableId === z.routeTable);
      const r = t?.Routes?.find((x) => x.DestinationCidrBlock === '0.0.0.0/0');
      const owner = instances.find(
        (i) =>
          i.InstanceId === r?.InstanceId ||
          i.NetworkInterfaces?.some((n) => n.NetworkInterfaceId === r?.NetworkInterfaceId),
      );
      const target: RouteTarget =
        r?.NatGatewayId === z.gateway
          ? 'gateway'
          : owner?.InstanceId && owner.InstanceId === s.instance
            ? 'nat'
            : 'none';
      if (target === s.route) continue;
      const p = this.lab.zone(z.lab).private;
      if (target === 'none') await run(['ip', '-n', p, 'route', 'del', 'default']);
      else await this.lab.routeVia(z.lab, target);
      s.route = target;
      this.note(z.lab, 'route', target);
    }
  }

  /** Source/dest check on: the instance drops what it would forward, as EC2 does. */
  private async sourceDestCheck(zone: string, s: ZoneState): Promise<void> {
    const a = await this.ec2.send(
      new DescribeInstanceAttributeCommand({
        InstanceId: s.instance,
        Attribute: 'sourceDestCheck',
      }),
    );
    const on = a.SourceDestCheck?.Value !== false;
    if (on === s.sourceDestCheck) return;
    const ns = this.lab.zone(zone).nat;
    if (on) {
      await run([
        'ip',
        'netns',
        'exec',
        ns,
        'nft',
        `add table inet ${SDC_TABLE}; add chain inet ${SDC_TABLE} forward { type filter hook forward priority -300; policy drop; }`,
      ]);
    } else {
      await run(['ip', 'netns', 'exec', ns, 'nft', 'delete', 'table', 'inet', SDC_TABLE]);
    }
    s.sourceDestCheck = on;
    this.note(zone, 'source-dest-check', on ? 'on' : 'off');
  }

  /** Reconciles every `everyMs` until stopped (bounded by `maxMs`). */
  start(everyMs = 100, maxMs = 24 * 3600_000): void {
    if (this.running) return;
    this.running = true;
    const until = Date.now() + maxMs;
    this.loop = (async () => {
      while (this.running && Date.now() < until) {
        try {
          await this.tick();
        } catch (e) {
          this.note('-', 'error', String((e as Error).message ?? e));
        }
        await sleep(everyMs);
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Bounded wait until `test` holds after a tick. */
  async until(what: string, timeoutMs: number, test: () => boolean): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!test()) {
      if (Date.now() > deadline) throw new Error(`lab: no ${what} within ${timeoutMs} ms`);
      await sleep(50);
    }
  }
}
