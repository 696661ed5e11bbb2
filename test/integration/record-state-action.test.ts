// The committed record-state bundle, started the way GitHub starts it, against moto (AWS) and a
// fake GitHub API on 127.0.0.1: create, nothing to do, drift, update in place, bad input.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EC2Client, ReplaceRouteCommand } from '@aws-sdk/client-ec2';
import { DeleteParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { amiParameter } from '../../lib/names.js';
import { motoEnv, runAction } from '../action.js';
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

/** The record-state bundle in the fleet repository's workspace, as a workflow step runs it. */
async function recordState(inputs: Record<string, string>) {
  const r = await runAction('record-state', {
    cwd: workspace,
    inputs: { environment: 'prod', config: 'natfleet.yml', token: gh.token, ...inputs },
    env: {
      ...motoEnv(moto.endpoint),
      GITHUB_WORKSPACE: workspace,
      GITHUB_REPOSITORY: `${gh.owner}/${gh.repo}`,
      GITHUB_API_URL: gh.url,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_RUN_ID: '4242',
    },
    timeoutMs: 60_000,
  });
  // The token is only ever named to the runner to be masked: nowhere else in the log or summary.
  const log = (r.stdout + r.stderr).replace(`::add-mask::${gh.token}\n`, '');
  expect(log + r.summary).not.toContain(gh.token);
  return r;
}

/** Merges the open pull request the way a reviewer would. */
function merge(n: number) {
  const pr = gh.pulls.find((p) => p.number === n)!;
  gh.branches.get('main')!.set(STATE, gh.branches.get(pr.head)!.get(STATE)!);
  pr.state = 'closed';
}

beforeAll(async () => {
  ({ moto, ec2, ssm } = recordMoto = await startRecordMoto());
  gh = await startFakeGitHub({ owner: 'acme', repo: 'fleet' });
  fleet = await buildRecordedFleet(ec2, ssm);
  workspace = fleetWorkspace(fleet);
}, 120_000);
// Every request the bundle sent, and every answer the fake gave, is as GitHub describes it.
afterEach(() => expect(gh.violations).toEqual([]));
afterAll(async () => {
  await gh?.stop();
  await recordMoto?.stop();
});

describe('the record-state bundle', () => {
  it('records a new environment: writes the file and opens the pull request', async () => {
    const r = await recordState({ mode: 'record', reason: 'first record' });
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    expect(r.outputs).toMatchObject({
      changed: 'true',
      drift: 'false',
      record: STATE,
      'pull-request-number': '1',
      'rebuild-due': 'false',
      'image-age-days': '0',
    });
    const written = readFileSync(join(workspace, STATE), 'utf8');
    expect(gh.branches.get(BRANCH)!.get(STATE)).toBe(written);
    expect(JSON.parse(written).run).toBe('https://github.com/acme/fleet/actions/runs/4242');
    const pr = gh.pulls[0]!;
    expect(pr).toMatchObject({ title: 'natfleet(prod): first record', head: BRANCH, base: 'main' });
    expect(pr.body).toContain(`| eu-west-1a | — → instance | — → ${fleet.zones[0]!.instanceId} |`);
    expect(pr.body).toContain('Run: https://github.com/acme/fleet/actions/runs/4242');
    expect(pr.body).toContain(
      'No earlier record: time on the gateways is counted from this one on.',
    );
    expect(r.summary).toContain('Pull request [#1]');
    merge(1);
  });

  it('does nothing when the fleet is as recorded, and says so', async () => {
    const before = gh.requests.length;
    const r = await recordState({ mode: 'record', reason: 'nothing happened' });
    expect(r.status).toBe(0);
    expect(r.outputs.changed).toBe('false');
    expect(r.outputs['pull-request']).toBeUndefined();
    expect(r.summary).toContain(
      'Nothing changed: the live fleet matches state/prod.json on main. No pull request.',
    );
    expect(gh.pulls).toHaveLength(1);
    // It only read: no write went to GitHub.
    expect(gh.requests.slice(before).map((q) => q.method)).toEqual(
      gh.requests.slice(before).map(() => 'GET'),
    );
  });

  it('catches drift in check mode and opens a pull request; a record updates it in place', async () => {
    const [a] = fleet.zones;
    await moveRoute(ec2, a!.routeTables[0]!, a!.gateway);
    const check = await recordState({ mode: 'check' });
    expect(check.status).toBe(0);
    expect(check.outputs).toMatchObject({
      drift: 'true',
      changed: 'true',
      'pull-request-number': '2',
    });
    // On drift the record is written too, for the workflow's artifact (ADR 0156).
    expect(check.outputs.record).toBe(STATE);
    const pr = gh.pulls[1]!;
    expect(pr.title).toBe('natfleet(prod): drift: eu-west-1a instance → mixed');
    expect(pr.body).toContain(`${a!.routeTables[0]}: ${a!.eniId} → ${a!.gateway}`);
    // The branch was left from the merged pull request: it restarts from main.
    expect(JSON.parse(gh.branches.get(BRANCH)!.get(STATE)!).reason).toBe(
      pr.title.replace('natfleet(prod): ', ''),
    );

    await moveRoute(ec2, a!.routeTables[1]!, a!.gateway);
    const rec = await recordState({ mode: 'record', reason: 'failover eu-west-1a' });
    expect(rec.status).toBe(0);
    expect(rec.outputs['pull-request-number']).toBe('2');
    expect(gh.pulls).toHaveLength(2);
    expect(pr.title).toBe('natfleet(prod): failover eu-west-1a');
    expect(pr.body).toContain('| eu-west-1a | instance → gateway |');
    const onBranch = JSON.parse(gh.branches.get(BRANCH)!.get(STATE)!);
    expect(onBranch.zones['eu-west-1a'].mode).toBe('gateway');
    expect(onBranch.reason).toBe('failover eu-west-1a');
  });

  it('without a token: the record goes to the summary and the error names the permissions', async () => {
    // Without a token the record is compared with the checked-out file: main's, as actions/checkout leaves it.
    writeFileSync(join(workspace, STATE), gh.branches.get('main')!.get(STATE)!);
    const r = await recordState({ mode: 'record', reason: 'failover eu-west-1a', token: '' });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('::error::no token, so no pull request');
    expect(r.stdout).toContain('permissions: contents: write, pull-requests: write');
    expect(r.summary).toContain('```json');
    expect(r.summary).toContain('"mode": "gateway"');
  });

  it('with a token that may not open pull requests: the error names pull-requests: write', async () => {
    gh.permissions.pullRequests = 'read';
    try {
      const r = await recordState({ mode: 'record', reason: 'failover eu-west-1a' });
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(
        /::error::natfleet record-state: the token may not update pull request #2 \(HTTP 403: Resource not accessible by integration.*\): give the job "permissions: pull-requests: write"/,
      );
      expect(r.summary).toContain('"mode": "gateway"');
    } finally {
      gh.permissions.pullRequests = 'write';
    }
  });

  it('with a token that may not push: the error names contents: write, the open pull request stays', async () => {
    gh.permissions.contents = 'read';
    const pr = gh.pulls[1]!;
    const body = pr.body;
    const onBranch = gh.branches.get(BRANCH)!.get(STATE);
    try {
      const r = await recordState({ mode: 'record', reason: 'failover eu-west-1a again' });
      expect(r.status).toBe(1);
      expect(r.stdout).toContain(
        '::error::natfleet record-state: the token may not commit state/prod.json to natfleet/state/prod (HTTP 403: Resource not accessible by integration',
      );
      expect(r.stdout).toContain('give the job "permissions: contents: write"');
      expect(r.summary).toContain('natfleet(prod): failover eu-west-1a again');
      expect(r.summary).toContain('"mode": "gateway"');
    } finally {
      gh.permissions.contents = 'write';
    }
    expect(gh.branches.get(BRANCH)!.get(STATE)).toBe(onBranch);
    expect(pr.body).toBe(body);
  });

  it('a hand-edited record that breaks its schema: names the field, the pull request carries the whole record', async () => {
    merge(2);
    const main = gh.branches.get('main')!;
    main.set(STATE, main.get(STATE)!.replace('"mode": "gateway"', '"mode": "nat"'));
    const r = await recordState({ mode: 'record', reason: 'after a hand edit' });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('zones.eu-west-1a.mode: expected where the zone');
    expect(r.stdout).toContain('got "nat"');
    const pr = gh.pulls[2]!;
    expect(pr.title).toBe('natfleet(prod): after a hand edit');
    expect(pr.body).toContain('did not match its schema');
    expect(pr.body).toContain(readFileSync(join(workspace, STATE), 'utf8').trimEnd());
    expect(JSON.parse(gh.branches.get(BRANCH)!.get(STATE)!).zones['eu-west-1a'].mode).toBe(
      'gateway',
    );
  });

  it('closes the pull request of a drift that was undone before anyone merged it', async () => {
    merge(3);
    const [a] = fleet.zones;
    await ec2.send(
      new ReplaceRouteCommand({
        RouteTableId: a!.routeTables[0],
        DestinationCidrBlock: '0.0.0.0/0',
        NetworkInterfaceId: a!.eniId,
      }),
    );
    const drift = await recordState({ mode: 'check' });
    expect(drift.outputs).toMatchObject({ drift: 'true', 'pull-request-number': '4' });
    expect(gh.pulls[3]!.title).toBe('natfleet(prod): drift: eu-west-1a gateway → mixed');
    // Zone a was on its gateway in the merged record: the hours since, and what they cost.
    const since = JSON.parse(gh.branches.get('main')!.get(STATE)!).recordedAt;
    expect(gh.pulls[3]!.body).toMatch(
      new RegExp(
        `Since the last record \\(${since}\\): [\\d.]+ zone-hours on a NAT gateway, \\$[\\d.]+ at \\$0\\.048/h`,
      ),
    );
    await moveRoute(ec2, a!.routeTables[0]!, a!.gateway);
    const back = await recordState({ mode: 'check' });
    expect(back.status).toBe(0);
    expect(back.outputs.drift).toBe('false');
    expect(gh.pulls[3]!.state).toBe('closed');
    expect(back.summary).toContain('Closed pull request #4: what it recorded was undone.');
  });

  it('calls an environment with no published image due for a rebuild (the maintenance gate)', async () => {
    const parameter = amiParameter('prod');
    await ssm.send(new DeleteParameterCommand({ Name: parameter }));
    try {
      const r = await recordState({ mode: 'check' });
      expect(r.status).toBe(0);
      expect(r.outputs).toMatchObject({
        'rebuild-due': 'true',
        'image-age-days': '',
        drift: 'true',
      });
      expect(gh.pulls.at(-1)!.title).toBe('natfleet(prod): drift: image changed');
    } finally {
      await ssm.send(
        new PutParameterCommand({ Name: parameter, Value: fleet.amiId, Type: 'String' }),
      );
    }
  });

  it('rejects bad input before it reads AWS or GitHub', async () => {
    const before = gh.requests.length;
    const mode = await recordState({ mode: 'apply' });
    expect(mode.status).toBe(1);
    expect(mode.stdout).toContain(
      '::error::natfleet record-state: input mode: expected one of record | check | publish, got "apply"; nothing was recorded',
    );
    const env = await recordState({ environment: 'qa' });
    expect(env.status).toBe(1);
    expect(env.stdout).toContain('unknown environment "qa": the configuration defines prod');
    expect(gh.requests.length).toBe(before);
  });
});
