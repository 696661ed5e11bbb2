// The record-state action: snapshot → compare with the record on the default branch → write the
// file and open or update the environment's pull request. Everything it decides is in lib/record.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type * as Core from '@actions/core';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { failAction } from '../../../lib/actions/fail.js';
import { readInputs } from '../../../lib/actions/inputs.js';
import { environment, loadConfig } from '../../../lib/config/load.js';
import { stateFile } from '../../../lib/names.js';
import { changeSummary, changeTable, differences, imageDue } from '../../../lib/record/compare.js';
import { formatRecord, parseRecord, RecordError } from '../../../lib/record/format.js';
import {
  closeStale,
  defaultBranch,
  PermissionError,
  publishRecord,
  pullRequestBody,
  pullRequestTitle,
  readFile,
  type Octokit,
  type Repo,
} from '../../../lib/record/pull-request.js';
import type { StateRecord } from '../../../lib/record/schema.js';
import { snapshot } from '../../../lib/record/snapshot.js';
import { RECORD_RETRY, retryRequests } from '../../../lib/record/retry.js';
import { logSafe } from '../../../lib/log-safe.js';

type CoreApi = Pick<
  typeof Core,
  'getInput' | 'setOutput' | 'setFailed' | 'error' | 'warning' | 'info' | 'summary' | 'setSecret'
>;

export interface Deps {
  env: NodeJS.ProcessEnv;
  now: () => Date;
  aws: (region: string) => { ec2: EC2Client; ssm: SSMClient };
  octokit: (token: string) => Octokit;
  /** Waits between retries of GitHub's API (tests inject one that only counts). */
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface Settings {
  environment: string;
  config: string;
  reason: string;
  mode: 'record' | 'check' | 'publish';
  /** false: no write to GitHub; the record is left for a publish step. */
  pullRequest: boolean;
  token: string;
  workspace: string;
  repo?: Repo;
  run?: string;
}

export function settings(core: CoreApi, env: NodeJS.ProcessEnv): Settings {
  const i = readInputs(core, 'record-state');
  const mode = i.mode;
  const [owner, name] = (env.GITHUB_REPOSITORY ?? '').split('/');
  const repo = owner && name ? { owner, repo: name } : undefined;
  const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
  return {
    environment: i.environment,
    config: i.config,
    reason: i.reason || (mode === 'check' ? 'drift' : 'record'),
    mode,
    pullRequest: i['pull-request'] === 'true',
    token: i.token,
    workspace: env.GITHUB_WORKSPACE || process.cwd(),
    ...(repo ? { repo } : {}),
    ...(repo && env.GITHUB_RUN_ID
      ? { run: `${server}/${repo.owner}/${repo.repo}/actions/runs/${env.GITHUB_RUN_ID}` }
      : {}),
  };
}

interface Recorded {
  text?: string;
  record?: StateRecord;
  invalid?: string;
  where: string;
}

/** The record on the default branch (through the API), or in the workspace without a token. */
async function recorded(
  s: Settings,
  octokit: Octokit | undefined,
): Promise<Recorded & { base?: string }> {
  const path = stateFile(s.environment);
  let text: string | undefined;
  let where: string;
  let base: string | undefined;
  if (octokit && s.repo) {
    base = await defaultBranch(octokit, s.repo);
    text = (await readFile(octokit, s.repo, path, base))?.text;
    where = `${path} on ${base}`;
  } else {
    const local = join(s.workspace, path);
    text = existsSync(local) ? readFileSync(local, 'utf8') : undefined;
    where = `${path} in the workspace`;
  }
  if (text === undefined) return { where, ...(base ? { base } : {}) };
  try {
    return { text, record: parseRecord(text, path), where, ...(base ? { base } : {}) };
  } catch (e) {
    if (!(e instanceof RecordError)) throw e;
    return { text, invalid: e.message, where, ...(base ? { base } : {}) };
  }
}

/** Mode publish: the record another job took, as its artifact put it in the workspace. */
function takenRecord(s: Settings): StateRecord {
  const path = stateFile(s.environment);
  const file = join(s.workspace, path);
  if (!existsSync(file))
    throw new Error(
      `mode publish: no record at ${path}; download the artifact of the job that took it first`,
    );
  return parseRecord(readFileSync(file, 'utf8'), path);
}

export async function recordStateAction(core: CoreApi, deps: Deps): Promise<void> {
  let s: Settings;
  try {
    s = settings(core, deps.env);
  } catch (e) {
    failAction(core, 'record-state', e, {
      doing: 'reading the inputs',
      nothing: 'nothing was recorded',
    });
    return;
  }
  if (s.token) core.setSecret(s.token);
  const octokit = s.token
    ? retryRequests(deps.octokit(s.token), {
        ...RECORD_RETRY,
        sleep: deps.sleep ?? realSleep,
        log: (l) => core.info(logSafe(l)),
      })
    : undefined;
  const summary = core.summary;
  // Once known, the record is kept whatever GitHub does: in the summary and in this file.
  let kept: string | undefined;
  try {
    const env = environment(loadConfig(s.config), s.environment);
    const before = await recorded(s, octokit);
    if (before.invalid) {
      for (const line of before.invalid.split('\n').slice(1)) {
        core.error(line.trim(), { title: `${stateFile(s.environment)} breaks its schema` });
      }
    }
    const now = deps.now();
    const after =
      s.mode === 'publish'
        ? takenRecord(s)
        : await snapshot(deps.aws(env.region), env, {
            reason: s.reason,
            now,
            ...(s.run ? { run: s.run } : {}),
            ...(before.record ? { previous: before.record } : {}),
          });
    const diffs = differences(before.record, after);
    const changed = diffs.length > 0 || !!before.invalid;
    if (s.mode === 'check' && changed) {
      after.reason = before.record
        ? `drift: ${changeSummary(diffs)}`
        : `drift: ${before.invalid ? 'the record breaks its schema' : 'no record yet'}`;
    }
    const text = formatRecord(after);
    const due = imageDue(after, env.image.rebuildEveryDays, now);
    core.setOutput('changed', String(changed));
    core.setOutput('drift', String(s.mode === 'check' && changed));
    core.setOutput('image-age-days', due.ageDays === undefined ? '' : String(due.ageDays));
    core.setOutput('rebuild-due', String(due.due));
    // Written in record mode, and on drift in check mode: the workflows upload it as an
    // artifact, so a record GitHub would not take is not lost (ADR 0156).
    if (s.mode === 'record' || changed || !s.pullRequest) {
      const file = join(s.workspace, stateFile(s.environment));
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
      core.setOutput('record', stateFile(s.environment));
    }
    const title = pullRequestTitle(s.environment, after.reason);
    summary.addHeading(title, 3);
    if (!changed) {
      core.info(
        logSafe(`${s.environment}: the live fleet matches ${before.where}; no pull request`),
      );
      summary.addRaw(
        `Nothing changed: the live fleet matches ${before.where}. No pull request.\n\n`,
      );
      const closed =
        octokit && s.repo && s.pullRequest
          ? await closeStale(octokit, s.repo, s.environment)
          : undefined;
      if (closed) {
        summary.addRaw(`Closed pull request #${closed}: what it recorded was undone.\n\n`);
        core.info(
          logSafe(`closed pull request #${closed}: the fleet matches ${before.where} again`),
        );
      }
      await summary.addRaw(changeTable(before.record, after) + '\n').write();
      return;
    }
    core.info(logSafe(`${s.environment}: ${diffs.length} field(s) differ from ${before.where}`));
    const body = pullRequestBody({
      ...(before.record ? { before: before.record } : {}),
      after,
      text,
      ...(before.invalid ? { invalidBefore: before.invalid } : {}),
    });
    summary.addRaw(body + '\n\n');
    kept = `the record is in the job summary and in ${stateFile(s.environment)} (the workflow's artifact)`;
    if (!s.pullRequest) {
      await summary.addRaw('The pull request is left to the publish step.\n').write();
      return;
    }
    if (!octokit || !s.repo) {
      await summary.write();
      core.setFailed(
        !s.token
          ? 'no token, so no pull request: set the input token (default ${{ github.token }}) and give the job "permissions: contents: write, pull-requests: write"; the record is in the job summary'
          : 'GITHUB_REPOSITORY is not set, so no pull request; the record is in the job summary',
      );
      return;
    }
    const pr = await publishRecord(octokit, s.repo, {
      env: s.environment,
      base: before.base!,
      text,
      title,
      body,
    });
    core.setOutput('pull-request', pr.url);
    core.setOutput('pull-request-number', String(pr.number));
    core.info(logSafe(`pull request #${pr.number} ${pr.action}: ${pr.url}`));
    await summary.addRaw(`Pull request [#${pr.number}](${pr.url}) ${pr.action}.\n`).write();
    if (before.invalid)
      core.setFailed(before.invalid + '\nThe pull request carries the whole new record.');
  } catch (e) {
    if (e instanceof PermissionError) {
      await summary.write();
      core.setFailed(`natfleet record-state: ${e.message}; the record is in the job summary`);
    } else if (kept) {
      await summary.write();
      const status = (e as { status?: number }).status;
      core.setFailed(
        `natfleet record-state: publishing the record failed (${status ? `GitHub answered ${status}: ` : ''}${(e as Error).message}); ` +
          `no pull request was opened or updated; ${kept}, and the next drift check opens the pull request`,
      );
    } else {
      failAction(core, 'record-state', e, {
        doing: `recording ${s.environment}`,
        env: s.environment,
        nothing: 'nothing was recorded',
      });
    }
  }
}
