// The natfleet command line: verb dispatch, options and exit codes.
import { parseArgs } from 'node:util';
import { ConfigError } from '../lib/config/problems.js';
import { DEFAULT_CONFIG_PATH } from '../lib/config/load.js';
import { jsonSchema } from '../lib/config/schema.js';
import { stateJsonSchema } from '../lib/record/schema.js';
import { UsageError, type Io } from './io.js';
import { validate, validateHelp } from './validate.js';
import { plan, planHelp } from './plan.js';
import { deployCommand, deployHelp } from './deploy.js';
import { workflowHelp, workflowVerb, workflowVerbs } from './workflow.js';

export const mainHelp = `Usage: natfleet <command> [options]

NAT instances instead of NAT Gateways, run the GitOps way.

Commands:
  validate   check natfleet.yml and list every problem with its place
  plan       render an environment's stacks and estimate its monthly cost
  schema     print the JSON Schema of natfleet.yml
  deploy     plan or apply an environment's stacks through CloudFormation change sets
  failover   put zones on their standby NAT Gateways (a Step Functions run)
  fallback   put zones back on their ready NAT instances
  replace    replace the NAT instances zone by zone
  maintenance
             build a new NAT image, replace the instances, fall back

Run "natfleet <command> --help" for a command's options.`;

const schemaHelp = `Usage: natfleet schema [--state]

Prints the JSON Schema of natfleet.yml (editors use it for completion).
  --state   the JSON Schema of the record, state/<env>.json, instead`;

const OPTIONS = {
  config: { type: 'string' },
  env: { type: 'string' },
  out: { type: 'string' },
  'gb-per-month': { type: 'string' },
  zones: { type: 'string' },
  reason: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  state: { type: 'boolean' },
  plan: { type: 'boolean' },
  apply: { type: 'boolean' },
  stacks: { type: 'string' },
  'checker-dir': { type: 'string' },
  'role-arn': { type: 'string' },
} as const;

const ALLOWED: Record<string, string[]> = {
  validate: ['config'],
  plan: ['config', 'env', 'out', 'gb-per-month'],
  schema: ['state'],
  deploy: ['config', 'env', 'plan', 'apply', 'stacks', 'checker-dir', 'role-arn'],
  ...Object.fromEntries(workflowVerbs.map((v) => [v, ['config', 'env', 'zones', 'reason']])),
};
const HELP: Record<string, string> = {
  validate: validateHelp,
  plan: planHelp,
  schema: schemaHelp,
  deploy: deployHelp,
  ...Object.fromEntries(workflowVerbs.map((v) => [v, workflowHelp(v)])),
};

export async function run(argv: string[], io: Io, env = process.env): Promise<number> {
  try {
    const [verb, ...rest] = argv;
    if (!verb || verb === 'help' || verb === '--help' || verb === '-h') {
      io.out(mainHelp);
      return verb ? 0 : 2;
    }
    if (!(verb in ALLOWED)) throw new UsageError(`unknown command "${verb}"\n\n${mainHelp}`);
    const { values } = parseArgs({
      args: rest,
      options: OPTIONS,
      allowPositionals: false,
      strict: true,
    });
    if (values.help) {
      io.out(HELP[verb]!);
      return 0;
    }
    for (const key of Object.keys(values)) {
      if (!ALLOWED[verb]!.includes(key)) throw new UsageError(`${verb}: unknown option --${key}`);
    }
    const config = values.config ?? env.NATFLEET_CONFIG ?? DEFAULT_CONFIG_PATH;
    switch (verb) {
      case 'validate':
        return validate(config, io);
      case 'plan':
        return plan(
          { config, env: values.env, out: values.out, gbPerMonth: values['gb-per-month'] },
          io,
        );
      case 'deploy':
        return await deployCommand(
          {
            config,
            env: values.env,
            plan: values.plan,
            apply: values.apply,
            stacks: values.stacks,
            checkerDir: values['checker-dir'],
            roleArn: values['role-arn'],
          },
          io,
        );
      case 'failover':
      case 'fallback':
      case 'replace':
      case 'maintenance':
        return await workflowVerb(
          verb,
          { config, env: values.env, zones: values.zones, reason: values.reason },
          io,
        );
      default:
        io.out(JSON.stringify(values.state ? stateJsonSchema() : jsonSchema(), null, 2));
        return 0;
    }
  } catch (e) {
    if (e instanceof ConfigError) {
      io.err(e.message);
      return 1;
    }
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`natfleet: ${(e as Error).message}`);
      return 2;
    }
    io.err(`natfleet: ${(e as Error).message}`);
    return 1;
  }
}
