// GitHub's API failing while an operation's record is published: 5xx, 429 and the secondary
// rate limit are retried with a bounded backoff (the waits counted through an injected sleep,
// never spent); when GitHub stays down the record is not lost — it is in the job summary and in
// state/<env>.json for the workflow's artifact — and the next drift check opens the pull
// request. The record-state action runs in-process against moto and the fake GitHub.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { getOctokit } from '@actions/github';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { recordStateAction } from '../../actions/record-state/src/record-state.js';
import { RECORD_RETRY } from '../../lib/record/retry.js';
import { fakeCore } from '../fake-core.js';
import type { Moto } from '../moto.js';
import { startFakeGitHub, type FakeGitHub } from '../github.js';
import {
  buildRecordedFleet,
  fleetWorkspace,
  moveRoute,
  startRecordMoto,
  type RecordedFleet,
  type RecordMoto,
} from '../record-fleet.js';

const STATE = 'state/prod.json';
const BRANCH = 'natfleet/state/prod';

let recordMoto: RecordMoto;
let moto: Moto;
let gh: FakeGitHub;
let ec2: EC2Client;
let ssm: SSMClient;
let fleet: RecordedFleet;
let workspace: string;

async function recordState(inputs: Record<string, string>) {
  const sleeps: number[] = [];
  const { core: c, out } = fakeCore({
    environment: 'prod',
    config: join(workspace, 'natfleet.yml'),
    token: gh.token,
    ...inputs,
  });
  const core = c as unknown as Parameters<typeof recordStateAction>[0];
  await recordStateAction(core, {
    env: {
      GITHUB_WORKSPACE: workspace,
      GITHUB_REPOSITORY: `${gh.owner}/${gh.repo}`,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_RUN_ID: '77',
    },
    now: () => new Date('2026-11-30T10:00:00Z'),
    aws: () => ({ ec2, ssm }),
    octokit: (token) => getOctokit(token, { baseUrl: gh.url }),
    sleep: async (ms) => void sleeps.push(ms),
  });
  return { ...out, sleeps };
}

/** Answers `fault` to the named operations for their first `times` requests. */
function faulty(
  ops: string[],
  times: number,
  fault: NonNullable<ReturnType<NonNullable<FakeGitHub['fault']>>>,
) {
  const seen: Record<string, number> = {};
  gh.fault = (op) => {
    if (!ops.includes(op)) return undefined;
    seen[op] = (seen[op] ?? 0) + 1;
    return seen[op]! <= times ? fault : undefined;
  };
  return seen;
}

beforeAll(async () => {
  ({ moto, ec2, ssm } = recordMoto = await startRecordMoto());
});
afterAll(() => recordMoto?.stop());
beforeEach(async () => {
  await moto.reset();
  fleet = await buildRecordedFleet(ec2, ssm);
  workspace = fleetWorkspace(fleet);
  gh = await startFakeGitHub({ owner: 'acme', repo: 'fleet' });
});
// Every request the action sent, and every answer the fake gave, is as GitHub describes it.
afterEach(async () => {
  expect(gh.violations).toEqual([]);
  await gh.stop();
});

const twoMin = RECORD_RETRY.baseMs;

describe('GitHub failing for a while during the record', () => {
  it.each<
    [
      string,
      string[],
      number,
      { status: number; message: string; headers?: Record<string, string> },
      number[],
    ]
  >([
    [
      '502 twice on opening the pull request',
      ['pulls/create'],
      2,
      { status: 502, message: 'Bad Gateway' },
      [twoMin, 2 * twoMin],
    ],
    [
      '503 once on every write',
      ['git/create-ref', 'repos/create-or-update-file-contents', 'pulls/create'],
      1,
      { status: 503, message: 'Service Unavailable' },
      [twoMin, twoMin, twoMin],
    ],
    [
      '429 with Retry-After: 7',
      ['repos/get'],
      1,
      { status: 429, message: 'Too Many Requests', headers: { 'retry-after': '7' } },
      [7000],
    ],
    [
      'the secondary rate limit (a 403 that says so), Retry-After beyond the cap',
      ['repos/create-or-update-file-contents'],
      1,
      {
        status: 403,
        message: 'You have exceeded a secondary rate limit.',
        headers: { 'retry-after': '900' },
      },
      [RECORD_RETRY.maxMs],
    ],
  ])(
    '%s: retried after bounded waits, and the pull request opened once',
    async (_, ops, times, fault, waits) => {
      const seen = faulty(ops, times, fault);
      const r = await recordState({ mode: 'record', reason: 'failover: test' });
      expect(r.failed).toBeUndefined();
      expect(r.sleeps).toEqual(waits);
      for (const op of ops) expect(seen[op]).toBe(times + 1);
      expect(gh.pulls.filter((p) => p.state === 'open')).toHaveLength(1);
      expect(gh.branches.get(BRANCH)!.get(STATE)).toBe(
        readFileSync(join(workspace, STATE), 'utf8'),
      );
      expect(r.log.filter((l) => /^GitHub answered \d+ to /.test(l))).toHaveLength(waits.length);
    },
  );

  it('a 403 that is a permission is not retried: it names the permission at once', async () => {
    gh.permissions.pullRequests = 'read';
    const r = await recordState({ mode: 'record', reason: 'failover: test' });
    expect(r.sleeps).toEqual([]);
    expect(r.failed).toContain('pull-requests: write');
  });
});

describe('GitHub down for the whole record', () => {
  it.each<[string, string, 'record' | 'check']>([
    ['500 on the commit of a record', 'repos/create-or-update-file-contents', 'record'],
    ['502 on opening the pull request of a drift', 'pulls/create', 'check'],
  ])(
    '%s: bounded retries, the record kept in the summary and the artifact file, the next drift check opens the pull request',
    async (_, op, mode) => {
      // The record on main, then the fleet moves (a failover of zone a).
      const first = await recordState({ mode: 'record', reason: 'first' });
      expect(first.failed).toBeUndefined();
      const pr = gh.pulls[0]!;
      gh.branches.get('main')!.set(STATE, gh.branches.get(pr.head)!.get(STATE)!);
      pr.state = 'closed';
      const z = fleet.zones[0]!;
      for (const t of z.routeTables) await moveRoute(ec2, t, z.gateway);
      rmSync(join(workspace, STATE));

      const seen = faulty([op], Infinity, {
        status: op === 'pulls/create' ? 502 : 500,
        message: 'Server Error',
      });
      const r = await recordState({ mode, reason: 'failover: zone a' });
      expect(seen[op]).toBe(RECORD_RETRY.attempts);
      expect(r.sleeps).toEqual(
        [1, 2, 4, 8].map((k) => Math.min(RECORD_RETRY.maxMs, k * RECORD_RETRY.baseMs)),
      );
      expect(r.failed).toContain('no pull request was opened or updated');
      expect(r.failed).toContain(`the record is in the job summary and in ${STATE}`);
      expect(r.failed).toContain('the next drift check opens the pull request');
      // Kept: in the summary (written), and as the file the workflow uploads.
      expect(r.written).toBeGreaterThan(0);
      expect(existsSync(join(workspace, STATE))).toBe(true);
      const kept = readFileSync(join(workspace, STATE), 'utf8');
      expect(JSON.parse(kept).zones[z.zone].mode).toBe('gateway');
      expect(r.summary).toContain(kept.trimEnd());
      expect(r.outputs.record).toBe(STATE);
      expect(gh.pulls.filter((p) => p.state === 'open')).toHaveLength(0);

      // GitHub is back: the next drift check records what the failed record would have.
      gh.fault = undefined;
      const drift = await recordState({ mode: 'check' });
      expect(drift.failed).toBeUndefined();
      expect(drift.outputs.drift).toBe('true');
      const open = gh.pulls.filter((p) => p.state === 'open');
      expect(open).toHaveLength(1);
      const recorded = JSON.parse(gh.branches.get(BRANCH)!.get(STATE)!);
      expect(recorded.zones[z.zone]).toEqual(JSON.parse(kept).zones[z.zone]);
      expect(open[0]!.title).toMatch(/^natfleet\(prod\): drift: /);
    },
  );
});

describe('the record taken in one job, published in another (write tokens apart from id-token)', () => {
  it('takes the record without writing to GitHub, then publishes it from the file through a 502', async () => {
    const writes = ['git/create-ref', 'repos/create-or-update-file-contents', 'pulls/create'];
    const taken = await recordState({
      mode: 'record',
      reason: 'failover: zone a',
      'pull-request': 'false',
    });
    expect(taken.failed).toBeUndefined();
    expect(gh.requests.filter((r) => writes.includes(r.operationId))).toEqual([]);
    expect(taken.outputs).toMatchObject({ changed: 'true', record: STATE });
    const file = readFileSync(join(workspace, STATE), 'utf8');
    expect(taken.summary).toContain(file.trimEnd());

    // The publish job reads no AWS: its clients would fail.
    const seen = faulty(['pulls/create'], 1, { status: 502, message: 'Bad Gateway' });
    const saved = { ec2, ssm };
    ec2 = undefined as never;
    ssm = undefined as never;
    try {
      const published = await recordState({ mode: 'publish' });
      expect(published.failed).toBeUndefined();
      expect(published.sleeps).toEqual([RECORD_RETRY.baseMs]);
      expect(seen['pulls/create']).toBe(2);
    } finally {
      ({ ec2, ssm } = saved);
    }
    expect(gh.branches.get(BRANCH)!.get(STATE)).toBe(file);
    expect(gh.pulls.filter((p) => p.state === 'open').map((p) => p.title)).toEqual([
      'natfleet(prod): failover: zone a',
    ]);
  });

  it('publish without a record to publish: says where it looked and what to do', async () => {
    const r = await recordState({ mode: 'publish' });
    expect(r.failed).toContain(`mode publish: no record at ${STATE}; download the artifact`);
    expect(gh.pulls).toEqual([]);
  });
});
