// Makes the lab's namespaces follow moto's EC2 state, as the VPC would follow AWS's: a running
// instance in a zone is a NAT namespace (one of the zone's two slots, so an old and a new one
// coexist during a replacement) booted from its AMI's image with its real boot service; a
// terminated one is gone; source/dest check on drops what it forwards; a private route table's
// default route is the private host's route (ADR 0092). An instance's uplink also carries its
// private address in the VPC and metadata lists the ENI's addresses as EC2 does; a floating
// address is delivered to the instance whose ENI holds it, through its Elastic IP (ADR 0171).
import {
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeRouteTablesCommand,
  type EC2Client,
  type Instance,
} from '@aws-sdk/client-ec2';
import { TAG } from '../lib/names.js';
import { run, sleep } from './exec.js';
import { deliverTo, translate, type Associations } from './aws-part.js';
import type { ZoneIds } from './control-plane.js';
import { SLOTS, type Lab } from './topology.js';

export type RouteTarget = 'nat' | 'gateway' | 'none';

export interface ReconcileEvent {
  at: number;
  zone: string;
  what: 'launched' | 'terminated' | 'route' | 'source-dest-check' | 'address' | 'error';
  detail: string;
  /** The instance an event is about (a route's: the instance it points at). */
  instance?: string;
}

/** Where a zone's instance runs: which of the zone's NAT slots (see Lab.slot). */
export interface Placed {
  instance: string;
  slot: number;
}

interface ZoneState {
  /** Slot → the instance whose namespace is booted there. */
  slots: (string | undefined)[];
  sourceDestCheck: Map<string, boolean>;
  route?: RouteTarget;
  routeInstance?: string;
  /** Per slot, the local-ipv4s metadata lists (joined), and who the floating address reaches. */
  ipv4s: (string | undefined)[];
  floatingAt?: string;
}

/** A zone's floating egress address, its Elastic IP's allocation and the address the lab's
 * internet gateway gives that Elastic IP. */
export interface FloatingZone {
  zone: string;
  address: string;
  allocation: string;
  public: string;
}

const SDC_TABLE = 'lab_source_dest_check';

/** The status checks EC2 would report for an instance while it boots, and once it is up. */
export type BootState = 'booting' | 'booted' | 'failed';

export class Reconciler {
  readonly events: ReconcileEvent[] = [];
  private readonly state = new Map<string, ZoneState>();
  private readonly boots = new Map<string, BootState>();
  private readonly images = new Map<string, string>();
  private running = false;
  private loop?: Promise<void>;
  private translated = '';
  private readonly floating: FloatingZone[];
  private readonly associations: Associations;

  constructor(
    private readonly lab: Lab,
    private readonly ec2: EC2Client,
    private readonly env: string,
    private readonly zones: ZoneIds[],
    private readonly log: (line: string) => void = () => {},
    o: { floating?: FloatingZone[]; associations?: Associations } = {},
  ) {
    this.floating = o.floating ?? [];
    this.associations = o.associations ?? new Map();
    for (const z of zones)
      this.state.set(z.lab, { slots: [], sourceDestCheck: new Map(), ipv4s: [] });
  }

  /** Where an instance runs, for the lab's Run Command (undefined: not booted in the lab). */
  locate(instance: string): { ns: string; root: string; env: Record<string, string> } | undefined {
    if (this.boots.get(instance) !== 'booted') return undefined;
    for (const [zone, s] of this.state) {
      const slot = s.slots.indexOf(instance);
      if (slot < 0) continue;
      const z = this.lab.slot(zone, slot);
      return { ns: z.nat, root: z.root, env: this.lab.natEnv(z) };
    }
    return undefined;
  }

  /** The image tree an AMI boots (what the image pipeline built); others boot the lab's. */
  imageFor(ami: string, dir: string): void {
    this.images.set(ami, dir);
  }

  route(zone: string): RouteTarget | undefined {
    return this.state.get(zone)?.route;
  }

  /** The zone's instance in service: the one its route points at, else the newest booted. */
  active(zone: string): Placed | undefined {
    const s = this.state.get(zone);
    if (!s) return undefined;
    const at = s.route === 'nat' ? s.slots.indexOf(s.routeInstance) : -1;
    const slot = at >= 0 ? at : s.slots.findLastIndex((x) => x !== undefined);
    return slot >= 0 ? { instance: s.slots[slot]!, slot } : undefined;
  }

  instance(zone: string): string | undefined {
    return this.active(zone)?.instance;
  }

  /** Whether an instance's namespace has booted (undefined: the lab has not started it). */
  bootState(instance: string): BootState | undefined {
    return this.boots.get(instance);
  }

  private note(zone: string, what: ReconcileEvent['what'], detail: string, instance?: string) {
    this.events.push({ at: Date.now(), zone, what, detail, ...(instance ? { instance } : {}) });
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
      const mine = instances
        .filter((i) => i.SubnetId === z.publicSubnet)
        .sort((a, b) => (a.LaunchTime?.getTime() ?? 0) - (b.LaunchTime?.getTime() ?? 0));
      const ids = new Set(mine.map((i) => i.InstanceId!));
      for (const i of mine) {
        const id = i.InstanceId!;
        if (s.slots.includes(id)) continue;
        const free = [...Array(SLOTS).keys()];
        // A free slot, else one whose instance is gone (removed now rather than after the routes).
        const slot =
          free.find((k) => s.slots[k] === undefined) ?? free.find((k) => !ids.has(s.slots[k]!));
        if (slot === undefined) {
          if (this.boots.get(id) !== 'failed') this.note(z.lab, 'error', `${id}: no free NAT slot`);
          this.boots.set(id, 'failed');
          continue;
        }
        if (s.slots[slot] !== undefined) await this.retire(z.lab, s, slot);
        // A slot's namespace may hold a NAT booted before any instance existed: start clean.
        await this.lab.killNat(z.lab, slot);
        this.boots.set(id, 'booting');
        const image = this.images.get(i.ImageId ?? '');
        const addresses = i.PrivateIpAddress ? [`${i.PrivateIpAddress}/24`] : [];
        this.addresses(z.lab, s, slot, i);
        const boot = await this.lab.launchNat(z.lab, {
          slot,
          addresses,
          ...(image ? { image } : {}),
        });
        s.slots[slot] = id;
        this.boots.set(id, boot.code === 0 ? 'booted' : 'failed');
        this.note(z.lab, 'launched', `${id} in slot ${slot} (boot exit ${boot.code})`, id);
      }
      for (const id of s.slots) if (id && ids.has(id)) await this.sourceDestCheck(z.lab, s, id);
      for (const i of mine) {
        const slot = s.slots.indexOf(i.InstanceId!);
        if (slot >= 0) this.addresses(z.lab, s, slot, i);
      }
      await this.deliverFloating(z.lab, s, mine);
    }
    await this.translateEips();
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
      )?.InstanceId;
      const slot = owner ? s.slots.indexOf(owner) : -1;
      const target: RouteTarget =
        r?.NatGatewayId === z.gateway ? 'gateway' : slot >= 0 ? 'nat' : 'none';
      const instance = target === 'nat' ? owner : undefined;
      if (target === s.route && instance === s.routeInstance) continue;
      const p = this.lab.zone(z.lab).private;
      if (target === 'none') await run(['ip', '-n', p, 'route', 'del', 'default']);
      else await this.lab.routeVia(z.lab, target, Math.max(0, slot));
      s.route = target;
      s.routeInstance = instance;
      this.note(z.lab, 'route', target, instance);
    }
    // Terminated instances go last: a replacement's route has already left them, as on EC2.
    const live = new Set(instances.map((i) => i.InstanceId));
    for (const z of this.zones) {
      const s = this.state.get(z.lab)!;
      for (const [slot, id] of s.slots.entries())
        if (id !== undefined && !live.has(id)) await this.retire(z.lab, s, slot);
    }
  }

  /** Metadata's local-ipv4s of the instance's primary ENI, primary first, as EC2 lists them. */
  private addresses(zone: string, s: ZoneState, slot: number, i: Instance): void {
    const eni = i.NetworkInterfaces?.find((n) => n.Attachment?.DeviceIndex === 0);
    const list = [...(eni?.PrivateIpAddresses ?? [])]
      .sort((a, b) => Number(!!b.Primary) - Number(!!a.Primary))
      .map((p) => p.PrivateIpAddress!)
      .filter(Boolean);
    if (list.length === 0 || s.ipv4s[slot] === list.join(' ')) return;
    s.ipv4s[slot] = list.join(' ');
    this.lab.setLocalIpv4s(zone, slot, list);
  }

  /** The zone's floating address goes to the slot whose instance's ENI holds it. */
  private async deliverFloating(zone: string, s: ZoneState, mine: Instance[]): Promise<void> {
    const f = this.floating.find((x) => x.zone === zone);
    if (!f) return;
    const holder = mine.find((i) =>
      i.NetworkInterfaces?.some((n) =>
        n.PrivateIpAddresses?.some((p) => p.PrivateIpAddress === f.address),
      ),
    );
    const slot = holder ? s.slots.indexOf(holder.InstanceId!) : -1;
    const at = slot >= 0 ? holder!.InstanceId! : 'nobody';
    if (at === s.floatingAt) return;
    const mac = slot >= 0 ? this.lab.slot(zone, slot).natMac : undefined;
    await deliverTo(this.lab.internetNs, 'eth0', f.address, mac);
    s.floatingAt = at;
    this.note(zone, 'address', `${f.address} → ${at}`, slot >= 0 ? at : undefined);
  }

  /** Each Elastic IP associated with a floating address: the gateway translates to it. */
  private async translateEips(): Promise<void> {
    if (!this.floating.length) return;
    const map = new Map<string, string>();
    for (const f of this.floating)
      if (this.associations.get(f.allocation) === f.address) map.set(f.address, f.public);
    const text = JSON.stringify([...map]);
    if (text === this.translated) return;
    await translate(this.lab.internetNs, map);
    this.translated = text;
    this.note(
      '-',
      'address',
      `Elastic IPs: ${[...map].map(([a, p]) => `${a} → ${p}`).join(', ') || 'none'}`,
    );
  }

  private async retire(zone: string, s: ZoneState, slot: number): Promise<void> {
    const id = s.slots[slot]!;
    await this.lab.killNat(zone, slot);
    s.slots[slot] = undefined;
    s.ipv4s[slot] = undefined;
    s.sourceDestCheck.delete(id);
    this.boots.delete(id);
    this.note(zone, 'terminated', `${id} in slot ${slot}`, id);
  }

  /** Source/dest check on: the instance drops what it would forward, as EC2 does. */
  private async sourceDestCheck(zone: string, s: ZoneState, id: string): Promise<void> {
    const a = await this.ec2.send(
      new DescribeInstanceAttributeCommand({ InstanceId: id, Attribute: 'sourceDestCheck' }),
    );
    const on = a.SourceDestCheck?.Value !== false;
    if (on === s.sourceDestCheck.get(id)) return;
    const ns = this.lab.slot(zone, s.slots.indexOf(id)).nat;
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
    s.sourceDestCheck.set(id, on);
    this.note(zone, 'source-dest-check', on ? 'on' : 'off', id);
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
