import { expect, it, jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab } from '../../lab/topology.js';
import { inNs, startDaemon } from '../../lab/exec.js';
import {
  NEW_RESOLVER,
  fixLateInterface,
  fixResolver,
  lateInterface,
  renewLease,
  resolverOverride,
  staleLegacyRules,
} from '../../lab/seeds.js';
import { VPC_RESOLVER } from '../../lab/topology.js';
import { describeLab } from './skip.js';
import { labPerSuite } from './suite.js';

const failures = (out: string) => out.split('\n').filter((l) => l.startsWith('FAIL: '));

// A bound on a hung lab, not a speed expectation: a busy 2-core machine runs each step slowly.
jest.setTimeout(180_000);

describeLab('the NAT image in network namespaces', () => {
  let lab: Lab;
  labPerSuite({ zones: 2 }, (l) => (lab = l));

  async function passes(zone: string) {
    const r = await lab.testNat(zone);
    expect(failures(r.stdout)).toEqual([]);
    expect(r.stdout).toContain('test-nat: all checks passed');
    expect(r.code).toBe(0);
  }

  async function failsWith(zone: string, pattern: RegExp) {
    const r = await lab.testNat(zone);
    expect(failures(r.stdout)).toEqual(expect.arrayContaining([expect.stringMatching(pattern)]));
    expect(r.code).toBe(1);
    return failures(r.stdout);
  }

  it('judges an unused masquerade rule a fault, except before traffic (the path check)', async () => {
    // A fresh instance no route points at yet: nothing has been translated.
    await lab.killNat('b');
    await lab.launchNat('b');
    await failsWith('b', /the masquerade rule has counted no packet/);
    const before = await lab.testNat('b', 0, ['--before-traffic']);
    expect(failures(before.stdout)).toEqual([]);
    expect(before.stdout).toContain('counted no packet yet (before traffic: not judged)');
    expect(before.code).toBe(0);
  });

  it('sends private traffic out under the NAT address, whatever the interfaces are called', async () => {
    for (const z of lab.zones) {
      expect(await lab.whoami(z.name)).toBe(z.natPublic);
      await passes(z.name);
    }
    expect(lab.zones.map((z) => z.uplink)).toEqual(['ens5', 'eth0']);
    const file = readFileSync(join(lab.zone('b').root, 'etc/natfleet/nat.nft'), 'utf8');
    expect(file).toContain('oifname "eth0"');
    expect(file).toContain('10.20.0.0/16');
  });

  it('is a NAT again after a reboot only because the boot service runs', async () => {
    await lab.rebootNat('a', { boot: false });
    expect(await lab.whoami('a', 1)).toBeUndefined();
    const before = await failsWith('a', /boot\.env is missing/);
    expect(before.some((l) => /ip_forward is 0/.test(l))).toBe(true);
    expect(before.some((l) => /no natfleet masquerade rule/.test(l))).toBe(true);
    const boot = await lab.bootNat('a');
    expect(boot.code).toBe(0);
    expect(await lab.whoami('a')).toBe(lab.zone('a').natPublic);
    await passes('a');
  });

  it('catches flushed NAT rules, which leave forwarding on and sources untranslated', async () => {
    await lab.flushNat('a');
    expect(await lab.whoami('a', 1)).toBeUndefined();
    await failsWith('a', /no natfleet masquerade rule/);
    expect((await lab.bootNat('a')).code).toBe(0);
    expect(await lab.whoami('a')).toBe(lab.zone('a').natPublic);
  });

  it('seed 001: catches stale chains in iptables-legacy and the boot service removes them', async () => {
    const z = lab.zone('a');
    await staleLegacyRules(lab, 'a');
    expect(await lab.whoami('a', 1)).toBeUndefined(); // the legacy FORWARD drop wins
    await failsWith(
      'a',
      /legacy iptables holds rules beside nftables.*iptables-legacy nat: user chain OLD-NAT/,
    );
    // Deleting without flushing first fails: the chain has rules and a jump to it.
    expect(
      (await lab.exec(z.nat, ['iptables-legacy', '-t', 'nat', '-X', 'OLD-NAT'])).code,
    ).not.toBe(0);
    expect((await lab.bootNat('a')).code).toBe(0);
    const save = await lab.must(z.nat, ['iptables-legacy-save']);
    expect(save).not.toMatch(/^-A /m);
    expect(await lab.whoami('a')).toBe(z.natPublic);
    await passes('a');
  });

  it('seed 000: catches a hand-written resolv.conf and a DHCP client running an old config', async () => {
    await resolverOverride(lab, 'a');
    const found = await failsWith('a', /resolv\.conf is not the resolver's file/);
    expect(found.some((l) => /started before .*lab-dhcp\.conf changed/.test(l))).toBe(true);
    // What seed 000 met: the renewal writes the old, dead server back.
    expect(await renewLease(lab, 'a')).toContain(`nameserver ${VPC_RESOLVER}`);
    await fixResolver(lab, 'a');
    const resolv = readFileSync(join(lab.zone('a').root, 'etc/resolv.conf'), 'utf8');
    expect(resolv).toContain(`nameserver ${NEW_RESOLVER}`);
    await passes('a');
  });

  it('seed 002: a late second interface that took the default route is moved below the primary', async () => {
    const z = lab.zone('b');
    await lateInterface(lab, 'b');
    expect(await lab.whoami('b', 1)).toBeUndefined(); // leaves via eth2, untranslated
    await failsWith('b', /default route leaves via eth2 .*not the primary interface eth0/);
    const boot = await lab.bootNat('b');
    expect(boot.code).toBe(0);
    expect(boot.stderr).toMatch(/default route via eth2 \(metric 100\) moved to metric 513/);
    const rules = await lab.must(z.nat, ['nft', 'list', 'table', 'ip', 'natfleet']);
    expect(rules).toContain('oifname "eth0"');
    expect(await lab.whoami('b')).toBe(z.natPublic);
    await passes('b');
    await fixLateInterface(lab, 'b');
    await passes('b');
  });

  it('catches a sysctl that drifted from its file (conntrack timeout, redirects)', async () => {
    const z = lab.zone('a');
    const set = (kv: string) => lab.must(z.nat, ['sysctl', '-qw', kv]);
    await set('net.netfilter.nf_conntrack_tcp_timeout_established=432000');
    await set('net.ipv4.conf.all.send_redirects=1');
    const found = await failsWith(
      'a',
      /net.netfilter.nf_conntrack_tcp_timeout_established is 432000, but .*90-natfleet-conntrack.conf says 7440/,
    );
    expect(found).toContainEqual(
      expect.stringMatching(/all.send_redirects is 1: ICMP redirects are sent/),
    );
    expect((await lab.bootNat('a')).code).toBe(0);
    await lab.whoami('a');
    await passes('a');
  });

  it('catches instance metadata that answers without a token (IMDSv1)', async () => {
    lab.allowImdsV1('a');
    await failsWith('a', /instance metadata answered a request without a token/);
    lab.allowImdsV1('a', false);
    await passes('a');
  });

  it('seed 001, other backend: NAT rules made with iptables-nft stop the boot and fail test-nat', async () => {
    const z = lab.zone('a');
    await lab.must(z.nat, ['iptables-nft', '-t', 'nat', '-A', 'POSTROUTING', '-j', 'MASQUERADE']);
    await failsWith('a', /nftables holds tables natfleet did not make: ip nat/);
    const boot = await lab.bootNat('a');
    expect(boot.code).not.toBe(0);
    expect(boot.stderr).toMatch(/remove them with the tool that made them/);
    await lab.must(z.nat, ['iptables-nft', '-t', 'nat', '-F']);
    await lab.must(z.nat, ['nft', 'delete', 'table', 'ip', 'nat']);
    expect((await lab.bootNat('a')).code).toBe(0);
    expect(await lab.whoami('a')).toBe(z.natPublic);
    await passes('a');
  });

  it('catches a listener and a strict reverse-path filter', async () => {
    const z = lab.zone('a');
    // The effective value is the larger of `all` and the interface's: strict everywhere.
    await lab.must(z.nat, ['sysctl', '-qw', 'net.ipv4.conf.all.rp_filter=1']);
    await lab.must(z.nat, ['sysctl', '-qw', `net.ipv4.conf.${z.inside}.rp_filter=1`]);
    const listen =
      "require('net').createServer().listen(2222, '0.0.0.0', () => console.log('ready'))";
    const listener = await startDaemon(inNs(z.nat, ['node', '-e', listen]));
    const found = await failsWith('a', new RegExp(`rp_filter on ${z.inside} is strict`));
    expect(
      found.some((l) =>
        /listens on 0\.0\.0\.0:2222: only the SSM agent and the DHCP client may/.test(l),
      ),
    ).toBe(true);
    listener.kill('SIGKILL');
    await lab.must(z.nat, ['sysctl', '-qw', 'net.ipv4.conf.all.rp_filter=2']);
    await lab.must(z.nat, ['sysctl', '-qw', `net.ipv4.conf.${z.inside}.rp_filter=2`]);
    await passes('a');
  });
});
