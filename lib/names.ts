// Every AWS-side name and tag natfleet uses comes from here (environment + zone).
export const PREFIX = 'natfleet';

export const STACKS = ['artifacts', 'image', 'gateway', 'fleet', 'checker', 'workflows'] as const;
export type StackKind = (typeof STACKS)[number];

export const WORKFLOWS = ['Failover', 'Fallback', 'ReplaceInstances', 'Maintenance'] as const;
export type WorkflowName = (typeof WORKFLOWS)[number];

export const ROLES = [
  'artifacts',
  'image',
  'standby-gateway',
  'nat-instance',
  'checker',
  'workflow',
] as const;
export type Role = (typeof ROLES)[number];

export const TAG = {
  environment: `${PREFIX}:environment`,
  zone: `${PREFIX}:zone`,
  role: `${PREFIX}:role`,
} as const;

export interface Tag {
  Key: string;
  Value: string;
}

const join = (...parts: string[]) => [PREFIX, ...parts].join('-');

export const stackName = (env: string, kind: StackKind) => join(env, kind);
export const stateMachineName = (env: string, wf: WorkflowName) => join(env, wf);
export const stateMachineLogGroup = (env: string, wf: WorkflowName) =>
  `/${PREFIX}/${env}/states/${wf}`;
export const checkerFunctionName = (env: string, zone: string) => join(env, 'checker', zone);
/** Lambda writes to /aws/lambda/<function>; the stack owns that group to set its retention. */
export const checkerLogGroup = (env: string, zone: string) =>
  `/aws/lambda/${checkerFunctionName(env, zone)}`;
export const amiParameter = (env: string) => `/${PREFIX}/${env}/ami`;
export const instanceName = (env: string, zone: string) => join(env, 'nat', zone);
export const gatewayName = (env: string, zone?: string) =>
  zone ? join(env, 'standby', zone) : join(env, 'standby');
export const imagePipelineName = (env: string) => join(env, 'image');
export const imageComponentName = (env: string, component: string) => join(env, component);
/** Bucket names are global: account and region make them unique (at most 63 characters). */
export const artifactsBucket = (env: string, accountId: string, region: string) =>
  join(env, 'artifacts', accountId, region);
export const stateBranch = (env: string) => `${PREFIX}/state/${env}`;
export const stateFile = (env: string) => `state/${env}.json`;

/** The tags every natfleet resource carries; zonal resources name their zone. */
export function tags(env: string, role: Role, zone?: string, name?: string): Tag[] {
  const out: Tag[] = [
    { Key: TAG.environment, Value: env },
    { Key: TAG.role, Value: role },
  ];
  if (zone) out.push({ Key: TAG.zone, Value: zone });
  if (name) out.push({ Key: 'Name', Value: name });
  return out;
}

// Step Functions execution names: 1–80 characters, no whitespace, no < > { } [ ] ? * " # % \ ^ |
// ~ ` $ & , ; : / and no control characters. Keeping to letters, digits, '.', '_' and '-' is safe.
const EXECUTION_NAME_MAX = 80;
const executionSafe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/-+/g, '-');
/** 2026-11-23T08:40:00.000Z → 20261123T0840Z (minutes are enough to tell runs apart). */
const compactTime = (at: Date) =>
  at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\d\d\.\d{3}Z$/, 'Z');

/**
 * The checker's Failover execution name for a zone: the same for every start within one
 * `bucketMinutes` window, so Step Functions refuses the duplicates (ExecutionAlreadyExists) and
 * a zone is failed over once per window however many checkers or alarms ask.
 */
export function failoverExecutionName(zone: string, at: Date, bucketMinutes = 10): string {
  const ms = bucketMinutes * 60_000;
  const bucket = new Date(Math.floor(at.getTime() / ms) * ms);
  return executionSafe(`failover-${zone}-${compactTime(bucket)}`).slice(0, EXECUTION_NAME_MAX);
}

/**
 * An operator's or a GitHub run's execution name: workflow, where it came from (cli, a run id),
 * the time to the second and a short random tail so two starts in one second both run.
 */
export function executionName(workflow: WorkflowName, origin: string, at: Date): string {
  const time = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
  const tail = Math.random().toString(36).slice(2, 6);
  const head = executionSafe(`${workflow}-${origin}`).slice(0, EXECUTION_NAME_MAX - 23);
  return `${head}-${time}-${tail}`;
}

/** The ARN of an environment's state machine, for starting it and for its own IAM policies. */
export const stateMachineArn = (
  region: string,
  accountId: string,
  env: string,
  wf: WorkflowName,
  partition = 'aws',
) => `arn:${partition}:states:${region}:${accountId}:stateMachine:${stateMachineName(env, wf)}`;
