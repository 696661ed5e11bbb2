// The three seed incidents, reproduced on a lab NAT instance, each with its fix.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from './exec.js';
import { IGW_ADDR, type Lab } from './topology.js';

/** The resolver an operator moves to in seed 000. */
export const NEW_RESOLVER = '10.20.0.53';

/** Seed 001: chains left in iptables-legacy after the switch to nft (a stale SNAT and a
 * FORWARD drop, each in a user chain that a jump references). */
export async function staleLegacyRules(lab: Lab, zone: string): Promise<void> {
  const ns = lab.zone(zone).nat;
  const legacy = (...args: string[]) => lab.must(ns, ['iptables-legacy', ...args]);
  await legacy('-t', 'nat', '-N', 'OLD-NAT');
  await legacy(
    '-t',
    'nat',
    '-A',
    'OLD-NAT',
    '-s',
    '10.20.0.0/16',
    '-j',
    'SNAT',
    '--to-source',
    '203.0.113.99',
  );
  await legacy('-t', 'nat', '-A', 'POSTROUTING', '-j', 'OLD-NAT');
  await legacy('-N', 'OLD-FWD');
  await legacy('-A', 'OLD-FWD', '-j', 'DROP');
  await legacy('-A', 'FORWARD', '-j', 'OLD-FWD');
}

const pidOf = (lab: Lab, zone: string) =>
  Number(readFileSync(join(lab.zone(zone).root, 'run/lab-dhcp.pid'), 'utf8'));

/** Seed 000: the DNS server moves. The operator edits the DHCP client's configuration
 * without restarting the client and hand-writes resolv.conf as belt and braces. */
export async function resolverOverride(lab: Lab, zone: string): Promise<void> {
  const z = lab.zone(zone);
  // The edit comes later than the client's start (bounded wait past test-nat's 1 s grain).
  const started = Date.now();
  while (Date.now() - started < 1500) await sleep(100);
  writeFileSync(join(z.root, 'etc/lab-dhcp.conf'), `nameserver ${NEW_RESOLVER}\n`);
  const resolv = join(z.root, 'etc/resolv.conf');
  rmSync(resolv, { force: true });
  writeFileSync(resolv, `nameserver ${NEW_RESOLVER}\n`);
}

/** A DHCP lease renewal: the client writes the resolver file again, from what it loaded. */
export async function renewLease(lab: Lab, zone: string): Promise<string> {
  process.kill(pidOf(lab, zone), 'SIGHUP');
  const file = join(lab.zone(zone).root, 'run/lab-dhcp/resolv.conf');
  await sleep(200);
  return readFileSync(file, 'utf8');
}

/** The fix: restart the client so it loads its configuration, and let it own resolv.conf. */
export async function fixResolver(lab: Lab, zone: string): Promise<void> {
  process.kill(pidOf(lab, zone), 'SIGTERM');
  await lab.startDhcpClient(lab.zone(zone));
}

/** Seed 002: a second interface comes up after boot and the network manager gives it a
 * default route that wins (a lower metric than the primary's). */
export async function lateInterface(lab: Lab, zone: string): Promise<void> {
  const z = lab.zone(zone);
  await lab.plugLate(z);
  await lab.must(z.nat, ['ip', 'addr', 'add', `203.0.113.${30 + z.index}/24`, 'dev', z.late]);
  await lab.must(z.nat, [
    'ip',
    'route',
    'add',
    'default',
    'via',
    IGW_ADDR,
    'dev',
    z.late,
    'metric',
    '100',
  ]);
}

/** The fix: the secondary interface keeps no default route in the main table. */
export async function fixLateInterface(lab: Lab, zone: string): Promise<void> {
  const z = lab.zone(zone);
  await lab.must(z.nat, ['ip', 'route', 'del', 'default', 'dev', z.late]);
}
