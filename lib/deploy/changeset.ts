// One stack's change set: create it (explicit CREATE or UPDATE), read its changes, delete it
// (plan) or execute it and wait while logging the stack's events (apply).
import {
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  ListStacksCommand,
  paginateDescribeChangeSet,
  paginateDescribeStackEvents,
  waitUntilChangeSetCreateComplete,
  waitUntilStackCreateComplete,
  waitUntilStackUpdateComplete,
  type CloudFormationClient,
  type Change,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import type { RenderedStack } from '../cfn.js';
import { firstPages } from '../aws/pages.js';
import { DeployError, explainAwsError } from './errors.js';

export interface Timing {
  /** Seconds between polls of the waiters and of the event log. */
  minDelay: number;
  maxDelay: number;
  /** Longest wait for one change set or one stack operation, in seconds. */
  maxWait: number;
}

export const DEFAULT_TIMING: Timing = { minDelay: 5, maxDelay: 15, maxWait: 3600 };

export interface ResourceChange {
  action: string;
  logicalId: string;
  type: string;
  physicalId?: string;
  /** True | False | Conditional, for a Modify. */
  replacement?: string;
}

export interface Failure {
  logicalId: string;
  type: string;
  status: string;
  reason: string;
}

export interface Prepared {
  stack: RenderedStack;
  type: 'CREATE' | 'UPDATE';
  changeSetName: string;
  /** Undefined when CloudFormation found nothing to change (the change set is gone then). */
  changes?: ResourceChange[];
  /** Read from the template alone: no change set was made (see unplannable in deploy). */
  fromTemplate?: boolean;
  /**
   * The stack the change set belongs to, as CreateChangeSet answered. Everything after is
   * looked up by it, not by name: a name can also match an older REVIEW_IN_PROGRESS stack.
   */
  stackId?: string;
}

/** What a CREATE change set would list: every resource of the template, added. */
export function creation(stack: RenderedStack, changeSetName: string): Prepared {
  return {
    stack,
    type: 'CREATE',
    changeSetName,
    fromTemplate: true,
    changes: Object.entries(stack.template.Resources).map(([logicalId, r]) => ({
      action: 'Add',
      logicalId,
      type: r.Type,
    })),
  };
}

type Log = (line: string) => void;

const IN_PROGRESS = /_IN_PROGRESS$/;
const NO_CHANGES = /didn't contain changes|No updates are to be performed/i;

export interface CurrentStack {
  id: string;
  status: string;
}

/**
 * The stack a name stands for now, or undefined when there is none yet. Where an empty
 * REVIEW_IN_PROGRESS stack (a plan's) shares the name with one a later CREATE made — moto keeps
 * both; AWS reuses the empty one — the made one is meant.
 */
export async function currentStack(
  cfn: CloudFormationClient,
  name: string,
): Promise<CurrentStack | undefined> {
  let found: CurrentStack | undefined;
  try {
    const s = (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
    if (s?.StackStatus) found = { id: s.StackId ?? name, status: s.StackStatus };
  } catch (e) {
    if (/does not exist/.test((e as Error).message ?? '')) return undefined;
    throw explainAwsError(e, `reading stack ${name}`);
  }
  if (found?.status !== 'REVIEW_IN_PROGRESS') return found;
  let token: string | undefined;
  for (let page = 0; page < 50; page++) {
    const r = await cfn.send(new ListStacksCommand({ NextToken: token }));
    const made = (r.StackSummaries ?? []).find(
      (x) =>
        x.StackName === name &&
        x.StackId !== found.id &&
        x.StackStatus !== 'REVIEW_IN_PROGRESS' &&
        x.StackStatus !== 'DELETE_COMPLETE',
    );
    if (made?.StackId && made.StackStatus) return { id: made.StackId, status: made.StackStatus };
    token = r.NextToken;
    if (!token) break;
  }
  return found;
}

/** The stack's status, or undefined when there is none yet. */
export async function stackStatus(
  cfn: CloudFormationClient,
  name: string,
): Promise<string | undefined> {
  return (await currentStack(cfn, name))?.status;
}

/** CREATE or UPDATE for the stack's current status, or an error that says what to do. */
export function changeSetType(name: string, status: string | undefined, region: string) {
  if (status === undefined || status === 'REVIEW_IN_PROGRESS') return 'CREATE' as const;
  if (status === 'ROLLBACK_COMPLETE' || status === 'ROLLBACK_FAILED') {
    throw new DeployError(
      `stack ${name} is in ${status}: its first creation failed and CloudFormation cannot ` +
        `update it. See why with "aws cloudformation describe-stack-events --stack-name ${name} ` +
        `--region ${region}", fix the cause, delete it with "aws cloudformation delete-stack ` +
        `--stack-name ${name} --region ${region}" and deploy again.`,
    );
  }
  if (status === 'UPDATE_ROLLBACK_FAILED') {
    throw new DeployError(
      `stack ${name} is in UPDATE_ROLLBACK_FAILED: finish the rollback with "aws cloudformation ` +
        `continue-update-rollback --stack-name ${name} --region ${region}" (after fixing what ` +
        'blocked it) and deploy again.',
    );
  }
  if (status === 'DELETE_COMPLETE') return 'CREATE' as const;
  if (status === 'DELETE_FAILED' || IN_PROGRESS.test(status)) {
    throw new DeployError(
      `stack ${name} is in ${status}: another operation is running or failed on it. Wait for ` +
        'it to finish (or resolve it in the CloudFormation console) and deploy again.',
    );
  }
  return 'UPDATE' as const;
}

function changeOf(c: Change): ResourceChange | undefined {
  const r = c.ResourceChange;
  if (!r) return undefined;
  return {
    action: r.Action ?? 'Dynamic',
    logicalId: r.LogicalResourceId ?? '?',
    type: r.ResourceType ?? '?',
    ...(r.PhysicalResourceId ? { physicalId: r.PhysicalResourceId } : {}),
    ...(r.Replacement ? { replacement: r.Replacement } : {}),
  };
}

async function describeChanges(
  cfn: CloudFormationClient,
  stack: string,
  changeSet: string,
): Promise<ResourceChange[]> {
  const out: ResourceChange[] = [];
  const pages = paginateDescribeChangeSet(
    { client: cfn },
    { StackName: stack, ChangeSetName: changeSet },
  );
  for await (const r of firstPages(pages, 100)) {
    for (const c of r.Changes ?? []) {
      const rc = changeOf(c);
      if (rc) out.push(rc);
    }
  }
  return out;
}

export interface PrepareOptions {
  region: string;
  changeSetName: string;
  /** For templates over CloudFormation's inline limit: where they were uploaded. */
  templateUrl?: string;
  /** The service role CloudFormation runs the change set as. */
  roleArn?: string;
  tags: { Key: string; Value: string }[];
  timing: Timing;
}

/** Creates the stack's change set and waits for it; no changes ⇒ `changes` undefined. */
export async function prepare(
  cfn: CloudFormationClient,
  stack: RenderedStack,
  o: PrepareOptions,
): Promise<Prepared> {
  const current = await currentStack(cfn, stack.name);
  const type = changeSetType(stack.name, current?.status, o.region);
  let stackId: string;
  try {
    const made = await cfn.send(
      new CreateChangeSetCommand({
        StackName: stack.name,
        ChangeSetName: o.changeSetName,
        ChangeSetType: type,
        ...(o.templateUrl
          ? { TemplateURL: o.templateUrl }
          : { TemplateBody: JSON.stringify(stack.template) }),
        ...(o.roleArn ? { RoleARN: o.roleArn } : {}),
        Parameters: Object.entries(stack.parameters).map(([ParameterKey, ParameterValue]) => ({
          ParameterKey,
          ParameterValue,
        })),
        Capabilities: ['CAPABILITY_NAMED_IAM'],
        Tags: o.tags,
        Description: `natfleet ${stack.kind}`,
      }),
    );
    stackId = made.StackId ?? stack.name;
  } catch (e) {
    const err = e as Error;
    // Some endpoints answer an unchanged template right away instead of with a FAILED set.
    if (err.name === 'ValidationError' && NO_CHANGES.test(err.message)) {
      return { stack, type, changeSetName: o.changeSetName };
    }
    if (err.name === 'ValidationError') {
      throw new DeployError(
        `CloudFormation rejected the template of ${stack.name}: ${err.message}. Nothing was ` +
          'changed for this stack. If natfleet.yml is valid this is a natfleet defect: report ' +
          'it with this message.',
      );
    }
    throw explainAwsError(e, `creating the change set of ${stack.name}`);
  }
  const ids = { StackName: stackId, ChangeSetName: o.changeSetName };
  try {
    await waitUntilChangeSetCreateComplete(
      {
        client: cfn,
        maxWaitTime: o.timing.maxWait,
        minDelay: o.timing.minDelay,
        maxDelay: o.timing.maxDelay,
      },
      ids,
    );
  } catch {
    // The waiter throws on FAILED; the change set's own reason tells why.
  }
  const cs = await cfn.send(new DescribeChangeSetCommand(ids));
  if (cs.Status === 'CREATE_COMPLETE') {
    return {
      stack,
      type,
      changeSetName: o.changeSetName,
      changes: await describeChanges(cfn, stackId, o.changeSetName),
      stackId,
    };
  }
  const reason = cs.StatusReason ?? `change set ended ${cs.Status}`;
  await discard(cfn, stackId, o.changeSetName);
  if (cs.Status === 'FAILED' && NO_CHANGES.test(reason)) {
    return { stack, type, changeSetName: o.changeSetName };
  }
  throw new DeployError(
    `the change set of ${stack.name} failed: ${reason}. Nothing was changed for this stack; ` +
      'fix the cause (often an id in natfleet.yml that does not exist) and rerun.',
  );
}

/**
 * Deletes a change set. The empty REVIEW_IN_PROGRESS stack a CREATE change set leaves is kept:
 * it holds nothing, the next CREATE reuses it, and deleting it would need
 * cloudformation:DeleteStack — a right the plan role must not have over live stacks.
 */
export async function discard(
  cfn: CloudFormationClient,
  stack: string,
  changeSet: string,
): Promise<void> {
  await cfn.send(new DeleteChangeSetCommand({ StackName: stack, ChangeSetName: changeSet }));
}

const eventLine = (e: StackEvent) =>
  `  ${e.Timestamp?.toISOString().slice(11, 19) ?? '--:--:--'} ${e.ResourceStatus ?? ''} ` +
  `${e.LogicalResourceId ?? ''} (${e.ResourceType ?? ''})` +
  (e.ResourceStatusReason ? ` ${e.ResourceStatusReason}` : '');

/** The stack's events after `since`, oldest first (newest pages are read until `since`). */
export async function eventsSince(
  cfn: CloudFormationClient,
  stack: string,
  since: Date,
): Promise<StackEvent[]> {
  const out: StackEvent[] = [];
  const pages = paginateDescribeStackEvents({ client: cfn }, { StackName: stack });
  for await (const r of firstPages(pages, 20)) {
    let older = false;
    for (const e of r.StackEvents ?? []) {
      if (e.Timestamp && e.Timestamp < since) older = true;
      else out.push(e);
    }
    if (older) break;
  }
  return out.reverse();
}

export interface Executed {
  /** The stack that was created or updated (its id when CloudFormation gave one). */
  stackId: string;
  status: string;
  ok: boolean;
  failures: Failure[];
}

/** Executes a prepared change set and waits for the stack, logging its events as they come. */
export async function execute(
  cfn: CloudFormationClient,
  p: Prepared,
  timing: Timing,
  log: Log,
): Promise<Executed> {
  const name = p.stack.name;
  const id = p.stackId ?? name;
  const started = new Date(Date.now() - 1000);
  try {
    await cfn.send(new ExecuteChangeSetCommand({ StackName: id, ChangeSetName: p.changeSetName }));
  } catch (e) {
    throw explainAwsError(e, `executing the change set of ${name}`);
  }
  const seen = new Set<string>();
  const pollEvents = async () => {
    for (const e of await eventsSince(cfn, id, started)) {
      if (!e.EventId || seen.has(e.EventId)) continue;
      seen.add(e.EventId);
      log(eventLine(e));
    }
  };
  let done = false;
  const logger = (async () => {
    // Some resources (NAT gateways) take minutes between events: say we are still waiting.
    let quietSince = Date.now();
    while (!done) {
      await new Promise((r) => setTimeout(r, timing.minDelay * 1000));
      if (done) break;
      const before = seen.size;
      await pollEvents().catch(() => undefined);
      if (seen.size > before) quietSince = Date.now();
      else if (Date.now() - quietSince >= 60_000) {
        log(
          `  … ${name}: still waiting (${Math.round((Date.now() - started.getTime()) / 1000)} s)`,
        );
        quietSince = Date.now();
      }
    }
  })();
  const wait = p.type === 'CREATE' ? waitUntilStackCreateComplete : waitUntilStackUpdateComplete;
  try {
    await wait(
      {
        client: cfn,
        maxWaitTime: timing.maxWait,
        minDelay: timing.minDelay,
        maxDelay: timing.maxDelay,
      },
      { StackName: id },
    );
  } catch {
    // The waiter throws on rollback or timeout: the stack's status and events say which.
  } finally {
    done = true;
    await logger;
  }
  await pollEvents().catch(() => undefined);
  const status = (await stackStatus(cfn, id)) ?? 'DELETE_COMPLETE';
  const ok = status === 'CREATE_COMPLETE' || status === 'UPDATE_COMPLETE';
  if (ok) return { stackId: id, status, ok, failures: [] };
  const failures = (await eventsSince(cfn, id, started))
    .filter((e) => e.ResourceStatus?.endsWith('_FAILED') && e.LogicalResourceId !== name)
    .map((e) => ({
      logicalId: e.LogicalResourceId ?? '?',
      type: e.ResourceType ?? '?',
      status: e.ResourceStatus ?? '?',
      reason: e.ResourceStatusReason ?? '(no reason given)',
    }));
  return { stackId: id, status, ok, failures };
}

/** The stack's outputs, by key (empty for a stack that does not exist). */
export async function stackOutputs(
  cfn: CloudFormationClient,
  name: string,
): Promise<Record<string, string>> {
  const id = (await currentStack(cfn, name))?.id;
  if (!id) return {};
  try {
    const out = await cfn.send(new DescribeStacksCommand({ StackName: id }));
    return Object.fromEntries(
      (out.Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']),
    );
  } catch (e) {
    if (/does not exist/.test((e as Error).message ?? '')) return {};
    throw explainAwsError(e, `reading the outputs of ${name}`);
  }
}
