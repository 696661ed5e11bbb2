// `deploy`: every stack of an environment through change sets, in dependency order.
// plan: create each change set, read its changes, delete it. apply: create, execute and wait,
// stack by stack, stopping at the first failure. Shared by the deploy action and the CLI, which
// pass in the stack renderer (cloudformation/ builds on lib/, so lib/ never imports it).
// Phases, in order: checker bundle, render, preflight, then plan or apply; a phase ends the run
// by throwing a DeployError (nothing changed yet) or by setting report.error (apply stopped).
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
  UNBUILT_CODE_KEY,
  changeSetPrefix,
  stackName,
  type StackKind,
} from '../names.js';
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
  type Executed,
  type Failure,
  type Prepared,
  type ResourceChange,
  type Timing,
} from './changeset.js';
import { DeployError } from './errors.js';
import { preflight } from './preflight.js';
import { limitProblems } from '../limits.js';
import { ConfigError } from '../config/problems.js';
import { sourceOf } from '../config/load.js';
import { resolveInputs } from './inputs.js';

export type Mode = 'plan' | 'apply';

export interface DeployClients {
  cfn: CloudFormationClient;
  s3: S3Client;
  ec2: EC2Client;
  sts: STSClient;
}

/** What only deploy knows before rendering: the key of the checker zip it uploads. */
export interface RenderInputs {
  checkerCodeKey?: string;
}

/** Every stack of an environment in deployment order (cloudformation/index.ts renderStacks). */
export type StackRenderer = (env: Environment, inputs: RenderInputs) => RenderedStack[];

export interface DeployOptions {
  mode: Mode;
  render: StackRenderer;
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
  options: DeployOptions,
): Promise<DeployReport> {
  const report: DeployReport = {
    environment: env.name,
    mode: options.mode,
    ok: false,
    stacks: [],
    warnings: [],
  };
  const run = newRun(env, clients, options, report);
  try {
    accessNeedsRepository(run);
    const checker = checkerBundle(run);
    const stacks = renderWanted(run, checker);
    run.log(`natfleet deploy ${run.mode} — ${env.name}: ${stacks.map((s) => s.name).join(', ')}`);
    withinLimits(run, checker);
    await preflight(env, clients.sts, clients.ec2);
    await warnUnneeded(run, stacks);
    if (run.mode === 'plan') await planStacks(run, stacks);
    else await applyStacks(run, stacks, checker);
    report.ok = !report.error;
  } catch (e) {
    report.ok = false;
    report.error = e instanceof DeployError ? e.message : `unexpected: ${(e as Error).stack ?? e}`;
  }
  return report;
}

/** What every phase reads: the environment, the clients, the options resolved, the report. */
interface Run {
  env: Environment;
  clients: DeployClients;
  mode: Mode;
  filter: StackKind[];
  checkerDir: string;
  render: StackRenderer;
  changeSetName: string;
  bucket: ArtifactsBucket;
  roleArn?: string;
  timing: Timing;
  log: (line: string) => void;
  report: DeployReport;
}

function newRun(
  env: Environment,
  clients: DeployClients,
  options: DeployOptions,
  report: DeployReport,
): Run {
  return {
    env,
    clients,
    mode: options.mode,
    filter: options.stacks ?? [],
    checkerDir: options.checkerDir,
    render: options.render,
    changeSetName: options.changeSetName ?? `${changeSetPrefix(options.mode)}${Date.now()}`,
    bucket: artifactsBucketOf(env),
    ...(options.roleArn ? { roleArn: options.roleArn } : {}),
    timing: options.timing ?? DEFAULT_TIMING,
    log: options.log ?? (() => undefined),
    report,
  };
}

/** Every stack when no filter is given, except those deployed only when named (access). */
const isWanted = (run: Run, kind: StackKind) =>
  run.filter.length > 0 ? run.filter.includes(kind) : !ON_REQUEST_STACKS.includes(kind);

/** The access stack's roles trust one repository: without it there is nothing to render. */
function accessNeedsRepository(run: Run) {
  if (isWanted(run, 'access') && !run.env.github) {
    throw new DeployError(
      `the access stack needs environments.${run.env.name}.github.repository in natfleet.yml ` +
        '(the repository whose workflows its roles trust). Nothing was changed.',
    );
  }
}

/** The checker's zip when its stack is wanted and its bundle is there. Apply needs the bundle;
 * a plan without it uses a stand-in key and says so. */
function checkerBundle(run: Run): Artifact | undefined {
  if (!isWanted(run, 'checker')) return undefined;
  if (existsSync(run.checkerDir)) {
    const checker = checkerArtifact(run.checkerDir);
    run.report.checker = { key: checker.key, uploaded: 'not in plan mode' };
    return checker;
  }
  if (run.mode === 'apply') {
    throw new DeployError(
      `the checker bundle ${run.checkerDir} does not exist: build it ("npm run build") ` +
        'or pass its folder. Nothing was changed.',
    );
  }
  run.report.warnings.push(
    `no checker bundle at ${run.checkerDir}: the plan uses ${UNBUILT_CODE_KEY} as its code`,
  );
  return undefined;
}

/** Every AWS limit the rendered stacks must fit (lib/limits.ts), before any call. */
function withinLimits(run: Run, checker: Artifact | undefined) {
  const problems = limitProblems(run.env, run.render(run.env, { checkerCodeKey: checker?.key }));
  if (problems.length) {
    const file = sourceOf(run.env)?.file ?? 'natfleet.yml';
    throw new DeployError(new ConfigError(file, problems).message);
  }
}

/** The wanted stacks, each with a report row that says "not reached" until a phase gets to it. */
function renderWanted(run: Run, checker: Artifact | undefined): RenderedStack[] {
  const stacks = run
    .render(run.env, { checkerCodeKey: checker?.key })
    .filter((s) => isWanted(run, s.kind));
  run.report.stacks = stacks.map((s) => ({
    kind: s.kind,
    name: s.name,
    outcome: 'not reached',
    changes: [],
    outputs: {},
  }));
  return stacks;
}

/** Stacks a configuration may stop needing (every standby adopted): never deleted for you. */
const OPTIONAL_STACKS: StackKind[] = ['gateway'];

async function warnUnneeded(run: Run, rendered: RenderedStack[]) {
  const { env, report } = run;
  const unneeded = OPTIONAL_STACKS.filter(
    (k) => isWanted(run, k) && !rendered.some((s) => s.kind === k),
  );
  for (const kind of unneeded) {
    const name = stackName(env.name, kind);
    const status = await stackStatus(run.clients.cfn, name);
    if (status && status !== 'DELETE_COMPLETE') {
      report.warnings.push(
        `stack ${name} exists (${status}) but natfleet.yml no longer needs it; it is left ` +
          'alone. When no route uses its resources any more, delete it: "aws cloudformation ' +
          `delete-stack --stack-name ${name} --region ${env.region}".`,
      );
    }
  }
}

/** One stack's change set, its type recorded in the row; a failure marks the row failed. */
async function prepareStack(run: Run, stack: RenderedStack, row: StackReport): Promise<Prepared> {
  try {
    const prepared = await changeSetFor(run, stack);
    row.type = prepared.type;
    return prepared;
  } catch (e) {
    row.outcome = 'failed';
    throw e;
  }
}

async function changeSetFor(run: Run, stack: RenderedStack): Promise<Prepared> {
  const { env, clients, report } = run;
  const inputs = await resolveInputs(stack, env.name, clients, run.mode);
  if (inputs.pending.length > 0) {
    report.warnings.push(
      `${stack.name} is planned with stand-ins for ${inputs.pending.join(', ')}: ` +
        'the real ids are read when those stacks exist',
    );
  }
  run.log(`${stack.name}: creating change set`);
  const body = JSON.stringify(stack.template);
  let templateUrl: string | undefined;
  if (body.length > INLINE_TEMPLATE_LIMIT) {
    if (await plansFromTemplate(run, stack)) {
      report.warnings.push(
        `${stack.name} is planned from its template (${body.length} bytes, over the inline ` +
          `limit) because bucket ${run.bucket.name} does not exist yet: CloudFormation checks it ` +
          'when the artifacts stack is there',
      );
      return creation(stack, run.changeSetName);
    }
    templateUrl = await trustedTemplateUrl(clients.s3, run.bucket, run.mode, stack.name, body);
  }
  return prepare(
    clients.cfn,
    { ...stack, parameters: { ...stack.parameters, ...inputs.parameters } },
    {
      region: env.region,
      changeSetName: run.changeSetName,
      tags: [{ Key: TAG.environment, Value: env.name }],
      timing: run.timing,
      ...(templateUrl ? { templateUrl } : {}),
      ...(run.roleArn ? { roleArn: run.roleArn } : {}),
    },
  );
}

/** A new environment's first plan: no bucket to send a large template through yet. */
async function plansFromTemplate(run: Run, stack: RenderedStack): Promise<boolean> {
  if (run.mode !== 'plan' || (await bucketExists(run.clients.s3, run.bucket))) return false;
  const status = await stackStatus(run.clients.cfn, stack.name);
  return status === undefined || status === 'REVIEW_IN_PROGRESS';
}

async function planStacks(run: Run, stacks: RenderedStack[]) {
  const made: Prepared[] = [];
  try {
    for (const [i, stack] of stacks.entries()) {
      const row = run.report.stacks[i]!;
      const prepared = await prepareStack(run, stack, row);
      row.outputs = await stackOutputs(run.clients.cfn, stack.name);
      if (prepared.changes) {
        if (!prepared.fromTemplate) made.push(prepared);
        row.outcome = 'planned';
        row.changes = prepared.changes;
        run.log(`${stack.name}: ${prepared.changes.length} change(s) (${prepared.type})`);
      } else {
        row.outcome = 'no changes';
        run.log(`${stack.name}: no changes`);
      }
    }
  } finally {
    // A plan leaves nothing behind, even when one stack's change set failed.
    for (const p of made) await discard(run.clients.cfn, p.stack.name, p.changeSetName);
  }
}

/** Stack by stack; the first stack that does not end well ends the run with report.error. */
async function applyStacks(run: Run, stacks: RenderedStack[], checker: Artifact | undefined) {
  for (const [i, stack] of stacks.entries()) {
    if (stack.kind === 'checker' && checker) await uploadChecker(run, checker);
    const ok = await applyStack(run, stack, run.report.stacks[i]!);
    if (!ok) {
      run.report.error += changedBefore(run.report.stacks.slice(0, i));
      return;
    }
  }
}

/** A run that stops at stack N: what it changed before, and how to undo each. */
function changedBefore(rows: StackReport[]): string {
  const changed = rows.filter((r) => r.outcome === 'created' || r.outcome === 'updated');
  if (!changed.length) return '\nNothing else was changed by this run.';
  const lines = changed
    .reverse()
    .map((r) =>
      r.outcome === 'created'
        ? `  ${r.name}: created — to undo, "aws cloudformation delete-stack --stack-name ${r.name}" (Elastic IPs are retained: release them yourself)`
        : `  ${r.name}: updated — to undo, apply the previous natfleet.yml (git revert, then natfleet deploy --apply)`,
    );
  return `\nChanged before it by this run (newest first):\n${lines.join('\n')}`;
}

async function uploadChecker(run: Run, checker: Artifact) {
  const uploaded = await upload(run.clients.s3, run.bucket, checker);
  run.report.checker = { key: checker.key, uploaded };
  run.log(
    `checker code s3://${run.bucket.name}/${checker.key}: ${uploaded ? 'uploaded' : 'unchanged'}`,
  );
}

async function applyStack(run: Run, stack: RenderedStack, row: StackReport): Promise<boolean> {
  const cfn = run.clients.cfn;
  const prepared = await prepareStack(run, stack, row);
  if (!prepared.changes) {
    row.outcome = 'no changes';
    row.outputs = await stackOutputs(cfn, stack.name);
    run.log(`${stack.name}: no changes`);
    return true;
  }
  row.changes = prepared.changes;
  run.log(`${stack.name}: executing ${prepared.changes.length} change(s) (${prepared.type})`);
  const executed = await execute(cfn, prepared, run.timing, run.log);
  row.status = executed.status;
  row.outputs = await stackOutputs(cfn, stack.name);
  if (executed.ok) {
    row.outcome = prepared.type === 'CREATE' ? 'created' : 'updated';
    run.log(`${stack.name}: ${executed.status}`);
    return true;
  }
  row.outcome = 'failed';
  row.failures = executed.failures;
  run.report.error = failedStackError(stack.name, executed);
  return false;
}

function failedStackError(name: string, executed: Executed): string {
  const then =
    executed.status === 'ROLLBACK_COMPLETE'
      ? `it was rolled back and must be deleted before the next try ("aws cloudformation delete-stack --stack-name ${name}")`
      : executed.status === 'UPDATE_ROLLBACK_COMPLETE'
        ? 'it was rolled back to its previous state'
        : 'look at it in the CloudFormation console before the next try';
  const failures = executed.failures;
  return (
    `${name} ended ${executed.status}: ${then}. ` +
    (failures.length
      ? `Failed resources:\n${failures.map((f) => `  ${f.logicalId} (${f.type}) ${f.status}: ${f.reason}`).join('\n')}`
      : 'No resource reported a reason (see the stack events).')
  );
}

/** The clients deploy needs, for the environment's region (endpoints from the SDK settings). */
export function deployClients(region: string): DeployClients {
  const c = awsClients(region);
  return { cfn: c.cfn, s3: c.s3, ec2: c.ec2, sts: new STSClient({ region, maxAttempts: 5 }) };
}
