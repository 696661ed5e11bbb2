import { expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { inNs, must, run, startDaemon } from '../../lab/exec.js';
import { imdsFile } from '../../lab/files.js';
import { CONTROL_ADDR, Lab, cleanupStale } from '../../lab/topology.js';
import { describeLab } from './skip.js';
import { labPerSuite } from './suite.js';

const namespaces = async () =>
  (await must(['ip', 'netns', 'list'])).split('\n').map((l) => l.split(' ')[0]);

/** A pid that is certainly gone: a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn('true');
  await new Promise((r) => child.on('exit', r));
  return child.pid!;
}

describeLab('the lab topology', () => {
  let lab: Lab;
  labPerSuite({ zones: 1 }, (l) => (lab = l));

  it('names everything after its process and runs commands inside a namespace', async () => {
    const names = (await namespaces()).filter((n) => n!.startsWith(`nfl${process.pid}-`));
    expect(names.sort()).toEqual(
      [
        lab.switchNs,
        lab.internetNs,
        ...lab.zones.flatMap((z) => [z.nat, z.gateway, z.private]),
      ].sort(),
    );
    const z = lab.zone('a');
    const addr = await lab.must(z.private, ['ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0']);
    expect(addr).toContain(z.privateAddr);
  });

  it('moves the route table between the NAT and the standby gateway', async () => {
    const z = lab.zone('a');
    expect(await lab.whoami('a')).toBe(z.natPublic);
    await lab.routeVia('a', 'gateway');
    expect(await lab.whoami('a')).toBe(z.gatewayPublic);
    await lab.routeVia('a', 'nat');
    expect(await lab.whoami('a')).toBe(z.natPublic);
  });

  it('cuts and restores the NAT uplink', async () => {
    await lab.uplinkDown('a');
    expect(await lab.whoami('a', 1)).toBeUndefined();
    await lab.uplinkDown('a', false);
    expect(await lab.whoami('a')).toBe(lab.zone('a').natPublic);
  });

  it('lets the NAT instance vanish, fails over, and launches a new one from the image', async () => {
    const z = lab.zone('a');
    await lab.killNat('a');
    expect(await namespaces()).not.toContain(z.nat);
    expect(await lab.whoami('a', 1)).toBeUndefined();
    await lab.routeVia('a', 'gateway');
    expect(await lab.whoami('a')).toBe(z.gatewayPublic);
    expect((await lab.launchNat('a')).code).toBe(0);
    await lab.routeVia('a', 'nat');
    expect(await lab.whoami('a')).toBe(z.natPublic);
    expect((await lab.testNat('a')).code).toBe(0);
  });

  it('serves instance metadata while the lab rewrites its table, and a 5xx for a torn one', async () => {
    const z = lab.zone('a');
    const imds = 'http://169.254.169.254/latest';
    // One token, then the mac again and again, while the table is rewritten between requests.
    const ask = (path: string) =>
      lab.exec(z.nat, [
        'bash',
        '-c',
        `t=$(curl -fsS --max-time 5 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' ${imds}/api/token) && ` +
          `for i in $(seq 40); do curl -sS --max-time 5 -o /dev/null -w '%{http_code} ' -H "X-aws-ec2-metadata-token: $t" ${imds}/meta-data/${path}; done`,
      ]);
    const asking = ask('mac');
    for (let i = 0; i < 200; i++) lab.allowImdsV1('a', i % 2 === 0);
    lab.allowImdsV1('a', false);
    const codes = (await asking).stdout.trim().split(' ');
    expect(codes).toHaveLength(40);
    expect(new Set(codes)).toEqual(new Set(['200']));
    // A table cut off mid-write (as a plain rewrite can be read): a retryable 503, and the
    // server still up for the next request once the table is whole again.
    writeFileSync(imdsFile(lab.dir), '{"203.0.113.');
    const torn = await ask('mac');
    expect(new Set(torn.stdout.trim().split(' '))).toEqual(new Set(['503']));
    lab.allowImdsV1('a', false);
    const again = await ask('mac');
    expect(new Set(again.stdout.trim().split(' '))).toEqual(new Set(['200']));
  });

  it('removes what a crashed lab left behind, and only that', async () => {
    const stale = `nfl${await deadPid()}-0-sw`;
    await must(['ip', 'netns', 'add', stale]);
    const removed = await cleanupStale();
    expect(removed).toContain(stale);
    expect(await namespaces()).not.toContain(stale);
    expect(await namespaces()).toContain(lab.switchNs); // this process is alive: kept
  });

  it('can give private hosts a control plane they reach without the NAT', async () => {
    const other = await Lab.create({ zones: 1, endpoint: true });
    try {
      const serve = `require('http').createServer((q, s) => s.end('api')).listen(8080, '${CONTROL_ADDR}', () => console.log('ready'))`;
      const api = await startDaemon(inNs(other.controlNs, ['node', '-e', serve]));
      await other.killNat('a');
      expect(await other.whoami('a', 1)).toBeUndefined();
      const r = await other.must(other.zone('a').private, [
        'curl',
        '-fsS',
        '--max-time',
        '2',
        `http://${CONTROL_ADDR}:8080/`,
      ]);
      expect(r).toBe('api');
      api.kill('SIGKILL');
    } finally {
      await other.destroy();
    }
  }, 60_000);

  it('leaves nothing behind when destroyed', async () => {
    const other = await Lab.create({ zones: 1 });
    expect(other.id).not.toBe(lab.id);
    await other.destroy();
    expect((await namespaces()).filter((n) => n!.startsWith(`${other.id}-`))).toEqual([]);
    expect(existsSync(other.dir)).toBe(false);
    expect((await run(['ip', 'netns', 'pids', other.switchNs])).code).not.toBe(0);
  }, 60_000);
});
