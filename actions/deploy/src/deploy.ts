// The deploy action: the same library as `natfleet deploy`, reported the GitHub way (job
// summary, one plan comment per environment on the pull request, outputs).
import type * as Core from '@actions/core';
import type * as GitHub from '@actions/github';
import { failAction } from '../../../lib/actions/fail.js';
import { InputError, readInputs } from '../../../lib/actions/inputs.js';
import { environment, loadConfig } from '../../../lib/config/load.js';
import { deploy, deployClients, parseStackFilter, type Mode } from '../../../lib/deploy/deploy.js';
import { parseRoleArn } from '../../../lib/deploy/inputs.js';
import {
  flatOutputs,
  planComment,
  reportMarkdown,
  reportText,
} from '../../../lib/deploy/report.js';
import { upsertPlanComment } from '../../../lib/deploy/comment.js';
import { renderStacks } from '../../../cloudformation/index.js';
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
  const i = readInputs(core, 'deploy');
  let stacks: StackKind[];
  try {
    stacks = parseStackFilter(i.stacks);
  } catch (e) {
    throw new InputError([
      `input stacks: ${(e as Error).message}, got ${JSON.stringify(i.stacks)}`,
    ]);
  }
  return {
    environment: i.environment,
    config: i.config,
    mode: i.mode,
    stacks,
    checkerDir: i['checker-dir'] || defaultCheckerDir,
    roleArn: i['role-arn'],
    token: i.token,
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
    failAction(core, 'deploy', e);
    return;
  }
  const report = await deploy(env, deployClients(env.region), {
    mode: s.mode,
    render: renderStacks,
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
