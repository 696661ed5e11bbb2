// `deploy`: every stack of an environment through change sets, in dependency order.
// plan: create each change set, read its changes, delete it. apply: create, execute and wait,
// stack by stack, stopping at the first failure. Shared by the deploy action and the CLI.
import { existsSync } from 'node:fs';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { awsClients } from '../aws/clients.js';
import type { Environment } from '../config/schema.js';
import type { RenderedStack } from '../cfn.js';
import {
  ON_REQUEST_STACKS,
  STACKS,
  TAG,
  changeSetPrefix,
  stackName,
  type StackKind,
} from '../names.js';
import { renderStacks } from '../../cloudformation/index.js';
import { UNBUILT_CODE_KEY } from '../../cloudformation/checker.js';
import {
  artifactsBucketOf,
  bucketExists,
  checkerArtifact,
  trustedTemplateUrl,
  upload,
  type Artifact,
  type ArtifactsBucket,
} from './artifact.js';
import {
  creation,
  DEFAULT_TIMING,
  discard,
  execute,
  prepare,
  stackOutputs,
  stackStatus,
  type Failure,
  type Prepared,
  type ResourceChange,
  type Timing,
} from './changeset.js';
import { DeployError } from './errors.js';
import { preflight } from './preflight.js';
import { resolveInputs } from './inputs.js';

export type Mode = 'plan' | 'apply';

export interface DeployClients {
  cfn: CloudFormationClient;
  s3: S3Client;
  ec2: EC2Client;
  sts: STSClient;
}

export interface DeployOptions {
  mode: Mode;
  /** Only these stacks (still in dependency order); all when empty. */
  stacks?: StackKind[];
  /** The checker's built bundle (zipped and uploaded under its hash). */
  checkerDir: string;
  changeSetName?: string;
  /** The CloudFormation service role every change set runs as (the access stack's). */
  roleArn?: string;
  timing?: Timing;
  log?: (line: string) => void;
}

export type Outcome =
  | 'planned' // plan: has changes
  | 'no changes'
  | 'created'
  | 'updated'
  | 'failed'
  | 'not reached';

export interface StackReport {
  kind: StackKind;
  name: string;
  type?: 'CREATE' | 'UPDATE';
  outcome: Outcome;
  changes: ResourceChange[];
  outputs: Record<string, string>;
  status?: string;
  failures?: Failure[];
}

export interface DeployReport {
  environment: string;
  mode: Mode;
  ok: boolean;
  stacks: StackReport[];
  checker?: { key: string; uploaded: boolean | 'not in plan mode' };
  /** What went wrong and what to do, when !ok. */
  error?: string;
  warnings: string[];
}

/** CloudFormation's limit for a template sent inline. */
export const INLINE_TEMPLATE_LIMIT = 51_200;

/** Parses a stacks filter ("fleet, checker"); unknown names are an error listing the known. */
export function parseStackFilter(text: string | undefined): StackKind[] {
  const names = (text ?? '')
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = names.filter((n) => !(STACKS as readonly string[]).includes(n));
  if (bad.length > 0) {
    throw new DeployError(
      `unknown stack(s) ${bad.join(', ')} in the stacks filter: expected some of ${STACKS.join(', ')}`,
    );
  }
  return names as StackKind[];
}

export async function deploy(
  env: Environment,
  clients: DeployClients,
  o: DeployOptions,
): Promise<DeployReport> {
  const log = o.log ?? (() => undefined);
  const timing = o.timing ?? DEFAULT_TIMING;
  const report: DeployReport = {
    environment: env.name,
    mode: o.mode,
    ok: false,
    stacks: [],
    warnings: [],
  };
  const changeSetName = o.changeSetName ?? `${changeSetPrefix(o.mode)}${Date.now()}`;
  const bucket = artifactsBucketOf(env);
  const stackTags = [{ Key: TAG.environment, Value: env.name }];
  try {
    const wanted = (k: StackKind) =>
      o.stacks?.length ? o.stacks.includes(k) : !ON_REQUEST_STACKS.includes(k);
    if (wanted('access') && !env.github) {
      throw new DeployError(
        `the access stack needs environments.${env.name}.github.repository in natfleet.yml ` +
          '(the repository whose workflows its roles trust). Nothing was changed.',
      );
    }
    let checker: Artifact | undefined;
    if (wanted('checker')) {
      if (existsSync(o.checkerDir)) checker = checkerArtifact(o.checkerDir);
      else if (o.mode === 'apply') {
        throw new DeployError(
          `the checker bundle ${o.checkerDir} does not exist: build it ("npm run build") ` +
            'or pass its folder. Nothing was changed.',
        );
      } else {
        report.warnings.push(
          `no checker bundle at ${o.checkerDir}: the plan uses ${UNBUILT_CODE_KEY} as its code`,
        );
      }
    }
    const stacks = renderStacks(env, { checkerCodeKey: checker?.key }).filter((s) =>
      wanted(s.kind),
    );
    report.stacks = stacks.map((s) => ({
      kind: s.kind,
      name: s.name,
      outcome: 'not reached',
      changes: [],
      outputs: {},
    }));
    if (checker) report.checker = { key: checker.key, uploaded: 'not in plan mode' };
    log(`natfleet deploy ${o.mode} — ${env.name}: ${stacks.map((s) => s.name).join(', ')}`);
    await preflight(env, clients.sts, clients.ec2);
    await unneeded(clients.cfn, env, stacks, report, o.stacks);

    const prepareStack = async (s: RenderedStack, r: StackReport): Promise<Prepared> => {
      try {
        const p = await changeSetFor(s);
        r.type = p.type;
        return p;
      } catch (e) {
        r.outcome = 'failed';
        throw e;
      }
    };
    const changeSetFor = async (s: RenderedStack): Promise<Prepared> => {
      const inputs = await resolveInputs(s, env.name, clients, o.mode);
      if (inputs.pending.length > 0) {
        report.warnings.push(
          `${s.name} is planned with stand-ins for ${inputs.pending.join(', ')}: ` +
            'the real ids are read when those stacks exist',
        );
      }
      log(`${s.name}: creating change set`);
      const body = JSON.stringify(s.template);
      let templateUrl: string | undefined;
      if (body.length > INLINE_TEMPLATE_LIMIT) {
        // A new environment's first plan: no bucket to send a large template through yet.
        if (o.mode === 'plan' && !(await bucketExists(clients.s3, bucket))) {
          const status = await stackStatus(clients.cfn, s.name);
          if (status === undefined || status === 'REVIEW_IN_PROGRESS') {
            report.warnings.push(
              `${s.name} is planned from its template (${body.length} bytes, over the inline ` +
                `limit) because bucket ${bucket.name} does not exist yet: CloudFormation checks it ` +
                'when the artifacts stack is there',
            );
            return creation(s, changeSetName);
          }
        }
        templateUrl = await trustedTemplateUrl(clients.s3, bucket, o.mode, s.name, body);
      }
      return prepare(
        clients.cfn,
        { ...s, parameters: { ...s.parameters, ...inputs.parameters } },
        {
          region: env.region,
          changeSetName,
          tags: stackTags,
          timing,
          ...(templateUrl ? { templateUrl } : {}),
          ...(o.roleArn ? { roleArn: o.roleArn } : {}),
        },
      );
    };

    if (o.mode === 'plan') await plan(clients, stacks, report, prepareStack, log);
    else await apply(clients, stacks, report, prepareStack, { timing, bucket, checker, log });
    report.ok = !report.error;
  } catch (e) {
    report.ok = false;
    report.error = e instanceof DeployError ? e.message : `unexpected: ${(e as Error).stack ?? e}`;
  }
  return report;
}

/** Stacks a configuration may stop needing (every standby adopted): never deleted for you. */
const OPTIONAL_STACKS: StackKind[] = ['gateway'];

async function unneeded(
  cfn: CloudFormationClient,
  env: Environment,
  rendered: RenderedStack[],
  report: DeployReport,
  filter?: StackKind[],
) {
  const asked = (k: StackKind) => !filter?.length || filter.includes(k);
  for (const kind of OPTIONAL_STACKS.filter(
    (k) => asked(k) && !rendered.some((s) => s.kind === k),
  )) {
    const name = stackName(env.name, kind);
    const status = await stackStatus(cfn, name);
    if (status && status !== 'DELETE_COMPLETE') {
      report.warnings.push(
        `stack ${name} exists (${status}) but natfleet.yml no longer needs it; it is left ` +
          'alone. When no route uses its resources any more, delete it: "aws cloudformation ' +
          `delete-stack --stack-name ${name} --region ${env.region}".`,
      );
    }
  }
}

async function plan(
  clients: DeployClients,
  stacks: RenderedStack[],
  report: DeployReport,
  prepareStack: (s: RenderedStack, r: StackReport) => Promise<Prepared>,
  log: (line: string) => void,
) {
  const made: Prepared[] = [];
  try {
    for (const [i, s] of stacks.entries()) {
      const r = report.stacks[i]!;
      const p = await prepareStack(s, r);
      r.outputs = await stackOutputs(clients.cfn, s.name);
      if (p.changes) {
        if (!p.fromTemplate) made.push(p);
        r.outcome = 'planned';
        r.changes = p.changes;
        log(`${s.name}: ${p.changes.length} change(s) (${p.type})`);
      } else {
        r.outcome = 'no changes';
        log(`${s.name}: no changes`);
      }
    }
  } finally {
    // A plan leaves nothing behind, even when one stack's change set failed.
    for (const p of made) await discard(clients.cfn, p.stack.name, p.changeSetName);
  }
}

async function apply(
  clients: DeployClients,
  stacks: RenderedStack[],
  report: DeployReport,
  prepareStack: (s: RenderedStack, r: StackReport) => Promise<Prepared>,
  o: { timing: Timing; bucket: ArtifactsBucket; checker?: Artifact; log: (line: string) => void },
) {
  for (const [i, s] of stacks.entries()) {
    const r = report.stacks[i]!;
    if (s.kind === 'checker' && o.checker) {
      const uploaded = await upload(clients.s3, o.bucket, o.checker);
      report.checker = { key: o.checker.key, uploaded };
      o.log(
        `checker code s3://${o.bucket.name}/${o.checker.key}: ${uploaded ? 'uploaded' : 'unchanged'}`,
      );
    }
    const p = await prepareStack(s, r);
    if (!p.changes) {
      r.outcome = 'no changes';
      r.outputs = await stackOutputs(clients.cfn, s.name);
      o.log(`${s.name}: no changes`);
      continue;
    }
    r.changes = p.changes;
    o.log(`${s.name}: executing ${p.changes.length} change(s) (${p.type})`);
    const x = await execute(clients.cfn, p, o.timing, o.log);
    r.status = x.status;
    r.outputs = await stackOutputs(clients.cfn, s.name);
    if (x.ok) {
      r.outcome = p.type === 'CREATE' ? 'created' : 'updated';
      o.log(`${s.name}: ${x.status}`);
      continue;
    }
    r.outcome = 'failed';
    r.failures = x.failures;
    const then =
      x.status === 'ROLLBACK_COMPLETE'
        ? `it was rolled back and must be deleted before the next try ("aws cloudformation delete-stack --stack-name ${s.name}")`
        : x.status === 'UPDATE_ROLLBACK_COMPLETE'
          ? 'it was rolled back to its previous state'
          : 'look at it in the CloudFormation console before the next try';
    report.error =
      `${s.name} ended ${x.status}: ${then}. ` +
      (x.failures.length
        ? `Failed resources:\n${x.failures.map((f) => `  ${f.logicalId} (${f.type}) ${f.status}: ${f.reason}`).join('\n')}`
        : 'No resource reported a reason (see the stack events).');
    return;
  }
}

/** The clients deploy needs, for the environment's region (endpoints from the SDK settings). */
export function deployClients(region: string): DeployClients {
  const c = awsClients(region);
  return { cfn: c.cfn, s3: c.s3, ec2: c.ec2, sts: new STSClient({ region, maxAttempts: 5 }) };
}
