import { join } from 'node:path';
import { checkoutRoot } from '../lib/checkout.js';
import { environment, loadConfig } from '../lib/config/load.js';
import { deploy, deployClients, parseStackFilter } from '../lib/deploy/deploy.js';
import { parseRoleArn } from '../lib/deploy/inputs.js';
import { reportText } from '../lib/deploy/report.js';
import { renderStacks } from '../cloudformation/index.js';
import { UsageError, type Io } from './io.js';

export const deployHelp = `Usage: natfleet deploy --env NAME (--plan | --apply) [--stacks LIST] [--role-arn ARN] [--checker-dir DIR] [--config FILE]

Deploys the environment's CloudFormation stacks through change sets, in dependency order,
with the AWS credentials of this shell (AWS_PROFILE, SSO, environment variables).

  --plan     create each change set, list its changes (replacements marked), delete it
  --apply    create, execute and wait for each change set, logging stack events; stops at
             the first failure and lists the failed resources with their reasons

Options:
  --env NAME          the environment (required)
  --stacks LIST       only these stacks, e.g. "fleet,checker" (default: all but access;
                      "access" is deployed only when named, by an administrator)
  --role-arn ARN      the CloudFormation service role the change sets run as (the access
                      stack's natfleet-<env>-cloudformation)
  --checker-dir DIR   the checker's built bundle (default: checker/dist of natfleet)
  --config FILE       the configuration (default: natfleet.yml, or $NATFLEET_CONFIG)
  --help              this text

Exit code 0 when every stack is planned or applied, 1 when anything failed.`;

export interface DeployArgs {
  config: string;
  env?: string;
  plan?: boolean;
  apply?: boolean;
  stacks?: string;
  roleArn?: string;
  checkerDir?: string;
}

/** checker/dist of the checkout this runs from (sources or the CLI bundle). */
const bundledCheckerDir = () => join(checkoutRoot(import.meta.url), 'checker/dist');

export async function deployCommand(args: DeployArgs, io: Io): Promise<number> {
  if (!args.env) throw new UsageError('deploy: --env NAME is required');
  if (!!args.plan === !!args.apply) throw new UsageError('deploy: give one of --plan or --apply');
  let stacks;
  try {
    stacks = parseStackFilter(args.stacks);
  } catch (e) {
    throw new UsageError(`deploy: ${(e as Error).message}`);
  }
  const env = environment(loadConfig(args.config), args.env);
  let roleArn;
  try {
    roleArn = parseRoleArn(args.roleArn, env.accountId);
  } catch (e) {
    throw new UsageError(`deploy: ${(e as Error).message}`);
  }
  const report = await deploy(env, deployClients(env.region), {
    mode: args.plan ? 'plan' : 'apply',
    render: renderStacks,
    stacks,
    ...(roleArn ? { roleArn } : {}),
    checkerDir: args.checkerDir ?? bundledCheckerDir(),
    log: io.out,
  });
  io.out('');
  for (const line of reportText(report)) (line.startsWith('error:') ? io.err : io.out)(line);
  return report.ok ? 0 : 1;
}
