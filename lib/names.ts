// Every AWS-side name and tag natfleet uses comes from here (environment + zone), grouped by
// what they name. Names are `natfleet-<env>-…` (join); paths are `/natfleet/<env>/…`.
export const PREFIX = 'natfleet';

export const STACKS = [
  'access',
  'artifacts',
  'image',
  'gateway',
  'fleet',
  'checker',
  'workflows',
] as const;
export type StackKind = (typeof STACKS)[number];
/** Stacks deployed only when named in the stacks filter: the access stack is an administrator's. */
export const ON_REQUEST_STACKS: readonly StackKind[] = ['access'];

export const WORKFLOWS = ['Failover', 'Fallback', 'ReplaceInstances', 'Maintenance'] as const;
export type WorkflowName = (typeof WORKFLOWS)[number];

export const ROLES = [
  'access',
  'artifacts',
  'image',
  'standby-gateway',
  'nat-instance',
  'checker',
  'workflow',
] as const;
export type Role = (typeof ROLES)[number];

const join = (...parts: string[]) => [PREFIX, ...parts].join('-');

// ── tags ───────────────────────────────────────────────────────────────────────────────────
export const TAG = {
  environment: `${PREFIX}:environment`,
  zone: `${PREFIX}:zone`,
  role: `${PREFIX}:role`,
} as const;

export interface Tag {
  Key: string;
  Value: string;
}

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

// ── stacks ─────────────────────────────────────────────────────────────────────────────────
export const stackName = (env: string, kind: StackKind) => join(env, kind);
/** What every named resource of an environment starts with: natfleet-<env>-. */
export const envPrefix = (env: string) => `${join(env)}-`;

// ── artifacts bucket and what is in it ─────────────────────────────────────────────────────
/** Bucket names are global: account and region make them unique (at most 63 characters). */
export const artifactsBucket = (env: string, accountId: string, region: string) =>
  join(env, 'artifacts', accountId, region);
/** Where the checker's code zip lives in the artifacts bucket: its content hash. */
export const CHECKER_PREFIX = 'checker/';
export const checkerCodeKey = (sha256: string) => `${CHECKER_PREFIX}${sha256}.zip`;
/** The stand-in code key of a plan made without the checker's bundle; never uploaded. */
export const UNBUILT_CODE_KEY = 'checker/unbuilt.zip';
/**
 * Templates too large to send inline go to the artifacts bucket under their hash, plan's and
 * apply's under prefixes of their own: only the deploy role may write apply's (the bucket
 * policy), and apply never reads plan's.
 */
export const TEMPLATE_PREFIX = { plan: 'plan/templates/', apply: 'apply/templates/' } as const;
export const templateKey = (mode: 'plan' | 'apply', stack: string, sha256: string) =>
  `${TEMPLATE_PREFIX[mode]}${stack}/${sha256}.json`;

// ── access stack: the GitHub OIDC roles and the CloudFormation service role ────────────────
export const ACCESS_ROLES = ['plan', 'deploy', 'operate', 'cloudformation'] as const;
export type AccessRole = (typeof ACCESS_ROLES)[number];
export const accessRoleName = (env: string, role: AccessRole) => join(env, role);
export const accessRoleArn = (
  accountId: string,
  env: string,
  role: AccessRole,
  partition = 'aws',
) => `arn:${partition}:iam::${accountId}:role/${accessRoleName(env, role)}`;
/** Change sets are named by mode, so a role's policy can name the ones it may touch. */
export const changeSetPrefix = (mode: 'plan' | 'apply') => `${PREFIX}-${mode}-`;

// ── image ──────────────────────────────────────────────────────────────────────────────────
export const amiParameter = (env: string) => `/${PREFIX}/${env}/ami`;
export const imagePipelineName = (env: string) => join(env, 'image');
export const imageComponentName = (env: string, component: string) => join(env, component);
/** The image stack's other parts: recipe, infrastructure, distribution, lifecycle, ami. */
export const imageResourceName = (env: string, part: string) => join(env, 'image', part);

// ── gateway and fleet ──────────────────────────────────────────────────────────────────────
export const gatewayName = (env: string, zone?: string) =>
  zone ? join(env, 'standby', zone) : join(env, 'standby');
export const instanceName = (env: string, zone: string) => join(env, 'nat', zone);
export const instanceRoleName = (env: string) => join(env, 'nat-instance');
export const instanceProfileName = (env: string) => join(env, 'nat-instance');
export const launchTemplateName = (env: string) => join(env, 'nat-instance');
export const securityGroupName = (env: string, role: 'nat-instance' | 'checker' | 'endpoint') =>
  join(env, role);
export const eipName = (env: string, zone: string) => join(env, 'nat', zone, 'eip');

// ── checker: function, schedule, alarms, metrics ───────────────────────────────────────────
export const checkerFunctionName = (env: string, zone: string) => join(env, 'checker', zone);
/** Lambda writes to /aws/lambda/<function>; the stack owns that group to set its retention. */
export const checkerLogGroup = (env: string, zone: string) =>
  `/aws/lambda/${checkerFunctionName(env, zone)}`;
export const checkerRoleName = (env: string) => join(env, 'checker');
export const checkerRuleName = (env: string, zone: string) => join(env, 'checker', zone);
export const alarmRoleName = (env: string) => join(env, 'alarm-failover');
export const alarmName = (
  env: string,
  zone: string,
  kind: 'failed-rounds' | 'on-gateway' | 'checker-alive',
) => join(env, zone, kind);
export const alarmRuleName = (env: string, zone: string) => join(env, 'alarm-failover', zone);
/** The checker's CloudWatch metric names (the checker emits them, the alarms read them). */
export const METRIC_NAMES = {
  /** 1 for a probe that got an HTTP answer, 0 for one that did not (Url is a property). */
  probeSuccess: 'ProbeSuccess',
  probeLatency: 'ProbeLatency',
  /** 1 per failed round, 0 per good one. */
  failedRounds: 'FailedRounds',
  failoversStarted: 'FailoversStarted',
  /** 1 while the zone's routes use its NAT instance, 0 while they use its gateway. */
  onInstance: 'OnInstance',
} as const;
/** Namespace, dimensions and names of the checker's metrics. */
export const METRICS = {
  namespace: PREFIX,
  dimensions: { environment: 'Environment', zone: 'Zone' },
  ...METRIC_NAMES,
} as const;

// ── state machines: names, ARNs, logs ──────────────────────────────────────────────────────
export const stateMachineName = (env: string, wf: WorkflowName) => join(env, wf);
export const stateMachineLogGroup = (env: string, wf: WorkflowName) =>
  `/${PREFIX}/${env}/states/${wf}`;

/** Where an ARN points: literal values, or CloudFormation's pseudo parameters for Fn::Sub. */
interface ArnPlace {
  partition: string;
  region: string;
  accountId: string;
}
const SUB_PLACE: ArnPlace = {
  partition: '${AWS::Partition}',
  region: '${AWS::Region}',
  accountId: '${AWS::AccountId}',
};
/** The one ARN builder: arn:<partition>:<service>:<region>:<account>:<resource>. */
const arn = (p: ArnPlace, service: string, resource: string) =>
  `arn:${p.partition}:${service}:${p.region}:${p.accountId}:${resource}`;

/** ARN of a state machine by its name, so a stack need not import the workflows stack. */
export const stateMachineArnSub = (env: string, wf: WorkflowName) =>
  arn(SUB_PLACE, 'states', `stateMachine:${stateMachineName(env, wf)}`);
/** The ARN of an environment's state machine, for starting it and for its own IAM policies. */
export const stateMachineArn = (
  region: string,
  accountId: string,
  env: string,
  wf: WorkflowName,
  partition = 'aws',
) => arn({ partition, region, accountId }, 'states', `stateMachine:${stateMachineName(env, wf)}`);

// ── execution names ────────────────────────────────────────────────────────────────────────
// Step Functions execution names: 1–80 characters, no whitespace, no < > { } [ ] ? * " # % \ ^ |
// ~ ` $ & , ; : / and no control characters. Keeping to letters, digits, '.', '_' and '-' is safe.
const EXECUTION_NAME_MAX = 80;
const executionSafe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/-+/g, '-');

/** The one timestamp of names: UTC to the second, no separators (20261123T084000Z). */
export const compactTime = (at: Date) =>
  at
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');

/**
 * Checker execution names made from the zone, the start of a time bucket and a generation:
 * checkers that see the same outage in the same bucket ask for the same names in the same
 * order, so only one execution starts. Generation 0 has no suffix; a later generation is asked
 * for only when the earlier ones are closed and did not hold (ADR 0095).
 */
const bucketExecutionName = (verb: string, zone: string, bucketStart: Date, generation = 0) => {
  if (!/^[a-z0-9-]{1,40}$/.test(zone)) throw new Error(`not a zone name: ${JSON.stringify(zone)}`);
  if (!Number.isInteger(generation) || generation < 0 || generation > 99) {
    throw new Error(`not a generation (0 to 99): ${generation}`);
  }
  const base = `${PREFIX}-${verb}-${zone}-${compactTime(bucketStart)}`;
  return generation === 0 ? base : `${base}-g${generation}`;
};
export const failoverExecutionName = (zone: string, bucketStart: Date, generation = 0) =>
  bucketExecutionName('failover', zone, bucketStart, generation);
export const fallbackExecutionName = (zone: string, bucketStart: Date, generation = 0) =>
  bucketExecutionName('fallback', zone, bucketStart, generation);

/**
 * An operator's or a GitHub run's execution name: workflow, where it came from (cli, a run id),
 * the time to the second and a short random tail so two starts in one second both run.
 */
export function executionName(workflow: WorkflowName, origin: string, at: Date): string {
  const tail = Math.random().toString(36).slice(2, 6);
  const head = executionSafe(`${workflow}-${origin}`).slice(0, EXECUTION_NAME_MAX - 23);
  return `${head}-${compactTime(at)}-${tail}`;
}

// ── GitOps record and pull requests ────────────────────────────────────────────────────────
export const stateBranch = (env: string) => `${PREFIX}/state/${env}`;
export const stateFile = (env: string) => `state/${env}.json`;
/** The hidden marker that finds an environment's plan comment on a pull request. */
export const planCommentMarker = (env: string) => `<!-- ${PREFIX}-plan:${env} -->`;
