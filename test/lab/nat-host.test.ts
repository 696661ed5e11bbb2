// test-nat judges what the system really does, on NAT hosts built unlike the zone lab:
// point-to-point links, a real ISC dhclient renewing every few seconds, several VPC CIDRs,
// interfaces added and removed after boot, late ENIs with winning or equal default routes.
import { afterEach, expect, it, jest } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NatHost, UPLINK_ADDR, type HostSpec } from '../../lab/host.js';
import { describeLab } from './skip.js';

const failures = (out: string) => out.split('\n').filter((l) => l.startsWith('FAIL: '));

let host: NatHost | undefined;
afterEach(async () => {
  await host?.destroy();
  host = undefined;
}, 30_000);

/** EC2's usual: one private subnet in 10.40.0.0/16, the VPC resolver, ec2.internal. */
const USUAL = {
  inside: [{ name: 'lan0', net: '10.40.1' }],
  cidrs: ['10.40.0.0/16'],
  dhcp: { dns: ['10.40.0.2'], search: ['ec2.internal'] },
};

/** Two inside links named prefix0 and prefix1 on the given /24 prefixes. */
const two = (prefix: string, a: string, b: string) => [
  { name: `${prefix}0`, net: a },
  { name: `${prefix}1`, net: b },
];

type Spec = Partial<HostSpec> & Pick<HostSpec, 'uplink'>;

/** A test on a host of its own, built from `spec` and booted. */
function onHost(name: string, spec: Spec, body: (h: NatHost) => Promise<void>, timeout?: number) {
  it(
    name,
    async () => {
      host = await NatHost.create({ ...USUAL, ...spec });
      const r = await host.boot();
      if (r.code !== 0) throw new Error(`boot failed: ${r.stderr}`);
      await body(host);
    },
    timeout,
  );
}

async function passes(h: NatHost) {
  expect(await h.whoami()).toBe(UPLINK_ADDR); // counts on the masquerade rule
  const r = await h.testNat();
  expect(failures(r.stdout)).toEqual([]);
  expect(r.code).toBe(0);
}

/** The boot service, run again, repairs what test-nat found: it passes again. */
async function repairs(h: NatHost) {
  expect(await h.runBoot()).toMatchObject({ code: 0 });
  await passes(h);
}

async function failsWith(h: NatHost, pattern: RegExp): Promise<string[]> {
  const r = await h.testNat();
  expect(failures(r.stdout)).toEqual(expect.arrayContaining([expect.stringMatching(pattern)]));
  expect(r.code).toBe(1);
  return failures(r.stdout);
}

/** An element of the masquerade's VPC set added or deleted by hand, behind the boot's back. */
const vpcSet = (h: NatHost, op: 'add' | 'delete', prefix: string) =>
  h.must(h.nat, ['nft', op, 'element', 'ip', 'natfleet', 'vpc', `{ ${prefix} }`]);
const routes = (h: NatHost) => h.must(h.nat, ['ip', '-4', '-o', 'route', 'show', 'default']);
const metricOf = (table: string, dev: string) =>
  Number(new RegExp(`dev ${dev}\\b.*metric (\\d+)`).exec(table)?.[1] ?? 0);

const TOOLS: [string, string][] = [
  ['dhclient', 'isc-dhcp-client'],
  ['dnsmasq', 'dnsmasq-base'],
];

// A bound on a hung lab, not a speed expectation: a busy 2-core machine runs each step slowly.
jest.setTimeout(180_000);

describeLab(
  'test-nat on NAT hosts built differently',
  () => {
    onHost(
      '1. resolver: a hand edit through the link, and a config the running dhclient never loaded',
      {
        uplink: 'wan0',
        dhclientConf:
          'supersede domain-search "corp.example", "ops.example";\nprepend domain-name-servers 10.40.0.53;\n',
      },
      async (h) => {
        const resolv = join(h.root, 'etc/resolv.conf');
        expect(readFileSync(resolv, 'utf8')).toMatch(
          /search corp\.example\.? ops\.example\.?\nnameserver 10\.40\.0\.53\nnameserver 10\.40\.0\.2\n/,
        );
        await passes(h);
        // Edited by hand, through the link: the link stays, the content is not the client's. The
        // client is held still meanwhile: it renews every few seconds and would revert the edit.
        h.pauseDhclient();
        writeFileSync(resolv, 'search corp.example\nnameserver 10.40.9.9\n');
        await failsWith(
          h,
          /resolv\.conf lists nameservers 10\.40\.9\.9 .*dhclient .*wan0.* writes 10\.40\.0\.53 10\.40\.0\.2 \(search corp\.example ops\.example\) at its next renewal/,
        );
        // The renewal reverts the edit: what test-nat said would happen.
        const renewal = h.nextRenewal();
        h.pauseDhclient(false);
        expect(await renewal).toContain('nameserver 10.40.0.53\nnameserver 10.40.0.2\n');
        await passes(h);
        // The operator changes the client's configuration but does not restart the client.
        writeFileSync(
          join(h.root, 'etc/dhcp/dhclient.conf'),
          'supersede domain-search "corp.example";\nsupersede domain-name-servers 10.40.0.99;\n',
        );
        await failsWith(
          h,
          /dhclient .* has not loaded .*dhclient\.conf.*domain-name-servers 10\.40\.0\.99/,
        );
        expect(await h.nextRenewal()).not.toContain('10.40.0.99'); // seed 000, exactly
        await h.stopDhclient();
        await h.startDhclient();
        expect(readFileSync(resolv, 'utf8')).toContain('search corp.example');
        expect(readFileSync(resolv, 'utf8')).toMatch(/^nameserver 10\.40\.0\.99$/m);
        await passes(h);
      },
    );

    onHost(
      '2. a secondary interface detached after boot, and one added: judges the interfaces that exist',
      {
        uplink: 'ens3',
        inside: two('priv', '10.40.1', '10.40.2'),
      },
      async (h) => {
        expect(readFileSync(join(h.root, 'etc/sysctl.d/90-natfleet-nat.conf'), 'utf8')).toContain(
          'net.ipv4.conf.priv1.rp_filter = 2',
        );
        await h.removeInterface('priv1');
        await h.addInterface('hot0');
        expect(await h.whoami(0)).toBe(UPLINK_ADDR);
        await passes(h);
        // A key that is missing for another reason than a gone interface still fails.
        const conf = join(h.root, 'etc/sysctl.d/90-natfleet-harden.conf');
        const text = readFileSync(conf, 'utf8');
        writeFileSync(conf, `${text}net.ipv4.no_such_key = 1\n`);
        await failsWith(h, /net\.ipv4\.no_such_key .*does not exist/);
        writeFileSync(conf, text);
        await passes(h);
      },
    );

    onHost(
      '3. adjacent VPC CIDRs that nft merges into one prefix are the same addresses',
      {
        uplink: 'enp0s8',
        inside: two('vpc', '10.40.1', '10.41.1'),
        cidrs: ['10.40.0.0/16', '10.41.0.0/16'],
      },
      async (h) => {
        expect(await h.must(h.nat, ['nft', 'list', 'set', 'ip', 'natfleet', 'vpc'])).toContain(
          '10.40.0.0/15',
        );
        expect(await h.whoami(0)).toBe(UPLINK_ADDR);
        expect(await h.whoami(1)).toBe(UPLINK_ADDR);
        await passes(h);
        // More addresses than the VPC's: named.
        await vpcSet(h, 'add', '10.42.0.0/16');
        await failsWith(h, /masquerade covers 10\.42\.0\.0\/16, which is not in the VPC/);
        await repairs(h);
      },
    );

    onHost(
      '4. three and more VPC CIDRs: every element of the set is read',
      {
        uplink: 'xn0',
        inside: two('a', '172.20.5', '192.168.100'),
        cidrs: ['10.40.0.0/16', '172.20.0.0/16', '100.70.0.0/16', '192.168.96.0/20'],
      },
      async (h) => {
        expect(await h.whoami(0)).toBe(UPLINK_ADDR);
        expect(await h.whoami(1)).toBe(UPLINK_ADDR);
        await passes(h);
        await vpcSet(h, 'delete', '100.70.0.0/16');
        await failsWith(h, /masquerade does not cover 100\.70\.0\.0\/16 of the VPC/);
        await repairs(h);
      },
    );

    onHost(
      '5. IPv6 leftovers in ip6tables-legacy are found and cleaned by the boot service',
      {
        uplink: 'ens4',
      },
      async (h) => {
        const v6 = (...a: string[]) => h.must(h.nat, ['ip6tables-legacy', ...a]);
        await v6('-N', 'OLD6-FWD');
        await v6('-A', 'OLD6-FWD', '-j', 'DROP');
        await v6('-A', 'FORWARD', '-j', 'OLD6-FWD');
        await v6('-t', 'mangle', '-A', 'POSTROUTING', '-j', 'ACCEPT');
        await v6('-P', 'INPUT', 'DROP');
        const found = await failsWith(
          h,
          /legacy iptables holds .*ip6tables-legacy filter: user chain OLD6-FWD/,
        );
        expect(found.join('\n')).toMatch(/policy INPUT DROP/);
        expect(await h.runBoot()).toMatchObject({ code: 0 });
        const save = await h.must(h.nat, ['ip6tables-legacy-save']);
        expect(save).not.toMatch(/^-A /m);
        expect(save).not.toMatch(/OLD6-FWD/);
        await passes(h);
      },
    );

    onHost(
      '6. a late ENI whose default route wins or ties: the boot service repairs it and serves',
      {
        uplink: 'ens9', // sorts after ens10 by name: only the MAC can tell the primary
      },
      async (h) => {
        await h.addInterface('ens10', 100);
        expect(await h.whoami()).toBeUndefined(); // leaves via ens10, untranslated
        await failsWith(h, /default route leaves via ens10 .*not the primary interface ens9/);
        const repaired = await h.runBoot();
        expect(repaired.stderr).toMatch(/ens10/);
        expect(repaired).toMatchObject({ code: 0 });
        let table = await routes(h);
        expect(metricOf(table, 'ens10')).toBeGreaterThan(metricOf(table, 'ens9'));
        expect(await h.whoami()).toBe(UPLINK_ADDR);
        await passes(h);

        // Rebooted in that state: the late route is there before the boot service runs.
        const afterReboot = await h.reboot(async () => {
          await h.addInterface('ens10', 100);
        });
        expect(afterReboot).toMatchObject({ code: 0 });
        expect((await h.must(h.nat, ['sysctl', '-n', 'net.ipv4.ip_forward'])).trim()).toBe('1');
        expect(await h.whoami()).toBe(UPLINK_ADDR);
        await passes(h);

        // Equal metrics: decided by MAC, never by name.
        const tie = await h.reboot(async () => {
          await h.addInterface('ens10', 512);
        });
        expect(tie).toMatchObject({ code: 0 });
        table = await routes(h);
        expect(metricOf(table, 'ens10')).toBeGreaterThan(metricOf(table, 'ens9'));
        expect(readFileSync(join(h.root, 'etc/natfleet/nat.nft'), 'utf8')).toContain(
          'oifname "ens9"',
        );
        await passes(h);
        // A tie made after boot: test-nat reports it, and names the repair.
        await h.addInterface('ens11', metricOf(table, 'ens9'));
        await failsWith(
          h,
          /default routes via ens11, ens9 share the lowest metric 512.*fix: systemctl restart natfleet-nat\.service/,
        );
        await repairs(h);
      },
      240_000,
    );

    onHost(
      '7. every failure says what is wrong and the command that fixes it, in operator terms',
      {
        uplink: 'eno1',
        cidrs: ['10.40.0.0/16', '10.41.0.0/16'],
      },
      async (h) => {
        await h.must(h.nat, [
          'iptables-legacy',
          '-t',
          'nat',
          '-A',
          'POSTROUTING',
          '-j',
          'MASQUERADE',
        ]);
        await h.must(h.nat, ['ip6tables-legacy', '-A', 'FORWARD', '-j', 'DROP']);
        await h.must(h.nat, ['iptables-nft', '-A', 'FORWARD', '-j', 'ACCEPT']);
        await h.must(h.nat, ['sysctl', '-qw', 'net.ipv4.conf.all.send_redirects=1']);
        await h.must(h.nat, ['sysctl', '-qw', 'net.ipv4.conf.all.rp_filter=1']);
        await h.must(h.nat, ['sysctl', '-qw', 'net.ipv4.conf.lan0.rp_filter=1']);
        await h.must(h.nat, ['sysctl', '-qw', 'net.netfilter.nf_conntrack_udp_timeout=30']);
        await vpcSet(h, 'delete', '10.40.0.0/15');
        h.pauseDhclient(); // its next renewal would revert the edit below
        writeFileSync(join(h.root, 'etc/resolv.conf'), 'nameserver 10.40.9.9\n');
        await h.addInterface('eno2', 100);
        const lines = await failsWith(h, /iptables-legacy/);
        expect(lines.length).toBeGreaterThanOrEqual(8);
        for (const l of lines) {
          expect(l).not.toMatch(/seed/i);
          expect(l).toMatch(/; fix: \S/);
        }
        // And the boot service, when it must stop, says so the same way.
        const stopped = await h.runBoot();
        expect(stopped.code).not.toBe(0);
        expect(stopped.stderr).toMatch(
          /nftables holds tables natfleet did not make \(ip filter\).*; fix: /,
        );
        expect(stopped.stderr).not.toMatch(/seed/i);
      },
    );
  },
  TOOLS,
);
