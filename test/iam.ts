// A small IAM policy evaluator for the access tests: explicit Deny wins, then any Allow, else
// implicitly denied. Actions and resources match with * and ?, conditions with the operators
// natfleet's policies use. Template intrinsics are resolved for one account and region first.
import type { Json } from '../lib/cfn.js';

export interface Place {
  accountId: string;
  region: string;
  /** Logical id → what Ref / GetAtt …Arn stands for. */
  refs?: Record<string, string>;
}

/** Fn::Sub, Ref, GetAtt (…Arn) and Fn::Join resolved to plain strings. */
export function resolve(v: Json, p: Place): Json {
  if (Array.isArray(v)) return v.map((x) => resolve(x, p));
  if (v === null || typeof v !== 'object') return v;
  if ('Fn::Sub' in v) {
    return String(v['Fn::Sub']).replace(/\$\{([^}]+)\}/g, (_m, name: string) => {
      if (name === 'AWS::Partition') return 'aws';
      if (name === 'AWS::Region') return p.region;
      if (name === 'AWS::AccountId') return p.accountId;
      const ref = p.refs?.[name.replace(/\.Arn$/, '')];
      if (!ref) throw new Error(`unresolved \${${name}}`);
      return ref;
    });
  }
  if ('Ref' in v) {
    const r = p.refs?.[String(v.Ref)];
    if (!r) throw new Error(`unresolved Ref ${String(v.Ref)}`);
    return r;
  }
  if ('Fn::GetAtt' in v) {
    const [id] = v['Fn::GetAtt'] as string[];
    const r = p.refs?.[id!];
    if (!r) throw new Error(`unresolved GetAtt ${id}`);
    return r;
  }
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x, p)]));
}

const glob = (pattern: string, value: string, caseless = false) => {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    caseless ? 'i' : '',
  );
  return re.test(value);
};
const list = (v: Json | undefined): string[] =>
  v === undefined ? [] : (Array.isArray(v) ? v : [v]).map(String);

export type Context = Record<string, string | undefined>;

function conditionHolds(cond: Json | undefined, ctx: Context): boolean {
  if (!cond || typeof cond !== 'object' || Array.isArray(cond)) return true;
  return Object.entries(cond).every(([op, pairs]) =>
    Object.entries(pairs as Record<string, Json>).every(([key, want]) => {
      const ifExists = op.endsWith('IfExists');
      const base = op.replace(/IfExists$/, '');
      const got = ctx[key];
      // A missing key: IfExists holds, a negated operator holds, anything else fails.
      if (got === undefined) return ifExists || /Not/.test(base);
      const values = list(want);
      switch (base) {
        case 'StringEquals':
          return values.includes(got);
        case 'StringLike':
        case 'ArnEquals':
        case 'ArnLike':
          return values.some((w) => glob(w, got));
        case 'StringNotEquals':
          return !values.includes(got);
        case 'ArnNotEquals':
        case 'ArnNotLike':
        case 'StringNotLike':
          return !values.some((w) => glob(w, got));
        case 'Bool':
          return values.includes(got);
        default:
          throw new Error(`condition operator ${op} not modelled`);
      }
    }),
  );
}

interface Statement {
  Effect: 'Allow' | 'Deny';
  Action?: Json;
  NotAction?: Json;
  Resource?: Json;
  NotResource?: Json;
  Principal?: Json;
  Condition?: Json;
}

const statements = (doc: Json): Statement[] =>
  ((doc as { Statement: Json }).Statement as unknown as Statement[]) ?? [];

function applies(s: Statement, action: string, resource: string, ctx: Context): boolean {
  const actionHit = s.Action
    ? list(s.Action).some((a) => glob(a, action, true))
    : !list(s.NotAction).some((a) => glob(a, action, true));
  const resourceHit = s.Resource
    ? list(s.Resource).some((r) => glob(r, resource))
    : s.NotResource
      ? !list(s.NotResource).some((r) => glob(r, resource))
      : true;
  return actionHit && resourceHit && conditionHolds(s.Condition, ctx);
}

export type Decision = 'allowed' | 'explicitly denied' | 'implicitly denied';

/** The decision of one or more (resolved) policy documents for one request. */
export function decide(
  docs: Json[],
  action: string,
  resource: string,
  ctx: Context = {},
): Decision {
  const all = docs.flatMap(statements);
  if (all.some((s) => s.Effect === 'Deny' && applies(s, action, resource, ctx)))
    return 'explicitly denied';
  if (all.some((s) => s.Effect === 'Allow' && applies(s, action, resource, ctx))) return 'allowed';
  return 'implicitly denied';
}

/** Whether a trust policy lets a web identity with these claims (as condition keys) in. */
export function trusts(trust: Json, federated: string, claims: Context): boolean {
  return statements(trust).some(
    (s) =>
      s.Effect === 'Allow' &&
      list(s.Action).includes('sts:AssumeRoleWithWebIdentity') &&
      (s.Principal as { Federated?: string })?.Federated === federated &&
      conditionHolds(s.Condition, claims),
  );
}
