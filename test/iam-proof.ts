// The IAM proof: every recorded call (test/calls.ts), turned into what AWS authorises
// (test/iam-requests.ts), evaluated against the role's rendered policies with a real IAM policy
// evaluator. Two lists come out: denied requests (the role cannot do its job) and grants — one
// action on one resource entry of one statement — that no request uses (more than it needs).
// @cloud-copilot/iam-simulate is AGPL-3.0: imported here, in tests only, never by shipped code.
import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { Json, RenderedStack } from '../lib/cfn.js';
import type { Environment } from '../lib/config/schema.js';
import { renderStacks } from '../cloudformation/index.js';
import { resolve } from './iam.js';
import type { Call, Setting } from './calls.js';
import { requestsOf, type Request } from './iam-requests.js';

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface RolePolicy {
  /** `<stack>/<logical id>` */
  role: string;
  arn: string;
  statements: Statement[];
  /** Characters of the role's inline policies as IAM counts them (whitespace excluded). */
  size: number;
  /** The VPC endpoints the role's calls of a service go through, with their policies. */
  endpoints: EndpointPolicy[];
}

export interface EndpointPolicy {
  /** `<stack>/<logical id>` */
  name: string;
  /** The IAM service prefix of the calls it carries (states). */
  service: string;
  statements: Statement[];
}

/**
 * Which roles call through which endpoint of the stacks. The checker's Step Functions endpoint
 * has private DNS off: only the checker, which names it, goes through it (cloudformation/checker.ts).
 */
export const ENDPOINT_CALLERS: Record<string, string[]> = {
  'checker/StatesEndpoint': ['checker/Role'],
};

const asList = <T>(v: T | T[] | undefined): T[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];

/** Each role's inline policies, intrinsics resolved for the setting's account, region and ids. */
export function rolePolicies(stacks: RenderedStack[], setting: Setting): RolePolicy[] {
  const { env } = setting;
  const out: RolePolicy[] = [];
  for (const s of stacks) {
    const refs: Record<string, string> = {};
    for (const [id, r] of Object.entries(s.template.Resources)) {
      const name = (r.Properties as { RoleName?: string } | undefined)?.RoleName;
      if (r.Type === 'AWS::IAM::Role')
        refs[id] = `arn:aws:iam::${env.accountId}:role/${name ?? `${s.name}-${id}`}`;
    }
    for (const p of Object.keys(s.template.Parameters ?? {})) {
      refs[p] = setting.refs[p] ?? s.parameters[p] ?? `${p}-unset`;
    }
    Object.assign(refs, setting.refs);
    const place = { accountId: env.accountId, region: env.region, refs };
    const endpoints: (EndpointPolicy & { callers: string[] })[] = [];
    for (const [id, r] of Object.entries(s.template.Resources)) {
      const p = r.Properties as { PolicyDocument?: Json; ServiceName?: Json } | undefined;
      if (r.Type !== 'AWS::EC2::VPCEndpoint' || !p?.PolicyDocument) continue;
      const name = `${s.kind}/${id}`;
      endpoints.push({
        name,
        service: String(resolve(p.ServiceName!, place)).split('.').pop()!,
        statements: (resolve(p.PolicyDocument, place) as unknown as { Statement: Statement[] })
          .Statement,
        callers: ENDPOINT_CALLERS[name] ?? [],
      });
    }
    for (const [id, r] of Object.entries(s.template.Resources)) {
      if (r.Type !== 'AWS::IAM::Role') continue;
      const policies = ((r.Properties as { Policies?: { PolicyDocument: Json }[] }).Policies ??
        []) as { PolicyDocument: Json }[];
      const docs = policies.map((p) => p.PolicyDocument);
      const statements = docs.flatMap(
        (d) => (resolve(d, place) as unknown as { Statement: Statement[] }).Statement,
      );
      out.push({
        role: `${s.kind}/${id}`,
        arn: refs[id]!,
        statements,
        size: docs.reduce<number>((n, d) => n + JSON.stringify(d).replace(/\s/g, '').length, 0),
        endpoints: endpoints
          .filter((x) => x.callers.includes(`${s.kind}/${id}`))
          .map(({ callers: _, ...x }) => x),
      });
    }
  }
  return out;
}

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

/**
 * The evaluator knows SSM documents only with an account, while AWS's own (AWS-RunShellScript)
 * have none: the same stand-in on both sides keeps the match exact.
 */
const NO_ACCOUNT = 'no-account';
const withAccount = (arn: string) =>
  arn.replace(/^(arn:[^:]+:ssm:[^:]+)::document\//, `$1:${NO_ACCOUNT}:document/`);

const doc = (statements: Statement[]) => ({
  Version: '2012-10-17',
  Statement: statements.map((s) => ({ ...s, Resource: asList(s.Resource).map(withAccount) })),
});

/** The decision for one request: the identity policy's and, for a call through VPC endpoints,
 * theirs too (both must allow). */
async function decide(
  statements: Statement[],
  arn: string,
  r: Request,
  endpoints: EndpointPolicy[] = [],
): Promise<Decision> {
  const resource = withAccount(r.resource);
  const through = endpoints.filter((e) => r.action.startsWith(`${e.service}:`));
  const result = await runSimulation(
    {
      identityPolicies: [{ name: 'inline', policy: doc(statements) }],
      ...(through.length
        ? { vpcEndpointPolicies: through.map((e) => ({ name: e.name, policy: doc(e.statements) })) }
        : {}),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      request: {
        principal: arn,
        action: r.action,
        resource: { resource, accountId: arn.split(':')[4]! },
        // AWS fills in the caller's own keys on every request.
        contextVariables: {
          'aws:PrincipalArn': arn,
          'aws:PrincipalAccount': arn.split(':')[4]!,
          ...r.context,
        },
      },
    } as never,
    {},
  );
  if (result.resultType === 'error')
    throw new Error(`${r.action} on ${r.resource}: ${JSON.stringify(result.errors)}`);
  return result.overallResult as Decision;
}

/** A request the suites cannot make (AWS's own services make it), with the reason. */
export interface ExplicitCase {
  role: string;
  why: string;
  requests: (setting: Setting) => Request[];
}

export interface Denied {
  role: string;
  call: string;
  request: Request;
  decision: Decision;
}
export interface Unused {
  role: string;
  statement: string;
  action: string;
  resource: string;
}

export interface Proof {
  denied: Denied[];
  unused: Unused[];
  /** Requests evaluated per role (distinct), and the roles no call or case touched. */
  evaluated: Record<string, number>;
  untouched: string[];
}

/** An identity policy that allows everything: an endpoint policy judged alone. */
const ANY: Statement[] = [{ Effect: 'Allow', Action: '*', Resource: '*' }];

const statementName = (s: Statement, i: number) => s.Sid ?? `#${i + 1}`;
/** A resource with its ids blanked: the same grant in every setting. */
const idsOut = (resource: string) => resource.replace(/-[0-9a-f]{8,17}\b/g, '-…');

/** Proves every setting's roles against the calls made in it and the explicit cases. */
export async function prove(
  calls: Call[],
  settings: Map<string, Setting>,
  cases: ExplicitCase[],
  render: (env: Environment) => RenderedStack[] = (env) => renderStacks(env),
): Promise<Proof> {
  const denied: Denied[] = [];
  // A grant (role, statement, action, resource entry) is unused when no setting uses it: the
  // resource text differs per setting, its place in the policy does not.
  const grants = new Map<string, Unused>();
  const used = new Set<string>();
  const evaluated: Record<string, number> = {};
  const touched = new Set<string>();
  const allRoles = new Set<string>();
  for (const [key, setting] of settings) {
    const roles = rolePolicies(render(setting.env), setting).filter(
      (r) => !setting.roles || setting.roles.some((p) => r.role.startsWith(p)),
    );
    const byRole = new Map(roles.map((r) => [r.role, r]));
    const requests = new Map<string, Map<string, { call: string; r: Request }>>();
    const add = (role: string, call: string, r: Request) => {
      if (!requests.has(role)) requests.set(role, new Map());
      requests.get(role)!.set(JSON.stringify(r), { call, r });
    };
    for (const c of calls.filter((c) => c.setting === key)) {
      for (const r of requestsOf(c, setting)) add(c.role, `${c.service}:${c.operation}`, r);
    }
    for (const x of cases) {
      if (byRole.has(x.role)) for (const r of x.requests(setting)) add(x.role, `case: ${x.why}`, r);
    }
    for (const role of roles) {
      allRoles.add(role.role);
      const reqs = [...(requests.get(role.role)?.values() ?? [])];
      if (reqs.length) touched.add(role.role);
      evaluated[role.role] = Math.max(evaluated[role.role] ?? 0, reqs.length);
      const allowed: Request[] = [];
      for (const { call, r } of reqs) {
        const d = await decide(role.statements, role.arn, r, role.endpoints);
        if (d === 'Allowed') allowed.push(r);
        else denied.push({ role: role.role, call, request: r, decision: d });
      }
      for (const [i, s] of role.statements.entries()) {
        if (s.Effect !== 'Allow') continue;
        for (const action of asList(s.Action)) {
          for (const resource of asList(s.Resource)) {
            const k = JSON.stringify([role.role, statementName(s, i), action, idsOut(resource)]);
            if (!grants.has(k))
              grants.set(k, { role: role.role, statement: statementName(s, i), action, resource });
            if (used.has(k)) continue;
            const grant = { ...s, Action: [action], Resource: [resource] };
            for (const r of allowed) {
              if ((await decide([grant], role.arn, r)) === 'Allowed') {
                used.add(k);
                break;
              }
            }
          }
        }
      }
      // An endpoint's statement is used when a call through it needs it: the call allowed with
      // that statement alone as the endpoint's policy (and any identity policy).
      for (const e of role.endpoints) {
        const through = allowed.filter((r) => r.action.startsWith(`${e.service}:`));
        for (const [i, s] of e.statements.entries()) {
          if (s.Effect !== 'Allow') continue;
          for (const action of asList(s.Action)) {
            for (const resource of asList(s.Resource)) {
              const statement = statementName(s, i);
              const k = JSON.stringify([e.name, statement, action, idsOut(resource)]);
              if (!grants.has(k)) grants.set(k, { role: e.name, statement, action, resource });
              if (used.has(k)) continue;
              const only = { ...e, statements: [{ ...s, Action: [action], Resource: [resource] }] };
              for (const r of through) {
                if ((await decide(ANY, role.arn, r, [only])) === 'Allowed') {
                  used.add(k);
                  break;
                }
              }
            }
          }
        }
      }
    }
  }
  return {
    denied,
    unused: [...grants].filter(([k]) => !used.has(k)).map(([, u]) => u),
    evaluated,
    untouched: [...allRoles].filter((r) => !touched.has(r)).sort(),
  };
}

/** One line per problem, for a failing test's message. */
export function describeProof(p: Proof): string {
  const lines = [
    ...p.denied.map(
      (d) =>
        `DENIED ${d.role}: ${d.request.action} on ${d.request.resource} (${d.call}) ${JSON.stringify(d.request.context)}`,
    ),
    ...p.unused.map(
      (u) => `UNUSED ${u.role} statement ${u.statement}: ${u.action} on ${u.resource}`,
    ),
  ];
  return lines.join('\n');
}
