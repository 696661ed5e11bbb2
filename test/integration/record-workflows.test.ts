// An operation ends with a pull request that shows, zone by zone, what it changed: the real
// Failover and Maintenance definitions run in-process against moto (test/workflows-world.ts),
// then the committed record-state bundle records the fleet against the fake GitHub API.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers.js';
import { motoEnv, runAction } from '../action.js';
import { startMoto, type Moto } from '../moto.js';
import { startFakeGitHub, type FakeGitHub } from '../github.js';
import { buildWorld, writeConfig, type World } from '../workflows-world.js';

const STATE = 'state/prod.json';

let moto: Moto;
let gh: FakeGitHub;
let w: World;
let workspace: string;

beforeAll(async () => {
  moto = await startMoto();
});
afterAll(async () => {
  await moto?.stop();
});
beforeEach(async () => {
  await moto.reset();
  gh = await startFakeGitHub({ owner: 'acme', repo: 'fleet' });
  w = await buildWorld();
  workspace = tempDir('natfleet-fleet-repo-');
  copyFileSync(writeConfig(w.env), join(workspace, 'natfleet.yml'));
}, 120_000);
afterEach(async () => {
  expect(gh.violations).toEqual([]);
  expect(await w.violations()).toEqual([]);
  w.ec2.destroy();
  w.ssm.destroy();
  await gh.stop();
});

const recordState = (reason: string) =>
  runAction('record-state', {
    cwd: workspace,
    inputs: { environment: 'prod', reason, token: gh.token },
    env: {
      ...motoEnv(moto.endpoint),
      GITHUB_WORKSPACE: workspace,
      GITHUB_REPOSITORY: 'acme/fleet',
      GITHUB_API_URL: gh.url,
      GITHUB_RUN_ID: '77',
    },
    timeoutMs: 60_000,
  });

/** The fleet as deployed, recorded and merged: what the next pull request compares with. */
async function recordedAndMerged() {
  const r = await recordState('deploy');
  expect(r.status).toBe(0);
  const pr = gh.pulls.at(-1)!;
  gh.branches.get('main')!.set(STATE, gh.branches.get(pr.head)!.get(STATE)!);
  pr.state = 'closed';
}

describe('an operation ends with a state pull request', () => {
  it('after Failover: the chosen zones instance → gateway, route by route; the others as they were', async () => {
    await recordedAndMerged();
    const [a, b, c] = w.zones;
    const e = await w.run('Failover', { zones: [a!.zone, b!.zone], reason: 'drill' });
    expect(e.r.status).toBe('SUCCEEDED');

    const r = await recordState('failover: drill');
    expect(r.status).toBe(0);
    expect(r.outputs).toMatchObject({ changed: 'true', 'pull-request-number': '2' });
    const pr = gh.pulls[1]!;
    expect(pr.title).toBe('natfleet(prod): failover: drill');
    const rows = pr.body.split('\n').filter((l) => l.startsWith('| eu-west-1'));
    expect(rows).toHaveLength(3);
    for (const z of [a!, b!]) {
      const row = rows.find((l) => l.startsWith(`| ${z.zone} |`))!;
      expect(row).toContain('| instance → gateway |');
      for (const t of z.routeTables) expect(row).toContain(`${t}: ${z.eniId} → ${z.gateway}`);
    }
    const still = rows.find((l) => l.startsWith(`| ${c!.zone} |`))!;
    expect(still).not.toContain('→');
    expect(still).toContain(`| instance | ${c!.instanceId} |`);
    const recorded = JSON.parse(gh.branches.get(pr.head)!.get(STATE)!);
    expect(recorded.zones[a!.zone].mode).toBe('gateway');
    expect(recorded.zones[c!.zone].mode).toBe('instance');
    expect(readFileSync(join(workspace, STATE), 'utf8')).toBe(gh.branches.get(pr.head)!.get(STATE));
  });

  it('after Maintenance: the new image, and per zone the new instance from it', async () => {
    await recordedAndMerged();
    const before = JSON.parse(gh.branches.get('main')!.get(STATE)!);
    const e = await w.run('Maintenance', { reason: 'image due' });
    expect(e.r.status).toBe('SUCCEEDED');

    const r = await recordState('maintenance');
    expect(r.status).toBe(0);
    const pr = gh.pulls[1]!;
    expect(pr.title).toBe('natfleet(prod): maintenance');
    expect(pr.body).toContain(`**Image:** ${before.image.amiId} → ${w.newAmi}`);
    const after = JSON.parse(gh.branches.get(pr.head)!.get(STATE)!);
    for (const z of w.zones) {
      const was = before.zones[z.zone].instance;
      const now = after.zones[z.zone].instance;
      expect(after.zones[z.zone].mode).toBe('instance');
      expect(now.instanceId).not.toBe(was.instanceId);
      expect(now.amiId).toBe(w.newAmi);
      const row = pr.body.split('\n').find((l) => l.startsWith(`| ${z.zone} |`))!;
      expect(row).toContain(`| instance | ${was.instanceId} → ${now.instanceId} |`);
      expect(row).toContain(`${was.amiId} → ${w.newAmi}`);
    }
    expect(r.outputs['rebuild-due']).toBe('false');
  });
});
