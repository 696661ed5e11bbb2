// One zone with two NAT instances, its standby gateway and a private host, for the connection
// handoff (ADR 0141). Both instances boot from the image's own scripts and run its
// nat-handoff.sh; what AWS does (AssignPrivateIpAddresses moving the floating address, the
// metadata showing it, a route table's target) the harness does, in the order ReplaceInstances
// does it (lib/workflows/handoff.ts).
//
//   [inet] 203.0.113.1, 198.51.100.1 (echo, close, IMDSv2) ── br-inet ── uplinks of old, new, gw
//   [prv] 10.20.1.10 ── br-zone ── old 10.20.1.1, new 10.20.1.3, gw 10.20.1.2
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { deliverTo } from './aws-part.js';
import { inNs, must, run, sleep, startDaemon, type RunResult } from './exec.js';
import { buildFresh, labUnavailable, namespaces, removeNamespace } from './namespaces.js';
import { imdsFile, writeImdsTable, type ImdsInstance } from './files.js';
import { scriptPath, serverPath } from './paths.js';
import { CLOSE_PORT, IGW_ADDR, INTERNET_ADDR, VPC_CIDR } from './topology.js';

export const ECHO_PORT = 7001;
export const HANDOFF_PORT = 7473;
export const FLOATING = '203.0.113.41';
const GATEWAY = { public: '203.0.113.21', inside: '10.20.1.2' };
const PRIVATE = '10.20.1.10';

/** The two NAT instances of the zone: names of interfaces differ on purpose. */
export const INSTANCES = {
  old: { uplink: 'ens5', inside: 'ens6', primary: '203.0.113.11', gw: '10.20.1.1', n: 1 },
  new: { uplink: 'eth0', inside: 'eth1', primary: '203.0.113.12', gw: '10.20.1.3', n: 2 },
} as const;
export type Which = keyof typeof INSTANCES;

/** What the private host's flows saw (lab/servers/flows.mjs). */
export interface FlowReport {
  long: number;
  alive: number;
  reset: number;
  stalled: number;
  maxGapMs: number;
  resetErrors: string[];
  fresh: { attempts: number; ok: number; failed: number; maxMs: number };
}

let labs = 0;

export class HandoffLab {
  readonly id = `nfl${process.pid}-ho${labs++}`;
  readonly dir = join(tmpdir(), `natfleet-lab-${this.id}`);
  private readonly daemons: ChildProcess[] = [];
  /** Who holds each address, as instance metadata lists it. */
  private readonly ipv4s: Record<Which, string[]> = {
    old: [INSTANCES.old.primary],
    new: [INSTANCES.new.primary],
  };

  private constructor() {}

  ns(which: Which | 'inet' | 'gw' | 'prv' | 'sw'): string {
    return `${this.id}-${which}`;
  }

  private mac(which: Which): string {
    return `02:00:00:00:0${INSTANCES[which].n}:05`;
  }

  private root(which: Which): string {
    return join(this.dir, which);
  }

  static async create(): Promise<HandoffLab> {
    const why = labUnavailable();
    if (why) throw new Error(`cannot build the lab: ${why}`);
    return buildFresh(new HandoffLab(), (x) => x.build());
  }

  private ip(ns: string, args: string): Promise<string> {
    return must(['ip', '-n', ns, ...args.split(' ')]);
  }

  private async addNs(ns: string) {
    await must(['ip', 'netns', 'add', ns]);
    await this.ip(ns, 'link set lo up');
  }

  private async plug(ns: string, dev: string, bridge: string, port: string, mac?: string) {
    const addr = mac ? ['address', mac] : [];
    await must(
      ['ip', '-n', ns, 'link', 'add', dev, ...addr, 'type', 'veth', 'peer', 'name'].concat([
        port,
        'netns',
        this.ns('sw'),
      ]),
    );
    await this.ip(this.ns('sw'), `link set ${port} master ${bridge} up`);
    await this.ip(ns, `link set ${dev} up`);
  }

  private async build() {
    mkdirSync(this.dir, { recursive: true });
    const sw = this.ns('sw');
    await this.addNs(sw);
    for (const br of ['br-inet', 'br-zone']) {
      await this.ip(sw, `link add ${br} type bridge`);
      await this.ip(sw, `link set ${br} up`);
    }
    const inet = this.ns('inet');
    await this.addNs(inet);
    await this.plug(inet, 'eth0', 'br-inet', 'inet');
    await this.ip(inet, `addr add ${IGW_ADDR}/24 dev eth0`);
    await this.ip(inet, `addr add ${INTERNET_ADDR}/32 dev lo`);
    await this.ip(inet, 'addr add 169.254.169.254/32 dev lo');
    this.writeImds();
    const imds = imdsFile(this.dir);
    const internet = ['node', serverPath('internet.mjs'), INTERNET_ADDR, String(CLOSE_PORT), imds];
    this.daemons.push(await startDaemon(inNs(inet, internet)));
    const echo = ['node', serverPath('echo.mjs'), INTERNET_ADDR, String(ECHO_PORT)];
    this.daemons.push(await startDaemon(inNs(inet, echo)));
    // The image, built once: enable-nat and harden-nat into a root, in a namespace of their own.
    const build = `${this.id}-build`;
    await this.addNs(build);
    try {
      const env = { NATFLEET_ROOT: join(this.dir, 'image'), NATFLEET_BOOT_HOOK: 'none' };
      await must(inNs(build, ['bash', scriptPath('enable-nat.sh')]), { env });
      await must(inNs(build, ['bash', scriptPath('harden-nat.sh')]), { env });
    } finally {
      await removeNamespace(build);
    }
    // The standby gateway (AWS-managed: plain nft, not the image).
    const gw = this.ns('gw');
    await this.addNs(gw);
    await this.plug(gw, 'eth0', 'br-inet', 'gw');
    await this.plug(gw, 'eth1', 'br-zone', 'gwi');
    await this.ip(gw, `addr add ${GATEWAY.public}/24 dev eth0`);
    await this.ip(gw, `addr add ${GATEWAY.inside}/24 dev eth1`);
    await this.ip(gw, `route add default via ${IGW_ADDR} dev eth0`);
    await must(inNs(gw, ['sysctl', '-qw', 'net.ipv4.ip_forward=1']));
    await must(inNs(gw, ['nft', '-f', '-']), {
      input:
        'table ip standby {\n chain post {\n type nat hook postrouting priority srcnat;\n oifname "eth0" masquerade\n }\n}\n',
    });
    const prv = this.ns('prv');
    await this.addNs(prv);
    await this.plug(prv, 'eth0', 'br-zone', 'prv');
    await this.ip(prv, `addr add ${PRIVATE}/24 dev eth0`);
  }

  private writeImds() {
    const out: Record<string, ImdsInstance> = {};
    for (const w of ['old', 'new'] as const)
      out[INSTANCES[w].primary] = { mac: this.mac(w), cidrs: [VPC_CIDR], ipv4s: this.ipv4s[w] };
    writeImdsTable(this.dir, out);
  }

  env(which: Which): Record<string, string> {
    return {
      NATFLEET_ROOT: this.root(which),
      NATFLEET_BOOT_HOOK: 'none',
      NATFLEET_CONNTRACK_APPLY: '0',
      NATFLEET_WAIT_SECONDS: '5',
      NATFLEET_HANDOFF_SECONDS: '20',
    };
  }

  /** A NAT instance launched from the image (with the floating address, when `floating`). */
  async launch(which: Which, opts: { floating?: boolean } = {}): Promise<RunResult> {
    const i = INSTANCES[which];
    const ns = this.ns(which);
    rmSync(this.root(which), { recursive: true, force: true });
    cpSync(join(this.dir, 'image'), this.root(which), { recursive: true });
    await this.addNs(ns);
    await this.plug(ns, i.uplink, 'br-inet', `${which}-up`, this.mac(which));
    await this.plug(ns, i.inside, 'br-zone', `${which}-in`);
    await this.ip(ns, `addr add ${i.primary}/24 dev ${i.uplink}`);
    await this.ip(ns, `addr add ${i.gw}/24 dev ${i.inside}`);
    await this.ip(ns, `route add default via ${IGW_ADDR} dev ${i.uplink} metric 512`);
    if (opts.floating) await this.assign(which);
    const unit = readFileSync(
      join(this.root(which), 'etc/systemd/system/natfleet-nat.service'),
      'utf8',
    );
    const exec = /^ExecStart=(.+)$/m.exec(unit)![1]!;
    return run(inNs(ns, ['bash', join(this.root(which), exec)]), { env: this.env(which) });
  }

  /** AWS's part of AssignPrivateIpAddresses (AllowReassignment): the floating address now
   * belongs to `which`'s interface: metadata says so and the network delivers it there. */
  async assign(which: Which): Promise<void> {
    const other: Which = which === 'old' ? 'new' : 'old';
    this.ipv4s[other] = this.ipv4s[other].filter((a) => a !== FLOATING);
    if (!this.ipv4s[which].includes(FLOATING)) this.ipv4s[which].push(FLOATING);
    this.writeImds();
    await deliverTo(this.ns('inet'), 'eth0', FLOATING, this.mac(which));
  }

  /** The zone's route table (the private host's default route) on an instance or the gateway. */
  async routeVia(target: Which | 'gw'): Promise<void> {
    const via = target === 'gw' ? GATEWAY.inside : INSTANCES[target].gw;
    await this.ip(this.ns('prv'), `route replace default via ${via} dev eth0`);
  }

  async defaultRoute(): Promise<string> {
    return (await this.ip(this.ns('prv'), 'route show default')).trim();
  }

  /** One nat-handoff.sh command on an instance, as SSM RunCommand runs it. */
  handoff(which: Which, args: string[], env: Record<string, string> = {}): Promise<RunResult> {
    const script = join(this.root(which), 'usr/local/libexec/natfleet/nat-handoff.sh');
    return run(inNs(this.ns(which), ['bash', script, ...args]), {
      env: { ...this.env(which), ...env },
      timeoutMs: 60_000,
    });
  }

  /** Whether anything listens on the handoff port of an instance. */
  async listening(which: Which): Promise<boolean> {
    const out = await must(inNs(this.ns(which), ['ss', '-Hltn', `sport = :${HANDOFF_PORT}`]));
    return out.trim() !== '';
  }

  /** Whether a TCP connection from namespace `from` to ADDRESS:handoff port is accepted (2 s). */
  async reach(from: Which | 'gw', address: string): Promise<boolean> {
    const probe = `exec 3<>/dev/tcp/${address}/${HANDOFF_PORT}`;
    const r = await run(inNs(this.ns(from), ['timeout', '2', 'bash', '-c', probe]));
    return r.code === 0;
  }

  /** One copy: the receiver on the new instance, then the sender on the old; both results. */
  async copy(
    final: boolean,
    env: Record<string, string> = {},
  ): Promise<{ receive: RunResult; send: RunResult }> {
    const receive = this.handoff(
      'new',
      ['receive', FLOATING, INSTANCES.old.primary, ...(final ? ['final'] : [])],
      env,
    );
    const send = this.handoff('old', ['send', FLOATING, INSTANCES.new.primary], env);
    return { receive: await receive, send: await send };
  }

  /** Fault or retirement: the instance is gone. */
  async kill(which: Which): Promise<void> {
    if ((await namespaces()).includes(this.ns(which))) await removeNamespace(this.ns(which));
  }

  /** The instance's natfleet nftables table, as `nft list` prints it. */
  async table(which: Which): Promise<string> {
    return (await run(inNs(this.ns(which), ['nft', 'list', 'table', 'ip', 'natfleet']))).stdout;
  }

  /** Packets counted by natfleet's rule with `comment` on an instance (0: no such rule). */
  async counted(which: Which, comment: string): Promise<number> {
    const line = (await this.table(which))
      .split('\n')
      .find((l) => l.includes(`comment "${comment}"`));
    return Number(/counter packets (\d+)/.exec(line ?? '')?.[1] ?? 0);
  }

  /** Conntrack entries of an instance translated to the floating address (to `port` only,
   * when given: the echo port is the long-lived connections'). */
  async entries(which: Which, port?: number): Promise<number> {
    const r = await run(inNs(this.ns(which), ['conntrack', '-L', '-q', FLOATING]));
    return r.stdout
      .split('\n')
      .filter((l) => l.includes(`dst=${FLOATING}`))
      .filter((l) => port === undefined || l.includes(` dport=${port} `)).length;
  }

  /** The source address the internet sees for a request from the private host. */
  async whoami(): Promise<string | undefined> {
    const r = await run(
      inNs(this.ns('prv'), ['curl', '-fsS', '--max-time', '3', `http://${INTERNET_ADDR}/`]),
      { timeoutMs: 6000 },
    );
    return r.code === 0 ? r.stdout.trim() : undefined;
  }

  /** Starts the private host's flows; resolves once the long-lived ones are up. */
  async flows(
    long: number,
    intervalMs: number,
  ): Promise<{ stop: (settleMs?: number) => Promise<FlowReport> }> {
    const argv = inNs(this.ns('prv'), [
      'node',
      serverPath('flows.mjs'),
      INTERNET_ADDR,
      String(ECHO_PORT),
      String(CLOSE_PORT),
      String(long),
      String(intervalMs),
    ]);
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    this.daemons.push(child);
    const lines = createInterface({ input: child.stdout! });
    const next = () =>
      new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('flows.mjs: no answer in 60 s')), 60_000);
        lines.once('line', (l) => {
          clearTimeout(timer);
          resolve(l);
        });
        child.once('exit', (c) => reject(new Error(`flows.mjs exited ${c}`)));
      });
    const ready = await next();
    if (ready !== 'ready') throw new Error(`flows.mjs: ${ready}`);
    return {
      stop: async (settleMs = 0) => {
        const report = next();
        child.stdin!.write(`stop ${settleMs}\n`);
        return JSON.parse(await report) as FlowReport;
      },
    };
  }

  async destroy(): Promise<void> {
    for (const c of this.daemons) c.kill('SIGKILL');
    for (const ns of await namespaces())
      if (ns.startsWith(`${this.id}-`)) await removeNamespace(ns);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export { sleep };
