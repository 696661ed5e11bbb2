// The deploy action: the same library as `natfleet deploy`, reported the GitHub way (job
// summary, one plan comment per environment on the pull request, outputs).
import type * as Core from '@actions/core';
import type * as GitHub from '@actions/github';
import { environment, loadConfig } from '../../../lib/config/load.js';
import { ConfigError, formatProblem } from '../../../lib/config/problems.js';
import { deploy, deployClients, parseStackFilter, type Mode } from '../../../lib/deploy/deploy.js';
import { DeployError } from '../../../lib/deploy/errors.js';
import { parseRoleArn } from '../../../lib/deploy/inputs.js';
import {
  flatOutputs,
  planComment,
  reportMarkdown,
  reportText,
} from '../../../lib/deploy/report.js';
import { upsertPlanComment } from '../../../lib/deploy/comment.js';
import type { StackKind } from '../../../lib/names.js';
import { logSafe } from '../../../lib/log-safe.js';

type CoreApi = Pick<
  typeof Core,
  'getInput' | 'setOutput' | 'setFailed' | 'error' | 'info' | 'warning' | 'summary'
>;
type GitHubApi = Pick<typeof GitHub, 'context' | 'getOctokit'>;

export interface Settings {
  environment: string;
  config: string;
  mode: Mode;
  stacks: StackKind[];
  checkerDir: string;
  /** The CloudFormation service role (checked against the environment's account later). */
  roleArn: string;
  token: string;
}

export function settings(core: CoreApi, defaultCheckerDir: string): Settings {
  const mode = core.getInput('mode') || 'plan';
  if (mode !== 'plan' && mode !== 'apply') {
    throw new DeployError(`input mode: expected plan or apply, got "${mode}"`);
  }
  const env = core.getInput('environment');
  if (!env) throw new DeployError('input environment: expected an environment of natfleet.yml');
  return {
    environment: env,
    config: core.getInput('config') || 'natfleet.yml',
    mode,
    stacks: parseStackFilter(core.getInput('stacks')),
    checkerDir: core.getInput('checker-dir') || defaultCheckerDir,
    roleArn: core.getInput('role-arn'),
    token: core.getInput('github-token'),
  };
}

export async function deployAction(
  core: CoreApi,
  github: GitHubApi,
  defaultCheckerDir: string,
): Promise<void> {
  let s: Settings;
  let env;
  let roleArn;
  try {
    s = settings(core, defaultCheckerDir);
    env = environment(loadConfig(s.config), s.environment);
    roleArn = parseRoleArn(s.roleArn, env.accountId);
  } catch (e) {
    if (e instanceof ConfigError) {
      for (const p of e.problems)
        core.error(formatProblem(p), { title: 'natfleet.yml', file: e.file });
      core.setFailed(`${e.file} has ${e.problems.length} problem(s); nothing was changed`);
    } else core.setFailed(`natfleet deploy: ${(e as Error).message}`);
    return;
  }
  const report = await deploy(env, deployClients(env.region), {
    mode: s.mode,
    stacks: s.stacks,
    ...(roleArn ? { roleArn } : {}),
    checkerDir: s.checkerDir,
    log: (l) => core.info(logSafe(l)),
  });
  const outputs = flatOutputs(report);
  for (const [k, v] of Object.entries(outputs)) core.setOutput(k, v);
  core.setOutput('outputs', JSON.stringify(outputs));
  const changed = report.stacks.some((x) => ['planned', 'created', 'updated'].includes(x.outcome));
  core.setOutput('changes', String(changed));
  for (const line of reportText(report)) core.info(logSafe(line));
  for (const w of report.warnings) core.warning(w);
  await core.summary.addRaw(reportMarkdown(report)).write();

  const pr = github.context.payload.pull_request?.number;
  if (s.mode === 'plan' && pr !== undefined) {
    try {
      const octokit = github.getOctokit(s.token);
      const { owner, repo } = github.context.repo;
      const c = await upsertPlanComment(
        octokit.rest.issues,
        { owner, repo, issue: pr },
        env.name,
        planComment(report),
      );
      core.info(logSafe(`plan comment ${c.action}${c.url ? `: ${c.url}` : ''}`));
    } catch (e) {
      // The plan itself is in the summary; a comment that cannot be written must still fail
      // the job so nobody merges without having seen it.
      core.setFailed(
        `could not write the plan comment on pull request #${pr}: ${(e as Error).message}. ` +
          'The workflow needs "permissions: pull-requests: write".',
      );
      return;
    }
  } else if (s.mode === 'plan') {
    core.info('not a pull request: the plan is in the job summary only');
  }
  if (!report.ok) core.setFailed(`natfleet deploy ${s.mode} ${env.name}: ${report.error}`);
}
