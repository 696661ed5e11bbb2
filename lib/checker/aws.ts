// The checker's AWS calls: the zone's route tables (EC2) and StartExecution (Step Functions).
import type { EC2Client } from '@aws-sdk/client-ec2';
import { StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { observeRouteTables } from '../aws/fleet.js';
import type { Mode } from '../fleet.js';
import type { FailoverInput, StartOutcome } from './invocation.js';
import { zoneMode } from './mode.js';

export async function readZoneMode(ec2: EC2Client, routeTables: string[]): Promise<Mode> {
  return zoneMode(routeTables, await observeRouteTables(ec2, routeTables));
}

/** Starts an execution; one already started under the same name counts as started. */
export async function startExecution(
  sfn: SFNClient,
  stateMachineArn: string,
  name: string,
  input: FailoverInput,
): Promise<StartOutcome> {
  const asked = Date.now();
  try {
    const out = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }),
    );
    // AWS answers a repeat of a running execution's name and input with that execution: one
    // that began before this call was started by another invocation.
    const earlier = out.startDate && out.startDate.getTime() < asked - 1_000;
    return earlier ? 'already-started' : 'started';
  } catch (e) {
    if (e instanceof Error && e.name === 'ExecutionAlreadyExists') return 'already-started';
    throw e;
  }
}
