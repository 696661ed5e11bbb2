// What `natfleet status` prints: per zone its mode, its routes' targets and its hold; the
// environment's lock; the executions of its workflows that are running now.
import type { EC2Client } from '@aws-sdk/client-ec2';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { ListExecutionsCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { Environment } from './config/schema.js';
import { observeRouteTables, observeZoneTargets } from './aws/fleet.js';
import { readHolds, type Hold } from './holds.js';
import { stateMachineArn, WORKFLOWS, type WorkflowName } from './names.js';
import { zoneMode } from './record/snapshot.js';
import { routeTarget } from './routes.js';
import { lockParameter } from './workflows/lock.js';

export interface FleetStatus {
  env: string;
  zones: { zone: string; mode: string; targets: string[]; hold?: Hold }[];
  /** The execution ARN holding the environment's lock, if any. */
  lock?: string;
  running: { workflow: WorkflowName; name: string; since: string }[];
}

export async function fleetStatus(
  env: Environment,
  aws: { ec2: EC2Client; ssm: SSMClient; sfn: SFNClient },
): Promise<FleetStatus> {
  const tables = await observeRouteTables(
    aws.ec2,
    env.zones.flatMap((z) => z.routeTables),
  );
  const byId = new Map(tables.map((t) => [t.routeTableId, t]));
  const [targets, holds, lock, running] = await Promise.all([
    observeZoneTargets(aws.ec2, env),
    readHolds(aws.ec2, env),
    aws.ssm
      .send(new GetParameterCommand({ Name: lockParameter(env.name) }))
      .then((r) => r.Parameter?.Value)
      .catch((e: Error) => {
        if (e.name === 'ParameterNotFound') return undefined;
        throw e;
      }),
    Promise.all(
      WORKFLOWS.map(async (workflow) => {
        const arn = stateMachineArn(env.region, env.accountId, env.name, workflow);
        const out = await aws.sfn.send(
          new ListExecutionsCommand({ stateMachineArn: arn, statusFilter: 'RUNNING' }),
        );
        return (out.executions ?? []).map((e) => ({
          workflow,
          name: e.name ?? '?',
          since: e.startDate?.toISOString() ?? '?',
        }));
      }),
    ),
  ]);
  return {
    env: env.name,
    zones: env.zones.map((z, i) => {
      const observed = z.routeTables.map((t) => byId.get(t));
      const hold = holds.find((h) => h.zone === z.availabilityZone);
      return {
        zone: z.availabilityZone,
        mode: targets[i] ? zoneMode(targets[i]!, observed) : 'unknown',
        targets: observed.map((t, j) => `${z.routeTables[j]} → ${routeTarget(t?.defaultRoute)}`),
        ...(hold ? { hold } : {}),
      };
    }),
    ...(lock ? { lock } : {}),
    running: running.flat(),
  };
}

export function statusText(s: FleetStatus): string {
  const lines = [`environment ${s.env}`];
  for (const z of s.zones) {
    lines.push(
      `  ${z.zone}: ${z.mode}${z.hold ? `, HELD by ${z.hold.by} since ${z.hold.at}: ${z.hold.reason}` : ''}`,
    );
    for (const t of z.targets) lines.push(`    ${t}`);
  }
  lines.push(`lock: ${s.lock ?? 'free'}`);
  lines.push(s.running.length ? 'running:' : 'running: none');
  for (const r of s.running) lines.push(`  ${r.workflow} ${r.name} since ${r.since}`);
  return lines.join('\n');
}
