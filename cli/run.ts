// The natfleet command line: verb dispatch, options and exit codes.
import { parseArgs } from 'node:util';
import { ConfigError } from '../lib/config/problems.js';
import { DEFAULT_CONFIG_PATH } from '../lib/config/load.js';
import { closest } from '../lib/config/structure.js';
import { VERSION } from '../lib/version.js';
import { UsageError, type Io } from './io.js';
import { validate, validateHelp } from './validate.js';
import { plan, planHelp } from './plan.js';
import { deployCommand, deployHelp } from './deploy.js';
import { schemaCommand, schemaHelp } from './schema.js';
import { workflowHelp, workflowVerb, workflowVerbs } from './workflow.js';
import { lab } from './lab.js';
import { releaseCommand, releaseHelp, statusCommand, statusHelp } from './holds.js';
import { labHelp } from '../lab/command.js';

export const mainHelp = `Usage: natfleet <command> [options]

NAT instances instead of NAT Gateways, run the GitOps way.

Commands:
  validate   check natfleet.yml and list every problem with its place
  plan       render an environment's stacks and estimate its monthly cost
  schema     print the JSON Schema of natfleet.yml, or --write it beside the file
  deploy     plan or apply an environment's stacks through CloudFormation change sets
  failover   put zones on their standby NAT Gateways (a Step Functions run)
  fallback   put zones back on their ready NAT instances
  replace    replace the NAT instances zone by zone
  maintenance
             build a new NAT image, replace the instances, fall back
  release    lift the holds a failover --hold put on zones
  status     an environment's holds, zone modes, targets and running executions
  lab        the whole system on this machine (root): game-day scenarios and their table

Run "natfleet help <command>" (or "natfleet <command> --help") for a command's options,
"natfleet --version" for the version.`;

const OPTIONS = {
  config: { type: 'string' },
  env: { type: 'string' },
  out: { type: 'string' },
  'gb-per-month': { type: 'string' },
  zones: { type: 'string' },
  reason: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  state: { type: 'boolean' },
  write: { type: 'boolean' },
  plan: { type: 'boolean' },
  apply: { type: 'boolean' },
  stacks: { type: 'string' },
  'checker-dir': { type: 'string' },
  'role-arn': { type: 'string' },
  hold: { type: 'boolean' },
} as const;

const ALLOWED: Record<string, string[]> = {
  validate: ['config'],
  plan: ['config', 'env', 'out', 'gb-per-month'],
  schema: ['state', 'write', 'config'],
  deploy: ['config', 'env', 'plan', 'apply', 'stacks', 'checker-dir', 'role-arn'],
  ...Object.fromEntries(workflowVerbs.map((v) => [v, ['config', 'env', 'zones', 'reason']])),
  failover: ['config', 'env', 'zones', 'reason', 'hold'],
  release: ['config', 'env', 'zones'],
  status: ['config', 'env'],
};
export const HELP: Record<string, string> = {
  validate: validateHelp,
  plan: planHelp,
  schema: schemaHelp,
  deploy: deployHelp,
  ...Object.fromEntries(workflowVerbs.map((v) => [v, workflowHelp(v)])),
  release: releaseHelp,
  status: statusHelp,
  lab: labHelp,
};

function unknownCommand(verb: string): UsageError {
  const meant = closest(verb, [...Object.keys(HELP), 'help']);
  const hint = meant ? ` (did you mean ${meant}?)` : '';
  return new UsageError(`unknown command "${verb}"${hint}\n\n${mainHelp}`);
}

function help([verb, ...more]: string[], io: Io): number {
  if (more.length > 0)
    throw new UsageError(`help: expected one command, got ${[verb, ...more].join(' ')}`);
  if (!(verb! in HELP)) throw unknownCommand(verb!);
  io.out(HELP[verb!]!);
  return 0;
}

export async function run(argv: string[], io: Io, env = process.env): Promise<number> {
  try {
    const [verb, ...rest] = argv;
    if (verb === '--version' || verb === '-V' || verb === 'version') {
      io.out(`natfleet ${VERSION}`);
      return 0;
    }
    if (verb === 'help' && rest.length > 0) return help(rest, io);
    if (!verb || verb === 'help' || verb === '--help' || verb === '-h') {
      io.out(mainHelp);
      return verb ? 0 : 2;
    }
    if (verb === 'lab') return await lab(rest, io);
    if (!(verb in ALLOWED)) throw unknownCommand(verb);
    const { values, positionals } = parseArgs({
      args: rest,
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      io.out(HELP[verb]!);
      return 0;
    }
    for (const key of Object.keys(values)) {
      if (!ALLOWED[verb]!.includes(key)) throw new UsageError(`${verb}: unknown option --${key}`);
    }
    // Only `schema --write DIR` takes an argument that is not an option.
    if (positionals.length > (verb === 'schema' && values.write ? 1 : 0)) {
      throw new UsageError(`${verb}: unexpected argument "${positionals.at(-1)}"`);
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
          {
            config,
            env: values.env,
            zones: values.zones,
            reason: values.reason,
            ...(values.hold ? { hold: true } : {}),
          },
          io,
        );
      case 'release':
        return await releaseCommand({ config, env: values.env, zones: values.zones }, io);
      case 'status':
        return await statusCommand({ config, env: values.env }, io);
      default:
        return schemaCommand(
          {
            state: values.state,
            ...(values.write ? { write: positionals[0] ?? true } : {}),
            ...(values.config ? { config: values.config } : {}),
          },
          io,
        );
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
