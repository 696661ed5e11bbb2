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
/** The image stack's other parts: recipe, infrastructure, distribution, lifecycle, ami. */
export const imageResourceName = (env: string, part: string) => join(env, 'image', part);

/**
 * Step Functions execution names (letters, digits, - and _; at most 80) made from the zone and
 * the start of a time bucket: checkers that see the same outage in the same bucket ask for the
 * same name, so only one execution starts.
 */
const executionName = (verb: string, zone: string, bucketStart: Date) => {
  if (!/^[a-z0-9-]{1,40}$/.test(zone)) throw new Error(`not a zone name: ${JSON.stringify(zone)}`);
  const stamp = bucketStart
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
  return `${PREFIX}-${verb}-${zone}-${stamp}`;
};
export const failoverExecutionName = (zone: string, bucketStart: Date) =>
  executionName('failover', zone, bucketStart);
export const fallbackExecutionName = (zone: string, bucketStart: Date) =>
  executionName('fallback', zone, bucketStart);
