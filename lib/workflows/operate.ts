// Operating a workflow, shared by the CLI verbs and the workflow action: check the input, note
// the routes before, start the execution under a meaningful name, follow it, note the routes
// after, and summarise per zone: before, after, why.
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { Environment } from '../config/schema.js';
import { observeRouteTables } from '../aws/fleet.js';
import { executionName, stateMachineArn, type WorkflowName } from '../names.js';
import { routeTarget, type ObservedTable } from '../routes.js';
import { markdownTable, textTable } from '../table.js';
import type { ExecutionEvent, ExecutionResult, Starter } from './follow.js';
import { zoneReasons } from './report.js';
import { REASON_MAX_LENGTH } from '../defaults.js';

export const VERBS = {
  failover: 'Failover',
  fallback: 'Fallback',
  replace: 'ReplaceInstances',
  maintenance: 'Maintenance',
} as const satisfies Record<string, WorkflowName>;
export type WorkflowVerb = keyof typeof VERBS;

export class WorkflowInputError extends Error {}

export interface OperateRequest {
  env: Environment;
  verb: string;
  /** Absent: every zone. */
  zones?: string[];
  reason: string;
  /** Where the run comes from, part of the execution name: cli, gha-<run id>, … */
  origin: string;
  /** Failover only: hold the zones on their gateways, by this operator (ADR 0111). */
  holdBy?: string;
}

export interface OperateDeps {
  ec2: EC2Client;
  starter: Starter;
  log: (line: string) => void;
  /** Where the state machines are (default: the environment's, by name). */
  arnOf?: (wf: WorkflowName) => string;
  heartbeatMs?: number;
  now?: () => Date;
}

export interface ZoneRow {
  zone: string;
  routeTableId: string;
  before: string;
  after: string;
  why: string;
}

export interface Operated {
  workflow: WorkflowName;
  executionName: string;
  executionArn: string;
  result: ExecutionResult;
  rows: ZoneRow[];
}

/** Checks the request; throws WorkflowInputError naming the field and what was expected. */
export function checkRequest(r: OperateRequest): {
  workflow: WorkflowName;
  input: { zones?: string[]; reason: string; hold?: { by: string } };
} {
  if (!(r.verb in VERBS)) {
    throw new WorkflowInputError(
      `workflow: expected one of ${Object.keys(VERBS).join(' | ')}, got "${r.verb}"`,
    );
  }
  const reason = r.reason.trim();
  if (!reason)
    throw new WorkflowInputError(
      'reason: expected a few words on why (it is recorded with the run)',
    );
  // One line of bounded length: it goes into the execution's input, the record and a title.
  // eslint-disable-next-line no-control-regex
  if (reason.length > REASON_MAX_LENGTH || /[\u0000-\u001f\u007f\u2028\u2029]/.test(reason)) {
    throw new WorkflowInputError(
      `reason: expected one line of at most ${REASON_MAX_LENGTH} characters, got ` +
        `${reason.length} character(s)${/[\r\n]/.test(reason) ? ' over several lines' : ''}`,
    );
  }
  const known = r.env.zones.map((z) => z.availabilityZone);
  if (r.zones) {
    if (r.zones.length === 0)
      throw new WorkflowInputError(`zones: expected at least one of ${known.join(', ')}`);
    const unknown = r.zones.filter((z) => !known.includes(z));
    if (unknown.length) {
      throw new WorkflowInputError(
        `zones: ${unknown.join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not a zone of ${r.env.name}; expected some of ${known.join(', ')}`,
      );
    }
  }
  if (r.holdBy !== undefined && r.verb !== 'failover')
    throw new WorkflowInputError(`hold: only a failover holds zones, not ${r.verb}`);
  if (r.holdBy !== undefined && !r.holdBy.trim())
    throw new WorkflowInputError('hold: expected who holds the zones');
  return {
    workflow: VERBS[r.verb as WorkflowVerb],
    input: {
      ...(r.zones ? { zones: r.zones } : {}),
      reason,
      ...(r.holdBy ? { hold: { by: r.holdBy.trim() } } : {}),
    },
  };
}

/** "a, b" or "a,b" → ['a', 'b']; empty → undefined (every zone). */
export function parseZones(text: string | undefined): string[] | undefined {
  const list = (text ?? '')
    .split(',')
    .map((z) => z.trim())
    .filter(Boolean);
  return list.length ? list : undefined;
}

/**
 * --zones as the CLI takes it: given means listed. An empty value (an unset shell variable) is
 * refused rather than read as "every zone"; leaving the option out means every zone.
 */
export function requiredZones(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const list = parseZones(text);
  if (!list) {
    throw new WorkflowInputError(
      `zones: expected zone names separated by commas, got "${text}" (leave --zones out for every zone)`,
    );
  }
  return list;
}

const clock = (d: Date) => d.toISOString().slice(11, 23);

export function summaryRows(
  env: Environment,
  before: ObservedTable[],
  after: ObservedTable[],
  result: ExecutionResult,
  chosen?: string[],
): ZoneRow[] {
  const why = zoneReasons(result);
  const at = (list: ObservedTable[], id: string) => {
    const t = list.find((x) => x.routeTableId === id);
    return t ? routeTarget(t.defaultRoute) : 'table not found';
  };
  return env.zones.flatMap((z) =>
    z.routeTables.map((t) => ({
      zone: z.availabilityZone,
      routeTableId: t,
      before: at(before, t),
      after: at(after, t),
      why:
        why[z.availabilityZone] ??
        (chosen && !chosen.includes(z.availabilityZone)
          ? 'not chosen'
          : result.status === 'SUCCEEDED'
            ? ''
            : 'not reached'),
    })),
  );
}

const HEADER = ['zone', 'route table', 'before', 'after', 'why'];
const cells = (r: ZoneRow) => [r.zone, r.routeTableId, r.before, r.after, r.why];
export const rowsAsText = (rows: ZoneRow[]) => textTable(HEADER, rows.map(cells));
export const rowsAsMarkdown = (rows: ZoneRow[]) => markdownTable(HEADER, rows.map(cells));

export async function operate(r: OperateRequest, deps: OperateDeps): Promise<Operated> {
  const { workflow, input } = checkRequest(r);
  const now = deps.now ?? (() => new Date());
  const tables = r.env.zones.flatMap((z) => z.routeTables);
  const before = await observeRouteTables(deps.ec2, tables);
  const name = executionName(workflow, r.origin, now());
  const arn =
    deps.arnOf?.(workflow) ?? stateMachineArn(r.env.region, r.env.accountId, r.env.name, workflow);
  const entered = new Map<string, number>();
  let last = Date.now();
  let current = 'start';
  const onEvent = (e: ExecutionEvent) => {
    last = Date.now();
    if (e.kind === 'entered') {
      current = e.state;
      entered.set(e.state, e.time.getTime());
      deps.log(`${clock(e.time)}  → ${e.state}`);
    } else if (e.kind === 'exited') {
      const since = entered.get(e.state);
      deps.log(
        `${clock(e.time)}  ← ${e.state}${since !== undefined ? ` (${e.time.getTime() - since} ms)` : ''}`,
      );
    } else {
      deps.log(`${clock(e.time)}  ! ${e.state} ${e.kind}${e.detail ? `: ${e.detail}` : ''}`);
    }
  };
  deps.log(
    `starting ${workflow} as ${name} (${input.zones ? input.zones.join(', ') : 'all zones'}; reason: ${input.reason})`,
  );
  const started = await deps.starter.start(arn, input, name, onEvent);
  const beat = deps.heartbeatMs ?? 30_000;
  const t0 = Date.now();
  const heartbeat = setInterval(() => {
    if (Date.now() - last >= beat) {
      deps.log(
        `${clock(now())}  … still running, in ${current} (${Math.round((Date.now() - t0) / 1000)} s so far)`,
      );
    }
  }, beat);
  let result: ExecutionResult;
  try {
    result = await started.result;
  } finally {
    clearInterval(heartbeat);
  }
  const after = await observeRouteTables(deps.ec2, tables);
  deps.log(`${workflow} ${result.status}${result.error ? `: ${result.error}` : ''}`);
  return {
    workflow,
    executionName: name,
    executionArn: started.executionArn,
    result,
    rows: summaryRows(r.env, before, after, result, input.zones),
  };
}
