// `natfleet failover|fallback|replace|maintenance`: start the workflow in Step Functions, follow
// it, print per zone what the routes were, are, and why.
import { hostname, userInfo } from 'node:os';
import { environment, loadConfig } from '../lib/config/load.js';
import { awsClients } from '../lib/aws/clients.js';
import { explainAws } from '../lib/errors.js';
import { sfnStarter, type Starter } from '../lib/workflows/follow.js';
import {
  operate,
  requiredZones,
  rowsAsText,
  VERBS,
  WorkflowInputError,
  type WorkflowVerb,
} from '../lib/workflows/operate.js';
import { UsageError, type Io } from './io.js';

const WHAT: Record<WorkflowVerb, string> = {
  failover: 'puts the route tables of the chosen zones on their standby NAT Gateways',
  fallback:
    'puts each chosen zone with a ready NAT instance back on it; the others stay on the gateway',
  replace:
    'replaces the NAT instances zone by zone (new instance, EIP, routes, old one terminated)',
  maintenance: 'builds a new NAT image, then replaces the instances and falls back',
};

/** Who holds a zone from this machine: NATFLEET_OPERATOR, else the login and host. */
const operator = () => process.env.NATFLEET_OPERATOR ?? `cli:${userInfo().username}@${hostname()}`;

const HOLD_HELP = `  --hold           hold the zones on their gateways until natfleet release (Fallback,
                   ReplaceInstances and Maintenance skip them)
`;

export const workflowVerbs = Object.keys(VERBS) as WorkflowVerb[];

export const workflowHelp = (
  verb: WorkflowVerb,
) => `Usage: natfleet ${verb} --env NAME --reason TEXT ${verb === 'failover' ? '[--hold] ' : ''}[--zones a,b] [--config FILE]

Starts the ${VERBS[verb]} workflow of the environment: it ${WHAT[verb]}.
Prints each state as it is entered and left, then per zone the default route before
and after and why. Exits 1 when the run fails, with its cause.
Credentials and region: the usual AWS SDK settings (AWS_PROFILE, AWS_ENDPOINT_URL, …).

Options:
  --env NAME       the environment (required)
  --reason TEXT    why, recorded with the run (required)
${verb === 'failover' ? HOLD_HELP : ''}  --zones a,b      only these zones (leave out for all; an empty value is refused)
  --config FILE    the configuration (default: natfleet.yml, or $NATFLEET_CONFIG)
  --help           this text`;

export interface WorkflowArgs {
  config: string;
  env?: string;
  zones?: string;
  reason?: string;
  hold?: boolean;
}

export async function workflowVerb(
  verb: WorkflowVerb,
  args: WorkflowArgs,
  io: Io,
  starter?: (region: string) => Starter,
): Promise<number> {
  if (!args.env) throw new UsageError(`${verb}: --env NAME is required`);
  if (!args.reason?.trim()) throw new UsageError(`${verb}: --reason TEXT is required`);
  let zones: string[] | undefined;
  try {
    zones = requiredZones(args.zones);
  } catch (e) {
    throw new UsageError(`${verb}: ${(e as Error).message}`);
  }
  const env = environment(loadConfig(args.config), args.env);
  const aws = awsClients(env.region);
  try {
    const done = await operate(
      {
        env,
        verb,
        zones,
        reason: args.reason,
        origin: 'cli',
        ...(args.hold ? { holdBy: operator() } : {}),
      },
      { ec2: aws.ec2, starter: starter?.(env.region) ?? sfnStarter(aws.sfn), log: io.out },
    );
    io.out('');
    io.out(rowsAsText(done.rows));
    io.out(`execution: ${done.executionArn}`);
    if (done.result.status === 'SUCCEEDED') return 0;
    io.err(
      `natfleet ${verb}: ${done.result.status}: ${done.result.error ?? ''}: ${done.result.cause ?? ''}`,
    );
    return 1;
  } catch (e) {
    if (e instanceof WorkflowInputError) throw new UsageError(`${verb}: ${e.message}`);
    const known = explainAws(e, {
      doing: `starting the ${VERBS[verb]} workflow of ${env.name}`,
      env: env.name,
      region: env.region,
    });
    throw known ? new Error(`${verb}: ${known}`) : e;
  } finally {
    for (const c of Object.values(aws)) if (typeof c === 'object') c.destroy();
  }
}
