// scripts/prerequisites.sh, run by `npm test` before anything else: on a PATH without the tools
// it names each one with the command that installs it; with them it lets the tests start.
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempDir } from '../helpers.js';

const SCRIPT = join(ROOT, 'scripts/prerequisites.sh');
const PIP = 'python3 -m pip install "cfn-lint==1.51.0" "moto[server]==5.2.1"';

/** A PATH holding only these commands (found on this machine's PATH), and fakes. */
function path(commands: string[], fakes: Record<string, string> = {}): string {
  const bin = tempDir('natfleet-path-');
  for (const c of commands) {
    const where = spawnSync('bash', ['-c', `command -v ${c}`], { encoding: 'utf8' }).stdout.trim();
    if (!where) throw new Error(`this test needs ${c} on PATH`);
    symlinkSync(where, join(bin, c));
  }
  for (const [name, script] of Object.entries(fakes)) {
    writeFileSync(join(bin, name), `#!/bin/sh\n${script}\n`);
    chmodSync(join(bin, name), 0o755);
  }
  return bin;
}

const BASICS = ['node', 'awk', 'sed', 'id', 'dirname'];
const LAB = [
  'ip',
  'nft',
  'iptables-legacy',
  'iperf3',
  'shellcheck',
  'curl',
  'sysctl',
  'jq',
  'dhclient',
  'dnsmasq',
];
const run = (PATH: string, env: NodeJS.ProcessEnv = {}) =>
  spawnSync('/bin/bash', [SCRIPT], { env: { PATH, ...env }, encoding: 'utf8' });

describe('scripts/prerequisites.sh', () => {
  it('names every missing tool with its install command, and fails', () => {
    // No apt-get on this PATH: nothing is installed, the commands are named instead.
    const r = run(path(BASICS), { NATFLEET_LAB_REQUIRED: '1' });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('prerequisites: cannot run the tests; missing:');
    expect(r.stdout).toContain(
      `  - cfn-lint 1.51.0, moto[server] 5.2.1 (moto_server) on PATH: ${PIP} (Python 3.9 or newer)`,
    );
    expect(r.stdout).toContain(
      '  - the Debian packages iproute2 nftables iptables iperf3 shellcheck curl procps jq isc-dhcp-client dnsmasq-base conntrack, for the lab tests: ' +
        'sudo apt-get install -y --no-install-recommends iproute2 nftables iptables iperf3 shellcheck curl procps jq isc-dhcp-client dnsmasq-base conntrack',
    );
  });

  it('without NATFLEET_LAB_REQUIRED a missing lab package is a skip it announces, not a failure', () => {
    const tools = { 'cfn-lint': 'echo cfn-lint 1.51.0', moto_server: 'exit 0' };
    const r = run(path(BASICS, tools));
    expect(r.stdout).toContain('the lab tests will skip: they need iproute2 nftables');
    expect(r.stdout).toContain('prerequisites: all there');
    expect(r.status).toBe(0);
  });

  it('another cfn-lint version is named with the pip command of the pinned one', () => {
    const tools = { 'cfn-lint': 'echo cfn-lint 1.40.2', moto_server: 'exit 0' };
    const r = run(path([...BASICS, ...LAB], tools));
    expect(r.stdout).toContain(
      `cfn-lint 1.40.2 found; the tests were written against 1.51.0: ${PIP}`,
    );
    expect(r.status).toBe(0);
  });

  it('passes on this machine, which has everything', () => {
    const r = spawnSync('/bin/bash', [SCRIPT], { encoding: 'utf8' });
    expect(r.stdout).toContain('prerequisites: all there');
    expect(r.status).toBe(0);
  });

  it('a fresh clone without node_modules gets npm ci, and says so', () => {
    const clone = tempDir('natfleet-clone-');
    mkdirSync(join(clone, 'scripts'));
    copyFileSync(SCRIPT, join(clone, 'scripts/prerequisites.sh'));
    // A stand-in npm: records its arguments and installs a jest.
    const npm =
      'echo "$@" > npm-args; mkdir -p node_modules/.bin; touch node_modules/.bin/jest; chmod +x node_modules/.bin/jest';
    const tools = { npm, 'cfn-lint': 'echo cfn-lint 1.51.0', moto_server: 'exit 0' };
    const r = spawnSync('/bin/bash', [join(clone, 'scripts/prerequisites.sh')], {
      env: { PATH: path([...BASICS, ...LAB, 'mkdir', 'touch', 'chmod'], tools) },
      encoding: 'utf8',
    });
    expect(r.stdout).toContain('prerequisites: installing the npm packages: npm ci\n');
    expect(r.stdout).toContain('prerequisites: installed the npm packages\n');
    expect(readFileSync(join(clone, 'npm-args'), 'utf8')).toBe('ci --no-audit --no-fund\n');
    expect(r.status).toBe(0);
  });
});
