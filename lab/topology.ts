// The lab's data plane: network namespaces on one machine standing in for the internet, and
// per zone a NAT instance, a standby NAT Gateway and a private host. docs/lab.md shows how
// to use it. All names start with `nfl<pid>-`, so labs of different processes never collide
// and a crashed lab's leftovers are recognisable (its pid is gone) and removed at start.
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { inNs, must, run, startDaemon, type RunOptions, type RunResult } from './exec.js';
import { buildFresh, hasTool, labUnavailable, namespaces, removeNamespace } from './namespaces.js';
import { imdsFile, writeImdsTable, type ImdsInstance } from './files.js';
import { scriptPath, serverPath } from './paths.js';

export { cleanupStale, hasTool, isRoot, labUnavailable } from './namespaces.js';

/** The internet's servers (whoami, iperf3, close) answer here: one hop past the uplink, so
 * an uplink's default route decides how packets leave, as on EC2. */
export const INTERNET_ADDR = '198.51.100.1';
/** The internet host's address on the public segment: everyone's default gateway ("IGW"). */
export const IGW_ADDR = '203.0.113.1';
export const CLOSE_PORT = 7000;
export const VPC_CIDR = '10.20.0.0/16';
/** The control plane's address when the lab has one (`endpoint: true`): what a private host
 * reaches without the NAT, as a VPC endpoint lets it reach an AWS API. */
export const CONTROL_ADDR = '10.255.0.1';
/** The resolver the VPC's DHCP hands out (base + 2) and a "new" one for seed 000. */
export const VPC_RESOLVER = '10.20.0.2';

/** Interface names differ per zone on purpose: nothing may depend on a name. */
const NAMES = [
  { uplink: 'ens5', inside: 'ens6', late: 'ens7' },
  { uplink: 'eth0', inside: 'eth1', late: 'eth2' },
  { uplink: 'enp1s0', inside: 'enp2s0', late: 'enp3s0' },
];

export interface Zone {
  name: string;
  index: number;
  nat: string;
  gateway: string;
  private: string;
  /** NAT instance: interface names and addresses. */
  uplink: string;
  inside: string;
  late: string;
  natPublic: string;
  natPrivate: string;
  natMac: string;
  gatewayPublic: string;
  gatewayPrivate: string;
  privateAddr: string;
  /** The NAT instance's file system root (NATFLEET_ROOT). */
  root: string;
  /** Which of the zone's two NAT slots these NAT fields describe (see Lab.slot). */
  slot: number;
  /** The switch's ports of the NAT's uplink and inside link, and the inside link's MAC. */
  natPort: string;
  natInsidePort: string;
  natInsideMac: string;
}

/** NAT slots per zone: during a rolling replacement the old and the new instance coexist. */
export const SLOTS = 2;

/** The image pipeline's test instance (Lab.testImage): its own link, never a zone's. */
const BUILD = { name: 'i', index: 9 };

export interface LabOptions {
  /** Number of zones, 1–3 (a, b, c). */
  zones?: number;
  /** Printed progress; silent by default. */
  log?: (line: string) => void;
  /** A `ctl` namespace at CONTROL_ADDR that every private host reaches directly (eth1),
   * for a control plane (e.g. moto_server) run inside it. */
  endpoint?: boolean;
}

let labs = 0;

export class Lab {
  readonly id: string;
  readonly dir: string;
  readonly zones: Zone[];
  readonly switchNs: string;
  readonly internetNs: string;
  /** The control-plane namespace (exists only with `endpoint: true`). */
  readonly controlNs: string;
  private readonly image: string;
  private readonly daemons = new Map<string, ChildProcess[]>();
  private readonly log: (line: string) => void;
  private readonly imdsV1 = new Set<string>();
  private readonly slots = new Map<string, Zone[]>();
  /** Instance metadata's local-ipv4s per NAT namespace (primary first), as EC2 lists them. */
  private readonly ipv4s = new Map<string, string[]>();
  private builds = 0;

  private constructor(
    zoneCount: number,
    log: (line: string) => void,
    private readonly endpoint: boolean,
  ) {
    this.id = `nfl${process.pid}-${labs++}`;
    this.dir = join(tmpdir(), `natfleet-lab-${this.id}`);
    this.image = join(this.dir, 'image');
    this.switchNs = `${this.id}-sw`;
    this.internetNs = `${this.id}-inet`;
    this.controlNs = `${this.id}-ctl`;
    this.log = log;
    this.zones = Array.from({ length: zoneCount }, (_, k) => {
      const i = k + 1;
      const name = 'abc'[k]!;
      const base = {
        name,
        index: i,
        gateway: `${this.id}-gw-${name}`,
        private: `${this.id}-prv-${name}`,
        ...NAMES[k]!,
        gatewayPublic: `203.0.113.${20 + i}`,
        gatewayPrivate: `10.20.${i}.2`,
        privateAddr: `10.20.${i}.10`,
      };
      // Slot 0 keeps the addresses the lab always had; slot 1 sits beside it.
      const slots = [0, 1].map((slot) => ({
        ...base,
        slot,
        nat: `${this.id}-nat-${name}${slot ? slot + 1 : ''}`,
        natPublic: `203.0.113.${10 + 30 * slot + i}`,
        natPrivate: `10.20.${i}.${1 + 2 * slot}`,
        natMac: `02:00:00:00:0${i}:${slot}5`,
        natInsideMac: `02:00:00:00:0${i}:${slot}6`,
        natPort: `${name}-nat${slot ? slot + 1 : ''}`,
        natInsidePort: `${name}-nati${slot ? slot + 1 : ''}`,
        root: join(this.dir, `nat-${name}${slot ? slot + 1 : ''}`),
      }));
      this.slots.set(name, slots);
      return slots[0]!;
    });
  }

  /** Builds the topology: switch, internet, per zone gateway and private host, the image, and
   * per zone a NAT instance booted from it with the private host's route on the NAT. */
  static async create(opts: LabOptions = {}): Promise<Lab> {
    const why = labUnavailable();
    if (why) throw new Error(`cannot build the lab: ${why}`);
    const n = opts.zones ?? 1;
    if (n < 1 || n > 3) throw new Error(`zones: expected 1 to 3, got ${n}`);
    return buildFresh(new Lab(n, opts.log ?? (() => {}), opts.endpoint ?? false), (x) => x.build());
  }

  zone(name: string): Zone {
    const z = this.zones.find((x) => x.name === name);
    if (!z)
      throw new Error(`no zone ${name} in this lab (zones: ${this.zones.map((x) => x.name)})`);
    return z;
  }

  /** The zone with the NAT fields of one of its slots (0 is what zone() answers). */
  slot(name: string, slot = 0): Zone {
    this.zone(name);
    const z = this.slots.get(name)![slot];
    if (!z) throw new Error(`zone ${name}: slot ${slot}: expected 0 to ${SLOTS - 1}`);
    return z;
  }

  /** Runs a command inside a namespace of this lab. */
  exec(ns: string, argv: string[], opts?: RunOptions): Promise<RunResult> {
    return run(inNs(ns, argv), opts);
  }

  /** Runs a command inside a namespace of this lab; throws when it fails. */
  must(ns: string, argv: string[], opts?: RunOptions): Promise<string> {
    return must(inNs(ns, argv), opts);
  }

  private ip(ns: string, args: string): Promise<string> {
    return must(['ip', '-n', ns, ...args.split(' ')]);
  }

  private async addNs(ns: string): Promise<void> {
    await must(['ip', 'netns', 'add', ns]);
    await this.ip(ns, 'link set lo up');
  }

  /** A veth from `dev` in `ns` to port `port` of bridge `bridge` in the switch namespace. */
  private async plug(ns: string, dev: string, bridge: string, port: string, mac?: string) {
    const addr = mac ? ['address', mac] : [];
    await must([
      'ip',
      '-n',
      ns,
      'link',
      'add',
      dev,
      ...addr,
      'type',
      'veth',
      'peer',
      'name',
      port,
      'netns',
      this.switchNs,
    ]);
    await this.ip(this.switchNs, `link set ${port} master ${bridge} up`);
    await this.ip(ns, `link set ${dev} up`);
  }

  private async build(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    this.log(`lab ${this.id}: building ${this.zones.length} zone(s)`);
    await this.addNs(this.switchNs);
    await this.ip(this.switchNs, 'link add br-inet type bridge');
    await this.ip(this.switchNs, 'link set br-inet up');
    await this.addNs(this.internetNs);
    await this.plug(this.internetNs, 'eth0', 'br-inet', 'inet');
    await this.ip(this.internetNs, `addr add ${IGW_ADDR}/24 dev eth0`);
    await this.ip(this.internetNs, `addr add ${INTERNET_ADDR}/32 dev lo`);
    await this.ip(this.internetNs, 'addr add 169.254.169.254/32 dev lo');
    this.writeImds();
    await this.daemon(this.internetNs, [
      'node',
      serverPath('internet.mjs'),
      INTERNET_ADDR,
      String(CLOSE_PORT),
      imdsFile(this.dir),
    ]);
    if (hasTool('iperf3'))
      await this.daemon(this.internetNs, ['iperf3', '-s', '-B', INTERNET_ADDR], false);
    await this.buildImage();
    if (this.endpoint) {
      await this.addNs(this.controlNs);
      await this.ip(this.switchNs, 'link add br-ctl type bridge');
      await this.ip(this.switchNs, 'link set br-ctl up');
      await this.plug(this.controlNs, 'eth0', 'br-ctl', 'ctl');
      await this.ip(this.controlNs, `addr add ${CONTROL_ADDR}/24 dev eth0`);
    }
    for (const z of this.zones) {
      await this.ip(this.switchNs, `link add br-${z.name} type bridge`);
      await this.ip(this.switchNs, `link set br-${z.name} up`);
      await this.addGateway(z);
      await this.addNs(z.private);
      await this.plug(z.private, 'eth0', `br-${z.name}`, `${z.name}-prv`);
      await this.ip(z.private, `addr add ${z.privateAddr}/24 dev eth0`);
      if (this.endpoint) {
        await this.plug(z.private, 'eth1', 'br-ctl', `${z.name}-ctl`);
        await this.ip(z.private, `addr add 10.255.0.${10 + z.index}/24 dev eth1`);
      }
      await this.launchNat(z.name);
      await this.routeVia(z.name, 'nat');
    }
    this.log(`lab ${this.id}: ready`);
  }

  /** Instance metadata per caller address (the NAT's uplink and any late interface). */
  private writeImds(): void {
    const out: Record<string, ImdsInstance> = {};
    for (const z of this.zones) {
      const inst = { mac: z.natMac, cidrs: [VPC_CIDR], v1: this.imdsV1.has(z.name) };
      const ipv4s = (nat: string) => {
        const l = this.ipv4s.get(nat);
        return l ? { ipv4s: l } : {};
      };
      out[z.natPublic] = { ...inst, ...ipv4s(z.nat) };
      out[`203.0.113.${30 + z.index}`] = inst;
      const second = this.slot(z.name, 1);
      out[second.natPublic] = { ...inst, mac: second.natMac, ...ipv4s(second.nat) };
    }
    out[this.buildZone().natPublic] = {
      mac: this.buildZone().natMac,
      cidrs: [VPC_CIDR],
      v1: false,
    };
    writeImdsTable(this.dir, out);
  }

  private async daemon(ns: string, argv: string[], waitReady = true): Promise<ChildProcess> {
    if (!waitReady) {
      // iperf3 prints nothing until a client comes; its users wait for its port.
      const child = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: 'ignore' });
      child.on('error', () => {});
      this.daemons.set(ns, [...(this.daemons.get(ns) ?? []), child]);
      return child;
    }
    const child = await startDaemon(inNs(ns, argv));
    this.daemons.set(ns, [...(this.daemons.get(ns) ?? []), child]);
    return child;
  }

  /** The standby NAT Gateway of a zone: AWS-managed, so plain nft here, not the image. */
  private async addGateway(z: Zone): Promise<void> {
    await this.addNs(z.gateway);
    await this.plug(z.gateway, 'eth0', 'br-inet', `${z.name}-gw`);
    await this.plug(z.gateway, 'eth1', `br-${z.name}`, `${z.name}-gwi`);
    await this.ip(z.gateway, `addr add ${z.gatewayPublic}/24 dev eth0`);
    await this.ip(z.gateway, `addr add ${z.gatewayPrivate}/24 dev eth1`);
    await this.ip(z.gateway, `route add default via ${IGW_ADDR} dev eth0`);
    await this.must(z.gateway, ['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    await this.must(z.gateway, ['nft', '-f', '-'], {
      input:
        'table ip standby {\n chain post {\n type nat hook postrouting priority srcnat;\n oifname "eth0" masquerade\n }\n}\n',
    });
  }

  /** The environment the image's scripts get in a NAT namespace (production defaults else). */
  natEnv(z: { root: string }): Record<string, string> {
    return {
      NATFLEET_ROOT: z.root,
      NATFLEET_BOOT_HOOK: 'none',
      NATFLEET_CONNTRACK_APPLY: '0',
      NATFLEET_WAIT_SECONDS: '5',
      NATFLEET_RESOLV_OWNED: '/run/lab-dhcp/resolv.conf',
      NATFLEET_RESOLVERS: `pidfile:${z.root}/run/lab-dhcp.pid=${z.root}/etc/lab-dhcp.conf`,
    };
  }

  /** The lab's first image, built at create (what an instance launches from by default). */
  get defaultImage(): string {
    return this.image;
  }

  private buildImage(): Promise<void> {
    return this.installImage(this.image);
  }

  /** The image build: enable-nat and harden-nat, run into `dir` (then test-nat installed as
   * the install-test-nat component does), in a namespace of their own
   * with no network (the build writes files; it boots nothing). */
  async installImage(dir: string): Promise<void> {
    const ns = `${this.id}-build${this.builds++}`;
    await this.addNs(ns);
    try {
      const env = { NATFLEET_ROOT: dir, NATFLEET_BOOT_HOOK: 'none' };
      await this.must(ns, ['bash', scriptPath('enable-nat.sh')], { env });
      await this.must(ns, ['bash', scriptPath('harden-nat.sh')], { env });
      installTestNat(dir);
    } finally {
      await removeNamespace(ns);
    }
  }

  /** The image pipeline's test instance, wired like a zone's NAT on a link of its own. */
  private buildZone(): Zone {
    const i = BUILD.index;
    return {
      name: BUILD.name,
      index: i,
      slot: 0,
      nat: `${this.id}-imgtest`,
      gateway: '',
      private: `${this.id}-imgclient`,
      ...NAMES[0]!,
      natPublic: `203.0.113.${i}`,
      natPrivate: `10.20.${i}.1`,
      natMac: `02:00:00:00:0${i}:05`,
      natInsideMac: `02:00:00:00:0${i}:06`,
      natPort: 'img-nat',
      natInsidePort: 'img-nati',
      gatewayPublic: '',
      gatewayPrivate: '',
      privateAddr: `10.20.${i}.10`,
      root: join(this.dir, 'imgtest'),
    };
  }

  /**
   * The image's test phase: an instance launched from `image` (a fresh copy), booted, some
   * private traffic sent through it (test-nat wants translated packets), then test-nat.
   * `breakIt` runs on the booted instance first (a build told to fail). Removed afterwards.
   */
  async testImage(
    image: string,
    breakIt?: (ns: string) => Promise<void>,
  ): Promise<{ boot: RunResult; test: RunResult }> {
    const z = this.buildZone();
    if (this.daemons.has(z.nat) || (await namespaces()).includes(z.nat))
      throw new Error('an image test is already running: one at a time');
    try {
      rmSync(z.root, { recursive: true, force: true });
      cpSync(image, z.root, { recursive: true });
      writeFileSync(join(z.root, 'etc/lab-dhcp.conf'), `nameserver ${VPC_RESOLVER}\n`);
      await this.ip(this.switchNs, `link add br-${z.name} type bridge`);
      await this.ip(this.switchNs, `link set br-${z.name} up`);
      await this.natHardware(z);
      await this.addNs(z.private);
      await this.plug(z.private, 'eth0', `br-${z.name}`, 'img-prv');
      await this.ip(z.private, `addr add ${z.privateAddr}/24 dev eth0`);
      await this.ip(z.private, `route add default via ${z.natPrivate}`);
      const boot = await this.boot(z);
      if (breakIt) await breakIt(z.nat);
      await this.exec(z.private, ['curl', '-fsS', '--max-time', '2', `http://${INTERNET_ADDR}/`], {
        timeoutMs: 5_000,
      });
      const test = await this.exec(z.nat, ['bash', scriptPath('test-nat.sh')], {
        env: this.natEnv(z),
      });
      return { boot, test };
    } finally {
      this.daemons.delete(z.nat);
      for (const ns of [z.nat, z.private])
        if ((await namespaces()).includes(ns)) await removeNamespace(ns);
      await run(['ip', '-n', this.switchNs, 'link', 'del', `br-${z.name}`]);
      rmSync(z.root, { recursive: true, force: true });
    }
  }

  /** A NAT instance's namespace with its two interfaces, as the instance's hardware. */
  private async natHardware(z: Zone): Promise<void> {
    await this.addNs(z.nat);
    await this.plug(z.nat, z.uplink, 'br-inet', z.natPort, z.natMac);
    await this.plug(z.nat, z.inside, `br-${z.name}`, z.natInsidePort, z.natInsideMac);
    await this.ip(z.nat, `addr add ${z.natPublic}/24 dev ${z.uplink}`);
    await this.ip(z.nat, `addr add ${z.natPrivate}/24 dev ${z.inside}`);
    await this.ip(z.nat, `route add default via ${IGW_ADDR} dev ${z.uplink} metric 512`);
  }

  /** Instance metadata's local-ipv4s of a slot's NAT (primary first); undefined: none listed. */
  setLocalIpv4s(zone: string, slot: number, ipv4s: string[] | undefined): void {
    const nat = this.slot(zone, slot).nat;
    if (ipv4s) this.ipv4s.set(nat, ipv4s);
    else this.ipv4s.delete(nat);
    this.writeImds();
  }

  /** Lets the zone's instance metadata answer without a token (IMDSv1), or not. */
  allowImdsV1(zone: string, allow = true): void {
    if (allow) this.imdsV1.add(this.zone(zone).name);
    else this.imdsV1.delete(this.zone(zone).name);
    this.writeImds();
  }

  /** Attaches a second interface to the NAT instance (on the public side), up, unaddressed. */
  async plugLate(z: Zone): Promise<void> {
    await this.plug(z.nat, z.late, 'br-inet', `${z.name}-late`, `02:00:00:00:0${z.index}:07`);
  }

  /** A new NAT instance from an image (default: the lab's) in a slot: fresh root, hardware,
   * boot. `addresses`: more addresses of its uplink (CIDR notation), e.g. the instance's
   * private address in the VPC as EC2 gave it. */
  async launchNat(
    zone: string,
    o: { slot?: number; image?: string; addresses?: string[] } = {},
  ): Promise<RunResult> {
    const z = this.slot(zone, o.slot);
    rmSync(z.root, { recursive: true, force: true });
    cpSync(o.image ?? this.image, z.root, { recursive: true });
    writeFileSync(join(z.root, 'etc/lab-dhcp.conf'), `nameserver ${VPC_RESOLVER}\n`);
    await this.natHardware(z);
    for (const a of o.addresses ?? []) await this.ip(z.nat, `addr add ${a} dev ${z.uplink}`);
    return this.boot(z);
  }

  /** What systemd does at boot: the DHCP client, then the boot unit's ExecStart. */
  bootNat(zone: string, slot = 0): Promise<RunResult> {
    return this.boot(this.slot(zone, slot));
  }

  private async boot(z: Zone): Promise<RunResult> {
    await this.startDhcpClient(z);
    const unit = readFileSync(join(z.root, 'etc/systemd/system/natfleet-nat.service'), 'utf8');
    const exec = /^ExecStart=(.+)$/m.exec(unit)?.[1];
    if (!exec) throw new Error('natfleet-nat.service has no ExecStart');
    const r = await this.exec(z.nat, ['bash', join(z.root, exec)], { env: this.natEnv(z) });
    this.log(`boot ${z.nat}: exit ${r.code} ${r.stderr.trim().split('\n').pop()}`);
    return r;
  }

  /** The resolver stand-in: writes run/lab-dhcp/resolv.conf; resolv.conf links to it. */
  async startDhcpClient(z: Zone): Promise<void> {
    mkdirSync(join(z.root, 'run/lab-dhcp'), { recursive: true });
    const link = join(z.root, 'etc/resolv.conf');
    rmSync(link, { force: true });
    await must(['ln', '-s', join(z.root, 'run/lab-dhcp/resolv.conf'), link]);
    await this.daemon(z.nat, [
      'node',
      serverPath('dhcp-client.mjs'),
      join(z.root, 'etc/lab-dhcp.conf'),
      join(z.root, 'run/lab-dhcp/resolv.conf'),
      join(z.root, 'run/lab-dhcp.pid'),
    ]);
  }

  /** A reboot: kernel state (rules, sysctls, conntrack) and /run are gone; files stay. */
  async rebootNat(
    zone: string,
    opts: { boot?: boolean; slot?: number } = {},
  ): Promise<RunResult | undefined> {
    const z = this.slot(zone, opts.slot);
    await this.killNat(zone, opts.slot);
    rmSync(join(z.root, 'run'), { recursive: true, force: true });
    await this.natHardware(z);
    return opts.boot === false ? undefined : this.boot(z);
  }

  /** test-nat, as the image's test phase runs it, inside the zone's NAT namespace. */
  testNat(zone: string, slot = 0, args: string[] = []): Promise<RunResult> {
    const z = this.slot(zone, slot);
    return this.exec(z.nat, ['bash', scriptPath('test-nat.sh'), ...args], { env: this.natEnv(z) });
  }

  /** Fault: the instance vanishes (terminated, host died). */
  async killNat(zone: string, slot = 0): Promise<void> {
    const z = this.slot(zone, slot);
    this.daemons.delete(z.nat);
    if (this.ipv4s.delete(z.nat)) this.writeImds();
    if ((await namespaces()).includes(z.nat)) await removeNamespace(z.nat);
  }

  /** Fault: the NAT's uplink is cut (its routes and rules stay). */
  async uplinkDown(zone: string, down = true, slot = 0): Promise<void> {
    await this.ip(
      this.switchNs,
      `link set ${this.slot(zone, slot).natPort} ${down ? 'down' : 'up'}`,
    );
  }

  /** Fault: the NAT rules are flushed; forwarding still works, sources leak untranslated. */
  async flushNat(zone: string, slot = 0): Promise<void> {
    await this.must(this.slot(zone, slot).nat, ['nft', 'flush', 'ruleset']);
  }

  /** Points the zone's "route table" (the private host's default route) at a target. */
  async routeVia(zone: string, target: 'nat' | 'gateway', slot = 0): Promise<void> {
    const z = this.slot(zone, slot);
    const via = target === 'nat' ? z.natPrivate : z.gatewayPrivate;
    await this.ip(z.private, `route replace default via ${via} dev eth0`);
  }

  /** The source address the internet sees for a request from the zone's private host, or
   * undefined when the request fails within the timeout. */
  async whoami(zone: string, timeoutSeconds = 2): Promise<string | undefined> {
    const r = await this.exec(
      this.zone(zone).private,
      ['curl', '-fsS', '--max-time', String(timeoutSeconds), `http://${INTERNET_ADDR}/`],
      { timeoutMs: (timeoutSeconds + 2) * 1000 },
    );
    return r.code === 0 ? r.stdout.trim() : undefined;
  }

  /** Removes every namespace and file of this lab. Safe to call twice. */
  async destroy(): Promise<void> {
    for (const children of this.daemons.values()) for (const c of children) c.kill('SIGKILL');
    this.daemons.clear();
    for (const ns of await namespaces())
      if (ns.startsWith(`${this.id}-`)) await removeNamespace(ns);
    if (existsSync(this.dir)) rmSync(this.dir, { recursive: true, force: true });
    this.log(`lab ${this.id}: removed`);
  }
}

/** What the install-test-nat component does, under the image's root: test-nat beside the
 * library enable-nat installed, and the wrapper the path check and auto-fallback run
 * (/usr/local/bin/test-nat). The wrapper finds the instance's own root through NATFLEET_ROOT,
 * as every lab command does (instances boot copies of this tree). */
function installTestNat(dir: string): void {
  const libexec = join(dir, 'usr/local/libexec/natfleet');
  mkdirSync(libexec, { recursive: true });
  mkdirSync(join(dir, 'usr/local/bin'), { recursive: true });
  copyFileSync(scriptPath('test-nat.sh'), join(libexec, 'test-nat.sh'));
  chmodSync(join(libexec, 'test-nat.sh'), 0o755);
  const wrapper = join(dir, 'usr/local/bin/test-nat');
  writeFileSync(
    wrapper,
    '#!/bin/bash\nexec "${NATFLEET_ROOT:-}/usr/local/libexec/natfleet/test-nat.sh" "$@"\n',
  );
  chmodSync(wrapper, 0o755);
}
