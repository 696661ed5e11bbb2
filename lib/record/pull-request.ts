// The one pull request per environment that carries a new record: branch natfleet/state/<env>,
// title "natfleet(<env>): <reason>", body the before → after table. An open one is updated in
// place; a branch left over from a merged one is reset to the base first.
import type { getOctokit } from '@actions/github';
import { stateBranch, stateFile } from '../names.js';
import { changeTable, gatewayTimeText } from './compare.js';
import type { StateRecord } from './schema.js';
import { isRateLimit } from './retry.js';

export type Octokit = ReturnType<typeof getOctokit>;
export interface Repo {
  owner: string;
  repo: string;
}

/** The token may not do what the record needs; says which permission to grant. */
export class PermissionError extends Error {
  constructor(
    readonly permission: string,
    what: string,
    detail: string,
  ) {
    super(
      `the token may not ${what} (${detail}): give the job "permissions: ${permission}"` +
        (permission === 'pull-requests: write'
          ? ' and allow GitHub Actions to create pull requests (Settings → Actions → General)'
          : ''),
    );
    this.name = 'PermissionError';
  }
}

const status = (e: unknown) => (e as { status?: number }).status;

/** Runs one API call; a 401/403 becomes a PermissionError naming `permission`. */
async function call<T>(permission: string, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const s = status(e);
    if ((s === 401 || s === 403) && !isRateLimit(e)) {
      throw new PermissionError(permission, what, `HTTP ${s}: ${(e as Error).message}`);
    }
    throw e;
  }
}

async function orNothing<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (e) {
    if (status(e) === 404) return undefined;
    throw e;
  }
}

export const pullRequestTitle = (env: string, reason: string) => `natfleet(${env}): ${reason}`;

export async function defaultBranch(octokit: Octokit, repo: Repo): Promise<string> {
  const r = await call('contents: read', 'read the repository', () =>
    octokit.rest.repos.get({ ...repo }),
  );
  return r.data.default_branch;
}

/** A file's text on a branch, or undefined when it is not there. */
export async function readFile(
  octokit: Octokit,
  repo: Repo,
  path: string,
  ref: string,
): Promise<{ text: string; sha: string } | undefined> {
  const r = await call('contents: read', `read ${path}`, () =>
    orNothing(() => octokit.rest.repos.getContent({ ...repo, path, ref })),
  );
  const d = r?.data;
  if (!d || Array.isArray(d) || d.type !== 'file' || !('content' in d)) return undefined;
  return { text: Buffer.from(d.content, 'base64').toString('utf8'), sha: d.sha };
}

export interface BodyInput {
  before?: StateRecord;
  after: StateRecord;
  text: string;
  /** Why the recorded file could not be read, when it broke its schema. */
  invalidBefore?: string;
}

export function pullRequestBody(b: BodyInput): string {
  const env = b.after.environment;
  return [
    `natfleet recorded **${env}** (${b.after.region}): ${b.after.reason}`,
    '',
    ...(b.invalidBefore
      ? [
          '> [!WARNING]',
          `> The recorded ${stateFile(env)} did not match its schema, so this pull request replaces it with the whole new record:`,
          ...b.invalidBefore.split('\n').map((l) => `> ${l}`),
          '',
        ]
      : []),
    changeTable(b.before, b.after),
    '',
    gatewayTimeText(b.after),
    '',
    b.after.run ? `Run: ${b.after.run}` : 'Run: (not recorded from a workflow run)',
    '',
    `<details><summary>${stateFile(env)}</summary>`,
    '',
    '```json',
    b.text.trimEnd(),
    '```',
    '',
    '</details>',
  ].join('\n');
}

export interface Published {
  action: 'created' | 'updated';
  number: number;
  url: string;
}

/** Commits the record to the environment's branch and opens or updates its pull request. */
export async function publishRecord(
  octokit: Octokit,
  repo: Repo,
  p: { env: string; base: string; text: string; title: string; body: string },
): Promise<Published> {
  const branch = stateBranch(p.env);
  const path = stateFile(p.env);
  const write = 'contents: write';
  const base = await call('contents: read', `read branch ${p.base}`, () =>
    octokit.rest.git.getRef({ ...repo, ref: `heads/${p.base}` }),
  );
  const open = await call('pull-requests: read', 'list pull requests', () =>
    octokit.rest.pulls.list({ ...repo, head: `${repo.owner}:${branch}`, state: 'open' }),
  );
  const pr = open.data[0];
  const ref = await orNothing(() => octokit.rest.git.getRef({ ...repo, ref: `heads/${branch}` }));
  if (!ref) {
    // A retried create whose first try went through answers "already exists": the branch is there.
    await call(write, `create branch ${branch}`, () =>
      octokit.rest.git
        .createRef({ ...repo, ref: `refs/heads/${branch}`, sha: base.data.object.sha })
        .catch((e: unknown) => {
          if (status(e) === 422 && /already exists/i.test((e as Error).message)) return undefined;
          throw e;
        }),
    );
  } else if (!pr) {
    // Left from a merged or closed pull request: start again from the base, not from old files.
    await call(write, `reset branch ${branch}`, () =>
      octokit.rest.git.updateRef({
        ...repo,
        ref: `heads/${branch}`,
        sha: base.data.object.sha,
        force: true,
      }),
    );
  }
  const current = await readFile(octokit, repo, path, branch);
  await call(write, `commit ${path} to ${branch}`, () =>
    octokit.rest.repos.createOrUpdateFileContents({
      ...repo,
      path,
      branch,
      message: p.title,
      content: Buffer.from(p.text, 'utf8').toString('base64'),
      ...(current ? { sha: current.sha } : {}),
    }),
  );
  const prWrite = 'pull-requests: write';
  if (pr) {
    await call(prWrite, `update pull request #${pr.number}`, () =>
      octokit.rest.pulls.update({ ...repo, pull_number: pr.number, title: p.title, body: p.body }),
    );
    return { action: 'updated', number: pr.number, url: pr.html_url };
  }
  const made = await call(prWrite, 'open a pull request', () =>
    octokit.rest.pulls
      .create({ ...repo, head: branch, base: p.base, title: p.title, body: p.body })
      .then((r) => r.data)
      .catch(async (e: unknown) => {
        // A retried create whose first try went through: the pull request is open already.
        if (status(e) !== 422 || !/already exists/i.test((e as Error).message)) throw e;
        const again = await octokit.rest.pulls.list({
          ...repo,
          head: `${repo.owner}:${branch}`,
          state: 'open',
        });
        if (!again.data[0]) throw e;
        return again.data[0];
      }),
  );
  return { action: 'created', number: made.number, url: made.html_url };
}

/**
 * Closes the environment's open pull request when the fleet matches the default branch again
 * (a drift that was undone): its table would describe a change that no longer exists.
 */
export async function closeStale(
  octokit: Octokit,
  repo: Repo,
  env: string,
): Promise<number | undefined> {
  const branch = stateBranch(env);
  const open = await call('pull-requests: read', 'list pull requests', () =>
    octokit.rest.pulls.list({ ...repo, head: `${repo.owner}:${branch}`, state: 'open' }),
  );
  const pr = open.data[0];
  if (!pr) return undefined;
  await call('pull-requests: write', `close pull request #${pr.number}`, () =>
    octokit.rest.pulls.update({ ...repo, pull_number: pr.number, state: 'closed' }),
  );
  return pr.number;
}
