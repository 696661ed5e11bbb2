// The fake GitHub API that the plan comment and state pull request tests run against: it must
// refuse what GitHub's API description refuses, answer only with fields GitHub has, and deny
// what the token may not do, or those tests could pass against a GitHub that does not exist.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getOctokit } from '@actions/github';
import { startFakeGitHub, type FakeGitHub } from '../github.js';

let gh: FakeGitHub;
beforeAll(async () => {
  gh = await startFakeGitHub({ owner: 'acme', repo: 'fleet', files: { 'a.txt': 'one\n' } });
});
afterAll(async () => {
  await gh?.stop();
});

const octokit = () => getOctokit(gh.token, { baseUrl: gh.url });
const raw = (method: string, path: string, body?: object, token = gh.token) =>
  fetch(`${gh.url}${path}`, {
    method,
    headers: { authorization: `token ${token}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });

describe('the fake GitHub API', () => {
  it('serves the state pull request flow through the real client, as described', async () => {
    const o = octokit();
    const repo = { owner: 'acme', repo: 'fleet' };
    const main = await o.rest.git.getRef({ ...repo, ref: 'heads/main' });
    await o.rest.git.createRef({ ...repo, ref: 'refs/heads/x/y', sha: main.data.object.sha });
    const file = await o.rest.repos.getContent({ ...repo, path: 'a.txt', ref: 'x/y' });
    const sha = (file.data as { sha: string }).sha;
    await o.rest.repos.createOrUpdateFileContents({
      ...repo,
      path: 'a.txt',
      branch: 'x/y',
      message: 'm',
      content: Buffer.from('two\n').toString('base64'),
      sha,
    });
    const pr = await o.rest.pulls.create({ ...repo, head: 'x/y', base: 'main', title: 't' });
    expect(pr.status).toBe(201);
    expect(pr.data.head.ref).toBe('x/y');
    const open = await o.rest.pulls.list({ ...repo, head: 'acme:x/y', state: 'open' });
    expect(open.data.map((p) => p.number)).toEqual([pr.data.number]);
    await o.rest.pulls.update({ ...repo, pull_number: pr.data.number, state: 'closed' });
    expect(gh.pulls[0]!.state).toBe('closed');
    expect(gh.branches.get('x/y')!.get('a.txt')).toBe('two\n');
    expect(gh.branches.get('main')!.get('a.txt')).toBe('one\n');
    expect(gh.violations).toEqual([]);
  });

  it('refuses a request the description does not allow, and records why', async () => {
    gh.violations.length = 0;
    const cases: [Promise<Response>, number, string][] = [
      [raw('GET', '/repos/acme/fleet/pulls/1/files'), 404, 'no such operation'],
      [raw('GET', '/repos/acme/fleet/pulls?state=merged'), 422, 'state=merged is not a open|'],
      [raw('GET', '/repos/acme/fleet/pulls?labels=x'), 422, 'unknown query parameter labels'],
      [raw('POST', '/repos/acme/fleet/pulls', { head: 'main' }), 422, "required property 'base'"],
      [
        raw('PATCH', '/repos/acme/fleet/pulls/1', { state: 'merged' }),
        422,
        'must be equal to one of the allowed values',
      ],
      [raw('POST', '/repos/acme/fleet/git/refs', { ref: 'refs/heads/z' }), 422, "'sha'"],
    ];
    for (const [response, status, why] of cases) {
      const r = await response;
      expect([why, r.status]).toEqual([why, status]);
    }
    expect(gh.violations).toHaveLength(cases.length);
    cases.forEach(([, , why], i) => expect(gh.violations[i]).toContain(why));
  });

  it('answers like GitHub when the token is wrong or may not do it, without a violation', async () => {
    gh.violations.length = 0;
    expect((await raw('GET', '/repos/acme/fleet', undefined, 'ghs_other')).status).toBe(401);
    gh.permissions.pullRequests = 'read';
    try {
      const r = await raw('POST', '/repos/acme/fleet/pulls', { head: 'x/y', base: 'main' });
      expect(r.status).toBe(403);
      expect(await r.json()).toEqual({ message: 'Resource not accessible by integration' });
      expect((await raw('GET', '/repos/acme/fleet/pulls')).status).toBe(200);
    } finally {
      gh.permissions.pullRequests = 'write';
    }
    expect((await raw('GET', '/repos/acme/other')).status).toBe(404);
    expect(gh.violations).toEqual([]);
  });

  it('checks its own answers against the description', async () => {
    gh.violations.length = 0;
    // A title GitHub's pull requests never have: the fake must not answer with it unnoticed.
    gh.pulls.push({ ...gh.pulls[0]!, number: 2, title: 7 as unknown as string });
    await raw('GET', '/repos/acme/fleet/pulls?state=all');
    expect(gh.violations).toEqual([
      expect.stringMatching(
        /^pulls\/list: the fake's answer is not GitHub's: .*\/title must be string/,
      ),
    ]);
    gh.pulls.pop();
  });
});
