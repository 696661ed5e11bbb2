// The AWS limits a rendered environment must fit, in one table with where each comes from, and
// the check validate, plan and deploy run on the rendered stacks before any AWS call. moto and
// cfn-lint enforce none of these; AWS refuses the stack (or the execution) at the limit.
import type { Json, RenderedStack } from './cfn.js';
import { ConfigError, type Problem } from './config/problems.js';
import type { Environment } from './config/schema.js';
import { historyBound } from './history.js';

export interface AwsLimit {
  max: number;
  unit: string;
  source: string;
}

export const AWS_LIMITS = {
  rolePolicy: {
    max: 10_240,
    unit: 'characters of inline policy per role (whitespace not counted)',
    source: 'IAM User Guide, "IAM and AWS STS quotas": role policy size',
  },
  lambdaEnvironment: {
    max: 4_096,
    unit: 'bytes of environment variables per function (names and values)',
    source: 'Lambda Developer Guide, "Lambda quotas": function environment variables, 4 KB',
  },
  templateUrlBody: {
    max: 1_000_000,
    unit: 'bytes of template in S3',
    source:
      'CloudFormation User Guide, "CloudFormation quotas": template body size in an S3 object',
  },
  templateResources: {
    max: 500,
    unit: 'resources per template',
    source: 'CloudFormation User Guide, "CloudFormation quotas": resources',
  },
  templateParameters: {
    max: 200,
    unit: 'parameters per template',
    source: 'CloudFormation User Guide, "CloudFormation quotas": parameters',
  },
  templateOutputs: {
    max: 200,
    unit: 'outputs per template',
    source: 'CloudFormation User Guide, "CloudFormation quotas": outputs',
  },
  stateMachineDefinition: {
    max: 1_048_576,
    unit: 'bytes of state machine definition',
    source:
      'Step Functions Developer Guide, "Step Functions service quotas": definition size, 1 MB',
  },
  // Bounded from each definition (lib/history.ts); test/integration/largest-fleet-history.test.ts
  // checks the bound against what runs of the largest fleet record.
  executionHistory: {
    max: 25_000,
    unit: 'events in one execution’s history',
    source:
      'Step Functions Developer Guide, "Step Functions service quotas": execution history, 25,000 events',
  },
  rulesPerEventBus: {
    max: 300,
    unit: 'EventBridge rules on the default bus (every environment of the account and region)',
    source:
      'EventBridge User Guide, "Amazon EventBridge quotas": rules per event bus, 300 (adjustable)',
  },
  securityGroupRules: {
    max: 60,
    unit: 'inbound rules per security group',
    source: 'Amazon VPC User Guide, "Amazon VPC quotas": inbound rules per security group, 60',
  },
  metricsPerAlarm: {
    max: 10,
    unit: 'metrics in one alarm',
    source:
      'CloudWatch User Guide, "CloudWatch service quotas": metrics per alarm with metric math, 10',
  },
} as const satisfies Record<string, AwsLimit>;

export type LimitName = keyof typeof AWS_LIMITS;

// The longest value an intrinsic can stand for, so that an estimate never comes out short.
const PSEUDO_MAX: Record<string, number> = {
  'AWS::Partition': 'aws-us-gov'.length,
  'AWS::Region': 'ap-southeast-7'.length,
  'AWS::AccountId': 12,
};
/** A stack parameter or another resource's id or ARN substituted in: at most this long. */
const REF_MAX = 100;

/** The most characters a template value can become once CloudFormation resolves it. */
export function maxLength(v: Json): number {
  if (typeof v === 'string') return Buffer.byteLength(v);
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return JSON.stringify(v).length;
  if ('Fn::Sub' in v && typeof v['Fn::Sub'] === 'string') {
    return Buffer.byteLength(
      v['Fn::Sub'].replace(/\$\{([^}]+)\}/g, (_m, name: string) =>
        'x'.repeat(PSEUDO_MAX[name] ?? REF_MAX),
      ),
    );
  }
  return REF_MAX;
}

/** A value with every intrinsic replaced by a string of the longest it can resolve to. */
function resolvedAtMost(v: Json): Json {
  if (Array.isArray(v)) return v.map(resolvedAtMost);
  if (v === null || typeof v !== 'object') return v;
  const keys = Object.keys(v);
  if (keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::')))
    return 'x'.repeat(maxLength(v));
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolvedAtMost(x)]));
}

/** Characters of a policy document as IAM counts them: the JSON without whitespace. */
const policyLength = (doc: Json) => JSON.stringify(resolvedAtMost(doc)).replace(/\s+/g, '').length;

export interface Measure {
  limit: LimitName;
  stack: string;
  /** What was measured, in words (role FailoverRole, function FunctionEuWest1a, …). */
  what: string;
  value: number;
  /** Where in natfleet.yml the value grows from. */
  path: (string | number)[];
}

/** Every limited quantity of an environment's rendered stacks, measured. */
export function measure(env: Environment, stacks: RenderedStack[]): Measure[] {
  const base = ['environments', env.name];
  const out: Measure[] = [];
  let rules = 0;
  for (const s of stacks) {
    const t = s.template;
    const at = (limit: LimitName, what: string, value: number, path = base) =>
      out.push({ limit, stack: s.name, what, value, path });
    at('templateUrlBody', 'template', Buffer.byteLength(JSON.stringify(t)), [...base, 'zones']);
    at('templateResources', 'template', Object.keys(t.Resources).length, [...base, 'zones']);
    at('templateParameters', 'template', Object.keys(t.Parameters ?? {}).length, [
      ...base,
      'zones',
    ]);
    at('templateOutputs', 'template', Object.keys(t.Outputs ?? {}).length, [...base, 'zones']);
    for (const [id, r] of Object.entries(t.Resources)) {
      const p = (r.Properties ?? {}) as Record<string, Json>;
      if (r.Type === 'AWS::IAM::Role') {
        const docs = ((p.Policies as { PolicyDocument: Json }[] | undefined) ?? []).map(
          (x) => x.PolicyDocument,
        );
        at(
          'rolePolicy',
          `role ${id}`,
          docs.reduce<number>((n, d) => n + policyLength(d), 0),
          [...base, 'zones'],
        );
      }
      if (r.Type === 'AWS::Lambda::Function') {
        const vars = ((p.Environment as { Variables?: Record<string, Json> })?.Variables ??
          {}) as Record<string, Json>;
        const size = Object.entries(vars).reduce(
          (n, [k, v]) => n + Buffer.byteLength(k) + maxLength(v),
          0,
        );
        at('lambdaEnvironment', `function ${id}`, size, [...base, 'checker', 'urls']);
      }
      if (r.Type === 'AWS::StepFunctions::StateMachine') {
        const size = Buffer.byteLength(JSON.stringify(p.Definition ?? p.DefinitionString ?? ''));
        at('stateMachineDefinition', `state machine ${id}`, size, [...base, 'zones']);
        // Floating egress: the handoff's four command polls, each counted at its bound, put
        // ReplaceInstances over 25,000 events from 2 zones; not refused while the handoff is
        // experimental (ADR 0162, amended) — the bound is meant for what validate holds to.
        const handoffRoll =
          env.instance.egress === 'floating' && id === 'ReplaceInstancesStateMachine';
        if (p.Definition && typeof p.Definition === 'object' && !handoffRoll)
          at(
            'executionHistory',
            `state machine ${id} (its costliest run, lib/history.ts)`,
            historyBound(env, p.Definition, { name: id }),
            [...base, 'zones'],
          );
      }
      if (r.Type === 'AWS::Events::Rule' && !p.EventBusName) rules++;
      if (r.Type === 'AWS::EC2::SecurityGroup') {
        const n = ((p.SecurityGroupIngress as Json[] | undefined) ?? []).length;
        at('securityGroupRules', `security group ${id}`, n, [...base, 'vpcCidrs']);
      }
      if (r.Type === 'AWS::CloudWatch::Alarm') {
        const n = ((p.Metrics as Json[] | undefined) ?? []).length;
        at('metricsPerAlarm', `alarm ${id}`, n, [...base, 'zones']);
      }
    }
  }
  out.push({
    limit: 'rulesPerEventBus',
    stack: '(all stacks)',
    what: 'EventBridge rules of this environment',
    value: rules,
    path: [...base, 'zones'],
  });
  return out;
}

/** What exceeds a limit, as configuration problems (which field grows it, which limit, why). */
export function limitProblems(env: Environment, stacks: RenderedStack[]): Problem[] {
  return measure(env, stacks)
    .filter((m) => m.value > AWS_LIMITS[m.limit].max)
    .map((m) => {
      const l = AWS_LIMITS[m.limit];
      return {
        path: m.path,
        expected: `a fleet whose ${m.stack} ${m.what} fits AWS's limit of ${l.max.toLocaleString('en-US')} ${l.unit} (${l.source})`,
        found: `${m.value.toLocaleString('en-US')}`,
      };
    });
}

/** Throws a ConfigError naming each limit the rendered stacks exceed; nothing is called. */
export function checkLimits(file: string, env: Environment, stacks: RenderedStack[]): void {
  const problems = limitProblems(env, stacks);
  if (problems.length) throw new ConfigError(file, problems);
}
