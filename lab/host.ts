// A NAT host built differently from the zone lab (lab/topology.ts): point-to-point links
// instead of bridges, interface names and VPC CIDRs of the test's choosing, a real ISC dhclient
// leasing the uplink from a real DHCP server (dnsmasq) that renews every few seconds, and
// interfaces added and removed after boot. It runs the same image scripts.
//
//   [edge]  up0 192.0.2.1 ── uplink (DHCP 192.0.2.10) [nat] lan<i> 10.x.y.1 ── eth0 [prv<i>]
//           198.51.100.1 (whoami), 169.254.169.254 (IMDSv2), dnsmasq on up0; extra links upN
import { cpSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { inNs, must, run, sleep, startDaemon, type RunResult } from './exec.js';
import { buildFresh, labUnavailable, namespaces, removeNamespace } from './namespaces.js';
import { INTERNET_ADDR } from './topology.js';
import { imdsFile, writeImdsTable } from './files.js';
import { scriptPath, serverPath } from './paths.js';

export const EDGE_ADDR = '192.0.2.1';
export const UPLINK_ADDR = '192.0.2.10';

export interface HostSpec {
  /** The primary interface's name (its MAC is the one metadata reports). */
  uplink: string;
  /** Private links: interface name on the NAT and its /24 (NAT .1, private host .10). */
  inside: { name: string; net: string }[];
  /** The VPC's CIDRs, as instance metadata lists them. */
  cidrs: string[];
  /** What the DHCP server hands out (option 6 and 119). */
  dhcp: { dns: string[]; search: string[] };
  /** /etc/dhcp/dhclient.conf of the instance (supersede, prepend, ...). */
  dhclientConf?: string;
}

export interface Extra {
  name: string;
  mac: string;
  addr: string;
}

let hosts = 0;

export class NatHost {
  readonly id: string;
  readonly dir: string;
  readonly root: string;
  readonly nat: string;
  readonly edge: string;
  readonly primaryMac = '02:00:00:00:77:01';
  private readonly image: string;
  private readonly daemons: ChildProcess[] = [];
  private extras = 0;
  private dhclient?: ChildProcess;

  private constructor(readonly spec: HostSpec) {
    this.id = `nfl${process.pid}-h${hosts++}`;
    this.dir = join(tmpdir(), `natfleet-lab-${this.id}`);
    this.root = join(this.dir, 'root');
    this.image = join(this.dir, 'image');
    this.nat = `${this.id}-nat`;
    this.edge = `${this.id}-edge`;
  }

  static async create(spec: HostSpec): Promise<NatHost> {
    const why = labUnavailable();
    if (why) throw new Error(`cannot build the lab: ${why}`);
    return buildFresh(new NatHost(spec), (x) => x.build());
  }

  /** The namespace of private host `i` (behind inside link `i`). */
  prv(i: number): string {
    return `${this.id}-prv${i}`;
  }

  exec(ns: string, argv: string[], env?: Record<string, string>): Promise<RunResult> {
    return run(inNs(ns, argv), { env });
  }

  must(ns: string, argv: string[]): Promise<string> {
    return must(inNs(ns, argv));
  }

  private async addNs(ns: string) {
    await must(['ip', 'netns', 'add', ns]);
    await must(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
  }

  /** A point-to-point veth: `a` in nsA, `b` in nsB, both up. */
  private async link(nsA: string, a: string, nsB: string, b: string, mac?: string) {
    const addr = mac ? ['address', mac] : [];
    await must(['ip', '-n', nsA, 'link', 'add', a, ...addr, 'type', 'veth', 'peer', 'name', b]);
    await must(['ip', '-n', nsA, 'link', 'set', b, 'netns', nsB]);
    await must(['ip', '-n', nsA, 'link', 'set', a, 'up']);
    await must(['ip', '-n', nsB, 'link', 'set', b, 'up']);
  }

  private async build() {
    mkdirSync(this.dir, { recursive: true });
    const build = `${this.id}-build`;
    await this.addNs(build);
    try {
      const env = { NATFLEET_ROOT: this.image, NATFLEET_BOOT_HOOK: 'none' };
      await must(inNs(build, ['bash', scriptPath('enable-nat.sh')]), { env });
      await must(inNs(build, ['bash', scriptPath('harden-nat.sh')]), { env });
    } finally {
      await removeNamespace(build);
    }
    await this.addNs(this.edge);
    await must(['ip', '-n', this.edge, 'addr', 'add', `${INTERNET_ADDR}/32`, 'dev', 'lo']);
    await must(['ip', '-n', this.edge, 'addr', 'add', '169.254.169.254/32', 'dev', 'lo']);
    this.writeImds([UPLINK_ADDR]);
    this.daemons.push(
      await startDaemon(
        inNs(this.edge, [
          'node',
          serverPath('internet.mjs'),
          INTERNET_ADDR,
          '7000',
          imdsFile(this.dir),
        ]),
      ),
    );
    cpSync(this.image, this.root, { recursive: true });
    await this.hardware();
    const d = this.spec.dhcp;
    this.daemons.push(
      await startDaemon(
        inNs(this.edge, [
          'dnsmasq',
          '--no-daemon',
          '--port=0',
          '--log-facility=-',
          '-u',
          'root',
          '--interface=up0',
          `--dhcp-range=${UPLINK_ADDR},static,255.255.255.0,2m`,
          `--dhcp-host=${this.primaryMac},${UPLINK_ADDR}`,
          `--dhcp-option=option:router,${EDGE_ADDR}`,
          `--dhcp-option=option:dns-server,${d.dns.join(',')}`,
          `--dhcp-option=option:domain-search,${d.search.join(',')}`,
          // Renew every few seconds (dnsmasq's shortest lease is 2 minutes; T1/T2 are not).
          '--dhcp-option=option:T1,3',
          '--dhcp-option=option:T2,5',
          `--dhcp-leasefile=${join(this.dir, 'dnsmasq.leases')}`,
          `--pid-file=${join(this.dir, 'dnsmasq.pid')}`,
        ]),
        10_000,
        /started/,
      ),
    );
    mkdirSync(join(this.root, 'etc/dhcp'), { recursive: true });
    writeFileSync(join(this.root, 'etc/dhcp/dhclient.conf'), this.spec.dhclientConf ?? '');
    const script = readFileSync(serverPath('dhclient-script.sh'), 'utf8');
    mkdirSync(join(this.root, 'sbin'), { recursive: true });
    writeFileSync(
      join(this.root, 'sbin/dhclient-script'),
      script.replace('ROOT=${ROOT:?}', `ROOT=${this.root}`),
      { mode: 0o755 },
    );
  }

  /** The instance's hardware: the uplink to the edge and each private link. */
  private async hardware() {
    await this.addNs(this.nat);
    await this.link(this.nat, this.spec.uplink, this.edge, 'up0', this.primaryMac);
    await must(['ip', '-n', this.edge, 'addr', 'add', `${EDGE_ADDR}/24`, 'dev', 'up0']);
    for (const [i, l] of this.spec.inside.entries()) {
      const prv = this.prv(i);
      if ((await namespaces()).includes(prv)) await removeNamespace(prv);
      await this.addNs(prv);
      await this.link(this.nat, l.name, prv, 'eth0', `02:00:00:00:78:${10 + i}`);
      await must(['ip', '-n', this.nat, 'addr', 'add', `${l.net}.1/24`, 'dev', l.name]);
      await must(['ip', '-n', prv, 'addr', 'add', `${l.net}.10/24`, 'dev', 'eth0']);
      await must(['ip', '-n', prv, 'route', 'add', 'default', 'via', `${l.net}.1`]);
    }
  }

  /** Instance metadata for callers from these addresses. */
  private writeImds(callers: string[]) {
    const inst = { mac: this.primaryMac, cidrs: this.spec.cidrs };
    writeImdsTable(this.dir, Object.fromEntries(callers.map((c) => [c, inst])));
  }
  private callers = [UPLINK_ADDR];

  env(): Record<string, string> {
    return {
      NATFLEET_ROOT: this.root,
      NATFLEET_BOOT_HOOK: 'none',
      NATFLEET_CONNTRACK_APPLY: '0',
      NATFLEET_WAIT_SECONDS: '5',
      NATFLEET_RESOLV_OWNED: '/run/dhclient/resolv.conf',
      NATFLEET_RESOLVERS: '',
    };
  }

  /** Starts ISC dhclient on the uplink and waits (bounded) for its first lease. */
  async startDhclient(): Promise<void> {
    mkdirSync(join(this.root, 'var/lib/dhclient'), { recursive: true });
    const link = join(this.root, 'etc/resolv.conf');
    rmSync(link, { force: true });
    await must(['ln', '-s', join(this.root, 'run/dhclient/resolv.conf'), link]);
    this.dhclient = await startDaemon(
      inNs(this.nat, [
        'dhclient',
        '-d',
        '-v',
        '-cf',
        join(this.root, 'etc/dhcp/dhclient.conf'),
        '-lf',
        join(this.root, 'var/lib/dhclient/dhclient.leases'),
        '-pf',
        join(this.root, 'run/dhclient.pid'),
        '-sf',
        join(this.root, 'sbin/dhclient-script'),
        this.spec.uplink,
      ]),
      20_000,
      /bound to/,
    );
    this.daemons.push(this.dhclient);
  }

  async stopDhclient(): Promise<void> {
    const c = this.dhclient;
    if (!c || c.exitCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await Promise.race([gone, sleep(3000)]);
  }

  /** Stops (SIGSTOP) or continues dhclient: while stopped it renews nothing, so a test can
   * look at a state that the next renewal (every few seconds) would change. */
  pauseDhclient(paused = true): void {
    const pid = this.dhclient?.pid;
    if (pid === undefined) return;
    // A dhclient-script it already started would still rewrite the file: hold it too.
    for (const p of [pid, ...descendants(pid)]) {
      try {
        process.kill(p, paused ? 'SIGSTOP' : 'SIGCONT');
      } catch {
        // gone meanwhile
      }
    }
  }

  /** The next time dhclient writes the resolver file (bounded): its new content. */
  async nextRenewal(timeoutMs = 20_000): Promise<string> {
    const file = join(this.root, 'run/dhclient/resolv.conf');
    const before = statSync(file).mtimeMs;
    const start = Date.now();
    while (Date.now() - start < timeoutMs) {
      await sleep(200);
      if (statSync(file).mtimeMs !== before) return readFileSync(file, 'utf8');
    }
    throw new Error(`dhclient wrote no resolver file within ${timeoutMs} ms`);
  }

  /** Boot: DHCP client, then the boot unit's ExecStart. */
  async boot(): Promise<RunResult> {
    await this.startDhclient();
    return this.runBoot();
  }

  /** Runs the boot service (again). */
  runBoot(): Promise<RunResult> {
    const unit = readFileSync(join(this.root, 'etc/systemd/system/natfleet-nat.service'), 'utf8');
    const exec = /^ExecStart=(.+)$/m.exec(unit)![1]!;
    return this.exec(this.nat, ['bash', join(this.root, exec)], this.env());
  }

  /** A reboot: kernel state and /run gone, files kept; the state set up by `before` (the
   * hardware a late ENI adds, say) is in place when the boot service runs. */
  async reboot(before?: () => Promise<void>): Promise<RunResult> {
    await this.stopDhclient();
    await removeNamespace(this.nat);
    rmSync(join(this.root, 'run'), { recursive: true, force: true });
    this.extras = 0;
    await this.hardware();
    await this.startDhclient();
    if (before) await before();
    return this.runBoot();
  }

  testNat(): Promise<RunResult> {
    return this.exec(this.nat, ['bash', scriptPath('test-nat.sh')], this.env());
  }

  /** An interface added after boot, linked to the edge on a /24 of its own, addressed, with
   * (optionally) a default route of the given metric: a late ENI. */
  async addInterface(name: string, metric?: number): Promise<Extra> {
    const n = ++this.extras;
    const x = { name, mac: `02:00:00:00:77:${10 + n}`, addr: `198.18.${n}.10` };
    await this.link(this.nat, name, this.edge, `up${n}`, x.mac);
    await must(['ip', '-n', this.edge, 'addr', 'replace', `198.18.${n}.1/24`, 'dev', `up${n}`]);
    await must(['ip', '-n', this.nat, 'addr', 'add', `${x.addr}/24`, 'dev', name]);
    this.callers.push(x.addr);
    this.writeImds(this.callers);
    if (metric !== undefined)
      await this.must(this.nat, [
        'ip',
        'route',
        'append', // `add` refuses a second default route of the same metric
        'default',
        'via',
        `198.18.${n}.1`,
        'dev',
        name,
        'metric',
        String(metric),
      ]);
    return x;
  }

  /** An interface detached after boot. */
  async removeInterface(name: string): Promise<void> {
    await this.must(this.nat, ['ip', 'link', 'del', name]);
  }

  /** The source address the internet sees for a request from private host `i`. */
  async whoami(i = 0): Promise<string | undefined> {
    const r = await run(
      inNs(this.prv(i), ['curl', '-fsS', '--max-time', '2', `http://${INTERNET_ADDR}/`]),
      { timeoutMs: 5000 },
    );
    return r.code === 0 ? r.stdout.trim() : undefined;
  }

  async destroy(): Promise<void> {
    for (const c of this.daemons) c.kill('SIGKILL');
    for (const ns of await namespaces())
      if (ns.startsWith(`${this.id}-`)) await removeNamespace(ns);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Every process below `pid` (bounded: a host's process tree is small). */
function descendants(pid: number): number[] {
  const r = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8', timeout: 5_000 });
  const children = (r.stdout ?? '').split('\n').filter(Boolean).map(Number);
  return children.flatMap((c) => [c, ...descendants(c)]);
}
