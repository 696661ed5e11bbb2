// `natfleet release` and `natfleet status`: the holds an operator's failover left, and what
// the environment is doing now.
import { environment, loadConfig } from '../lib/config/load.js';
import { awsClients } from '../lib/aws/clients.js';
import { holdLine, releaseHolds } from '../lib/holds.js';
import { fleetStatus, statusText } from '../lib/status.js';
import { requiredZones, WorkflowInputError } from '../lib/workflows/operate.js';
import { UsageError, type Io } from './io.js';

export const releaseHelp = `Usage: natfleet release --env NAME [--zones a,b] [--config FILE]

Lifts the holds that "natfleet failover --hold" put on zones (every held zone of the
environment without --zones). Routes do not move: run natfleet fallback after it.`;

export const statusHelp = `Usage: natfleet status --env NAME [--config FILE]

Prints per zone its mode, its routes' targets and its hold, then the environment's lock and
the executions of its workflows that are running.`;

export async function releaseCommand(
  args: { config: string; env?: string; zones?: string },
  io: Io,
): Promise<number> {
  if (!args.env) throw new UsageError('release: --env NAME is required');
  let zones: string[] | undefined;
  try {
    zones = requiredZones(args.zones);
  } catch (e) {
    if (e instanceof WorkflowInputError) throw new UsageError(`release: ${e.message}`);
    throw e;
  }
  const env = environment(loadConfig(args.config), args.env);
  const known = env.zones.map((z) => z.availabilityZone);
  const unknown = (zones ?? []).filter((z) => !known.includes(z));
  if (unknown.length)
    throw new UsageError(
      `release: zones: ${unknown.join(', ')} not in ${env.name}; expected some of ${known.join(', ')}`,
    );
  const aws = awsClients(env.region);
  try {
    const released = await releaseHolds(aws.ec2, env, zones);
    if (!released.length)
      io.out(`no zone of ${env.name} was held${zones ? ` among ${zones.join(', ')}` : ''}`);
    for (const h of released) io.out(`released ${holdLine(h)}`);
    return 0;
  } finally {
    for (const c of Object.values(aws)) if (typeof c === 'object') c.destroy();
  }
}

export async function statusCommand(
  args: { config: string; env?: string },
  io: Io,
): Promise<number> {
  if (!args.env) throw new UsageError('status: --env NAME is required');
  const env = environment(loadConfig(args.config), args.env);
  const aws = awsClients(env.region);
  try {
    io.out(statusText(await fleetStatus(env, aws)));
    return 0;
  } finally {
    for (const c of Object.values(aws)) if (typeof c === 'object') c.destroy();
  }
}
