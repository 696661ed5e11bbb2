// The checker's AWS calls: the zone's route tables and instance (EC2), StartExecution (Step
// Functions), and for auto-fallback the instance's health commands (SSM). Through the SDK the
// handler loads on first use (lib/checker/sdk.ts): nothing here imports an SDK value.
import { firstPages } from '../aws/pages.js';
import { fleetReads } from '../aws/reads.js';
import type { CheckerSdk } from './sdk.js';
import type { Mode } from '../fleet.js';
import { healthRequest } from '../health.js';
import { HEALTH_COMMENT, MAX_GAP_MS, type HealthSample } from './fallback.js';
import type { FailoverInput, StartOutcome } from './invocation.js';
import { zoneMode } from './mode.js';

export async function readZoneMode(sdk: CheckerSdk, routeTables: string[]): Promise<Mode> {
  return zoneMode(routeTables, await fleetReads(sdk.ec2, sdk.commands).routeTables(routeTables));
}

/**
 * Starts an execution. A running one of the same name and input is "already-started"; a name
 * that is taken otherwise (the execution is closed, or its input differs) is "name-taken".
 */
export async function startExecution(
  sdk: CheckerSdk,
  stateMachineArn: string,
  name: string,
  input: FailoverInput,
): Promise<StartOutcome> {
  const asked = Date.now();
  try {
    const out = await sdk.sfn.send(
      new sdk.commands.StartExecutionCommand({
        stateMachineArn,
        name,
        input: JSON.stringify(input),
      }),
    );
    // AWS answers a repeat of a running execution's name and input with that execution: one
    // that began before this call was started by another invocation.
    const earlier = out.startDate && out.startDate.getTime() < asked - 1_000;
    return earlier ? 'already-started' : 'started';
  } catch (e) {
    if (e instanceof Error && e.name === 'ExecutionAlreadyExists') return 'name-taken';
    throw e;
  }
}

/**
 * The results of the checker's health commands on an instance since a moment. Each command
 * targets that one instance, so a command's status is its result there.
 */
export async function healthSamples(
  sdk: CheckerSdk,
  instanceId: string,
  since: Date,
): Promise<HealthSample[]> {
  const samples: HealthSample[] = [];
  const pages = sdk.commands.paginateListCommands(
    { client: sdk.ssm },
    {
      InstanceId: instanceId,
      Filters: [{ key: 'InvokedAfter', value: since.toISOString() }],
      MaxResults: 50,
    },
  );
  // Bounded: one command a minute for at most a day of history is under 30 pages.
  for await (const out of firstPages(pages, 30)) {
    for (const c of out.Commands ?? []) {
      const at = c.RequestedDateTime?.getTime();
      if (c.Comment !== HEALTH_COMMENT || at === undefined || at < since.getTime()) continue;
      if (c.Status === 'Pending' || c.Status === 'InProgress') continue;
      samples.push({ at, ok: c.Status === 'Success' });
    }
  }
  return samples;
}

export async function sendHealthCommand(
  sdk: CheckerSdk,
  instanceId: string,
  urls: readonly string[],
): Promise<string | undefined> {
  const out = await sdk.ssm.send(
    new sdk.commands.SendCommandCommand({
      ...healthRequest(urls),
      InstanceIds: [instanceId],
      Comment: HEALTH_COMMENT,
    }),
  );
  return out.Command?.CommandId;
}

/** What auto-fallback needs to know, read from EC2 and SSM. */
export function fallbackView(sdk: CheckerSdk, env: string, zone: string, urls: string[]) {
  return {
    async facts(healthyMinutes: number) {
      const instance = await fleetReads(sdk.ec2, sdk.commands).zoneInstance(env, zone);
      // Enough history to see a whole streak, and the silence before it.
      const since = new Date(Date.now() - healthyMinutes * 60_000 - MAX_GAP_MS - 60_000);
      const samples = instance ? await healthSamples(sdk, instance.instanceId, since) : [];
      return { ...(instance ? { instance } : {}), samples };
    },
    async runHealthCommand(instanceId: string) {
      await sendHealthCommand(sdk, instanceId, urls);
    },
  };
}
