// The access stack, the artifacts bucket policy and the Step Functions endpoint policy against
// the threat table of docs/security.md: each role's trust is tried with the claims each actor's
// run carries, each policy with the requests each actor would make.
import { describe, expect, it } from '@jest/globals';
import {
  accessStack,
  GITHUB_AUDIENCE,
  STACK_MANAGED_POLICIES,
} from '../../cloudformation/access.js';
import { artifactsStack } from '../../cloudformation/artifacts.js';
import { checkerStack } from '../../cloudformation/checker.js';
import type { Json } from '../../lib/cfn.js';
import type { Environment } from '../../lib/config/schema.js';
import { renderStacks } from '../../cloudformation/index.js';
import { accessRoleArn, artifactsBucket, stateMachineArn } from '../../lib/names.js';
import { decide, resolve, trusts, type Context } from '../iam.js';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exampleEnv, ROOT } from '../helpers.js';
import { CFN_HANDLER_CASES, everyPart, handlerRequests, HANDLERS } from '../cfn-handlers.js';
import { recordedCalls, recordSetting } from '../calls.js';
import { describeProof, prove } from '../iam-proof.js';
import { parseConfig } from '../../lib/config/load.js';
import { largestConfig, LONGEST_NAME } from '../largest.js';

const prod = exampleEnv('prod');
const ACCOUNT = prod.accountId;
const REGION = prod.region;
const place = { accountId: ACCOUNT, region: REGION };
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
const BUCKET = artifactsBucket('prod', ACCOUNT, REGION);
const obj = (key: string) => `arn:aws:s3:::${BUCKET}/${key}`;
const stackArn = (name: string) =>
  `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${name}/0f6e1b40-0000-0000-0000-000000000000`;
const role = (r: Parameters<typeof accessRoleArn>[2], env = 'prod') =>
  accessRoleArn(ACCOUNT, env, r);

const template = accessStack(prod)!.template;
const props = (id: string) =>
  resolve(template.Resources[id]!.Properties! as Json, place) as Record<string, Json>;
const policyOf = (id: string) => [
  (props(id).Policies as { PolicyDocument: Json }[])[0]!.PolicyDocument,
];
const trustOf = (id: string) => props(id).AssumeRolePolicyDocument!;

/** The claims (as AWS condition keys) of a GitHub run of acme/network-fleet. */
function run(o: {
  event: 'pull_request' | 'push' | 'schedule' | 'workflow_dispatch';
  ref: string;
  environment?: string;
  workflowRepo?: string;
  aud?: string;
}): Context {
  const repo = 'acme/network-fleet';
  const subject =
    o.environment !== undefined
      ? `repo:${repo}:environment:${o.environment}`
      : o.event === 'pull_request'
        ? `repo:${repo}:pull_request`
        : `repo:${repo}:ref:${o.ref}`;
  const k = (c: string) => `token.actions.githubusercontent.com:${c}`;
  return {
    [k('aud')]: o.aud ?? GITHUB_AUDIENCE,
    [k('sub')]: subject,
    [k('ref')]: o.ref,
    [k('job_workflow_ref')]: `${o.workflowRepo ?? repo}/.github/workflows/x.yml@${o.ref}`,
    ...(o.environment ? { [k('environment')]: o.environment } : {}),
  };
}

const MAIN = 'refs/heads/main';
const pullRequest = run({ event: 'pull_request', ref: 'refs/pull/7/merge' });
const mainProd = run({ event: 'push', ref: MAIN, environment: 'prod' });
const drift = run({ event: 'schedule', ref: MAIN });

describe('who may assume which role (trust)', () => {
  const ROLES = ['PlanRole', 'DeployRole', 'OperateRole'] as const;
  const assumable = (claims: Context) =>
    ROLES.filter((id) => trusts(trustOf(id), PROVIDER, claims));

  it('PR author: a pull_request run gets the plan role only', () => {
    expect(assumable(pullRequest)).toEqual(['PlanRole']);
  });

  it('default branch, environment prod: deploy and operate; the drift check on main: plan', () => {
    expect(assumable(mainProd)).toEqual(['DeployRole', 'OperateRole']);
    expect(assumable(drift)).toEqual(['PlanRole']);
  });

  it('maintainer with a branch: environment prod from another branch gets nothing', () => {
    for (const ref of [
      'refs/heads/feature',
      'refs/heads/main-2',
      'refs/tags/v1',
      'refs/pull/7/merge',
    ]) {
      expect(assumable(run({ event: 'workflow_dispatch', ref, environment: 'prod' }))).toEqual([]);
      expect(assumable(run({ event: 'push', ref }))).toEqual([]);
    }
  });

  it('another environment, another repository, a foreign reusable workflow, another audience: nothing', () => {
    expect(assumable(run({ event: 'push', ref: MAIN, environment: 'staging' }))).toEqual([]);
    expect(
      assumable({
        ...mainProd,
        'token.actions.githubusercontent.com:sub': 'repo:evil/network-fleet:environment:prod',
      }),
    ).toEqual([]);
    expect(
      assumable(run({ event: 'push', ref: MAIN, environment: 'prod', workflowRepo: 'evil/wf' })),
    ).toEqual([]);
    expect(
      assumable(
        run({ event: 'push', ref: MAIN, environment: 'prod', aud: 'https://github.com/acme' }),
      ),
    ).toEqual([]);
    expect(
      assumable({ ...pullRequest, 'token.actions.githubusercontent.com:aud': 'sigstore' }),
    ).toEqual([]);
  });

  it('only GitHub through the provider; the service role only by CloudFormation', () => {
    for (const id of ROLES)
      expect(
        trusts(
          trustOf(id),
          'arn:aws:iam::999999999999:oidc-provider/token.actions.githubusercontent.com',
          mainProd,
        ),
      ).toBe(false);
    expect(trustOf('CloudFormationRole')).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'cloudformation.amazonaws.com' },
          Action: 'sts:AssumeRole',
        },
      ],
    });
  });

  it('conditions on what AWS STS checks: aud, sub, ref, job_workflow_ref', () => {
    const keys = JSON.stringify(trustOf('DeployRole')).match(
      /token\.actions\.githubusercontent\.com:[a-z_]+/g,
    );
    expect([...new Set(keys)].sort()).toEqual(
      ['aud', 'job_workflow_ref', 'ref', 'sub'].map(
        (c) => `token.actions.githubusercontent.com:${c}`,
      ),
    );
  });

  it('adopts an existing provider instead of making one', () => {
    const staging = accessStack(exampleEnv('staging'))!.template;
    expect(staging.Resources.GitHubOidcProvider).toBeUndefined();
    const federated = JSON.stringify(
      staging.Resources.DeployRole!.Properties!.AssumeRolePolicyDocument,
    );
    expect(federated).toContain(
      'arn:aws:iam::210987654321:oidc-provider/token.actions.githubusercontent.com',
    );
    expect(template.Resources.GitHubOidcProvider!.Properties).toMatchObject({
      Url: 'https://token.actions.githubusercontent.com',
      ClientIdList: ['sts.amazonaws.com'],
    });
    expect(template.Resources.DeployRole!.DependsOn).toBe('GitHubOidcProvider');
  });

  it('is not rendered without a github section, and never deployed unless named', () => {
    const rest = { ...prod, github: undefined };
    expect(accessStack(rest as Environment)).toBeUndefined();
    expect(renderStacks(rest as Environment).map((s) => s.kind)).not.toContain('access');
  });
});

describe('what each role may do (policies)', () => {
  const bucketPolicy = [
    resolve(artifactsStack(prod).template.Resources.BucketPolicy!.Properties!.PolicyDocument!, {
      ...place,
      refs: { Bucket: `arn:aws:s3:::${BUCKET}` },
    }),
  ];
  /** Identity policy and bucket policy together, as S3 decides within one account. */
  const s3 = (id: string, principal: string, action: string, key: string) => {
    const ctx = { 'aws:PrincipalArn': principal, 'aws:SecureTransport': 'true' };
    const inBucket = decide(bucketPolicy, action, obj(key), ctx);
    if (inBucket === 'explicitly denied') return inBucket;
    return decide(policyOf(id), action, obj(key), ctx);
  };

  it('plan role: writes the plan prefix, never what apply executes', () => {
    const plan = role('plan');
    expect(
      s3('PlanRole', plan, 's3:PutObject', 'plan/templates/natfleet-prod-workflows/ab.json'),
    ).toBe('allowed');
    for (const key of ['apply/templates/natfleet-prod-workflows/ab.json', 'checker/ab.zip']) {
      expect(s3('PlanRole', plan, 's3:PutObject', key)).toBe('explicitly denied');
      expect(s3('PlanRole', plan, 's3:DeleteObjectVersion', key)).toBe('explicitly denied');
    }
  });

  it('deploy role: writes apply prefix and checker code, never reads plan objects', () => {
    const deploy = role('deploy');
    expect(s3('DeployRole', deploy, 's3:PutObject', 'apply/templates/x/ab.json')).toBe('allowed');
    expect(s3('DeployRole', deploy, 's3:GetObjectVersion', 'apply/templates/x/ab.json')).toBe(
      'allowed',
    );
    expect(s3('DeployRole', deploy, 's3:PutObject', 'checker/ab.zip')).toBe('allowed');
    expect(s3('DeployRole', deploy, 's3:GetObject', 'plan/templates/x/ab.json')).toBe(
      'implicitly denied',
    );
  });

  it('AWS operator: any other principal of the account is denied writes to the apply prefixes', () => {
    const ctx = { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/Admin` };
    for (const key of ['apply/templates/x/ab.json', 'checker/ab.zip'])
      expect(decide(bucketPolicy, 's3:PutObject', obj(key), ctx)).toBe('explicitly denied');
    expect(decide(bucketPolicy, 's3:PutObject', obj('plan/templates/x.json'), ctx)).toBe(
      'implicitly denied',
    );
  });

  it('plan role: change sets named natfleet-plan-* only, never executed', () => {
    const p = policyOf('PlanRole');
    const stack = stackArn('natfleet-prod-workflows');
    const named = (n: string) => ({ 'cloudformation:ChangeSetName': n });
    expect(decide(p, 'cloudformation:CreateChangeSet', stack, named('natfleet-plan-1'))).toBe(
      'allowed',
    );
    expect(decide(p, 'cloudformation:DeleteChangeSet', stack, named('natfleet-apply-1'))).toBe(
      'implicitly denied',
    );
    expect(decide(p, 'cloudformation:CreateChangeSet', stack, named('natfleet-apply-1'))).toBe(
      'implicitly denied',
    );
    expect(decide(p, 'cloudformation:ExecuteChangeSet', stack, named('natfleet-plan-1'))).toBe(
      'implicitly denied',
    );
    expect(decide(p, 'iam:PassRole', role('cloudformation'))).toBe('implicitly denied');
    expect(
      decide(p, 'states:StartExecution', stateMachineArn(REGION, ACCOUNT, 'prod', 'Failover')),
    ).toBe('implicitly denied');
  });

  it('deploy role: apply change sets as the service role, from the apply prefix or inline', () => {
    const p = policyOf('DeployRole');
    const stack = stackArn('natfleet-prod-workflows');
    const cs = {
      'cloudformation:ChangeSetName': 'natfleet-apply-1',
      'cloudformation:RoleArn': role('cloudformation'),
    };
    const url = `https://${BUCKET}.s3.${REGION}.amazonaws.com/`;
    expect(decide(p, 'cloudformation:CreateChangeSet', stack, cs)).toBe('allowed');
    expect(
      decide(p, 'cloudformation:CreateChangeSet', stack, {
        ...cs,
        'cloudformation:TemplateUrl': `${url}apply/templates/x.json`,
      }),
    ).toBe('allowed');
    expect(
      decide(p, 'cloudformation:CreateChangeSet', stack, {
        ...cs,
        'cloudformation:TemplateUrl': `${url}plan/templates/x.json`,
      }),
    ).toBe('implicitly denied');
    expect(
      decide(p, 'cloudformation:CreateChangeSet', stack, {
        ...cs,
        'cloudformation:RoleArn': `arn:aws:iam::${ACCOUNT}:role/Admin`,
      }),
    ).toBe('implicitly denied');
    expect(decide(p, 'cloudformation:ExecuteChangeSet', stack, cs)).toBe('allowed');
    expect(
      decide(p, 'cloudformation:ExecuteChangeSet', stack, {
        ...cs,
        'cloudformation:ChangeSetName': 'natfleet-plan-1',
      }),
    ).toBe('implicitly denied');
    expect(
      decide(p, 'cloudformation:CreateChangeSet', stackArn('natfleet-staging-fleet'), cs),
    ).toBe('implicitly denied');
  });

  it('deploy role: passes exactly the one service role, to CloudFormation only', () => {
    const p = policyOf('DeployRole');
    const to = (svc: string) => ({ 'iam:PassedToService': svc });
    expect(
      decide(p, 'iam:PassRole', role('cloudformation'), to('cloudformation.amazonaws.com')),
    ).toBe('allowed');
    expect(decide(p, 'iam:PassRole', role('cloudformation'), to('lambda.amazonaws.com'))).toBe(
      'implicitly denied',
    );
    for (const other of [
      role('deploy'),
      role('cloudformation', 'staging'),
      `arn:aws:iam::${ACCOUNT}:role/Admin`,
    ])
      expect(decide(p, 'iam:PassRole', other, to('cloudformation.amazonaws.com'))).toBe(
        'implicitly denied',
      );
    for (const a of [
      'iam:CreateRole',
      'iam:AttachRolePolicy',
      'iam:PutRolePolicy',
      's3:PutBucketPolicy',
    ])
      expect(decide(p, a, role('deploy'))).toBe('implicitly denied');
  });

  it('environment reviewer: an approved deploy cannot change the access stack', () => {
    const p = policyOf('DeployRole');
    const cs = {
      'cloudformation:ChangeSetName': 'natfleet-apply-1',
      'cloudformation:RoleArn': role('cloudformation'),
    };
    for (const a of ['CreateChangeSet', 'ExecuteChangeSet', 'DeleteStack', 'UpdateStack'])
      expect(decide(p, `cloudformation:${a}`, stackArn('natfleet-prod-access'), cs)).toBe(
        'explicitly denied',
      );
  });

  it('service role: the stacks’ own roles, never the access roles, never AdministratorAccess', () => {
    const p = policyOf('CloudFormationRole');
    const own = `arn:aws:iam::${ACCOUNT}:role/natfleet-prod-workflows-FailoverRole-ABC`;
    expect(decide(p, 'iam:CreateRole', own)).toBe('allowed');
    expect(decide(p, 'iam:PutRolePolicy', own)).toBe('allowed');
    for (const m of STACK_MANAGED_POLICIES)
      expect(
        decide(p, 'iam:AttachRolePolicy', own, { 'iam:PolicyARN': `arn:aws:iam::aws:policy/${m}` }),
      ).toBe('allowed');
    expect(
      decide(p, 'iam:AttachRolePolicy', own, {
        'iam:PolicyARN': 'arn:aws:iam::aws:policy/AdministratorAccess',
      }),
    ).toBe('implicitly denied');
    for (const r of ['plan', 'deploy', 'operate', 'cloudformation'] as const) {
      for (const a of [
        'iam:UpdateAssumeRolePolicy',
        'iam:PutRolePolicy',
        'iam:PassRole',
        'iam:DeleteRole',
      ])
        expect(decide(p, a, role(r))).toBe('explicitly denied');
    }
    expect(decide(p, 'iam:UpdateOpenIDConnectProviderThumbprint', PROVIDER)).toBe(
      'explicitly denied',
    );
    expect(decide(p, 'iam:CreateRole', `arn:aws:iam::${ACCOUNT}:role/ForeignAdmin`)).toBe(
      'implicitly denied',
    );
    expect(decide(p, 'iam:CreateRole', `arn:aws:iam::${ACCOUNT}:role/natfleet-staging-x`)).toBe(
      'implicitly denied',
    );
    expect(decide(p, 'iam:PassRole', own, { 'iam:PassedToService': 'lambda.amazonaws.com' })).toBe(
      'allowed',
    );
    expect(
      decide(p, 'iam:PassRole', own, { 'iam:PassedToService': 'cloudformation.amazonaws.com' }),
    ).toBe('implicitly denied');
  });

  it('operate role: this environment’s four state machines and reads, nothing else', () => {
    const p = policyOf('OperateRole');
    for (const wf of ['Failover', 'Fallback', 'ReplaceInstances', 'Maintenance'] as const) {
      const sm = stateMachineArn(REGION, ACCOUNT, 'prod', wf);
      expect(decide(p, 'states:StartExecution', sm)).toBe('allowed');
      const ex = sm.replace(':stateMachine:', ':execution:') + ':run-1';
      expect(decide(p, 'states:DescribeExecution', ex)).toBe('allowed');
      expect(decide(p, 'states:GetExecutionHistory', ex)).toBe('allowed');
      // No verb stops a run: the grant went with the proof (docs/iam.md).
      expect(decide(p, 'states:StopExecution', ex)).toBe('implicitly denied');
      expect(
        decide(p, 'states:StartExecution', stateMachineArn(REGION, ACCOUNT, 'staging', wf)),
      ).toBe('implicitly denied');
    }
    expect(decide(p, 'ec2:DescribeRouteTables', '*')).toBe('allowed');
    expect(
      decide(
        p,
        'ssm:GetParameter',
        `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/natfleet/prod/lock`,
      ),
    ).toBe('allowed');
    for (const [a, r] of [
      ['ssm:GetParameter', `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/natfleet/prod/ami`],
      ['ec2:ReplaceRoute', '*'],
      ['ec2:DescribeImages', '*'],
      ['states:UpdateStateMachine', stateMachineArn(REGION, ACCOUNT, 'prod', 'Failover')],
      ['cloudformation:ExecuteChangeSet', stackArn('natfleet-prod-fleet')],
      ['s3:PutObject', obj('apply/templates/x.json')],
      ['iam:PassRole', role('cloudformation')],
    ] as const)
      expect(decide(p, a, r)).toBe('implicitly denied');
  });
});

describe('the Step Functions endpoint', () => {
  const checker = (env: Environment) => checkerStack(env).template;
  const checkerRole = `arn:aws:iam::${ACCOUNT}:role/natfleet-prod-checker`;
  const endpointPolicy = (env: Environment) => [
    resolve(checker(env).Resources.StatesEndpoint!.Properties!.PolicyDocument!, {
      ...place,
      refs: { Role: checkerRole },
    }),
  ];

  it('has private DNS off: the rest of the VPC keeps the public Step Functions endpoint', () => {
    expect(checker(prod).Resources.StatesEndpoint!.Properties!.PrivateDnsEnabled).toBe(false);
  });

  it('lets only the checker role start this environment’s Failover (and Fallback with autoFallback)', () => {
    const ctx = { 'aws:PrincipalArn': checkerRole };
    const arn = (env: string, wf: 'Failover' | 'Fallback' | 'Maintenance') =>
      stateMachineArn(REGION, ACCOUNT, env, wf);
    const off = endpointPolicy(prod);
    expect(decide(off, 'states:StartExecution', arn('prod', 'Failover'), ctx)).toBe('allowed');
    expect(decide(off, 'states:StartExecution', arn('prod', 'Fallback'), ctx)).toBe(
      'implicitly denied',
    );
    expect(decide(off, 'states:StartExecution', arn('prod', 'Maintenance'), ctx)).toBe(
      'implicitly denied',
    );
    expect(decide(off, 'states:StartExecution', arn('staging', 'Failover'), ctx)).toBe(
      'implicitly denied',
    );
    expect(decide(off, 'states:StopExecution', arn('prod', 'Failover'), ctx)).toBe(
      'implicitly denied',
    );
    expect(
      decide(off, 'states:StartExecution', arn('prod', 'Failover'), {
        'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/app`,
      }),
    ).toBe('implicitly denied');
    const on = endpointPolicy({ ...prod, checker: { ...prod.checker, autoFallback: true } });
    expect(decide(on, 'states:StartExecution', arn('prod', 'Fallback'), ctx)).toBe('allowed');
  });

  it('gives each checker the endpoint’s own name', () => {
    const t = checker(prod);
    const vars = t.Resources.FunctionEuWest1a!.Properties!.Environment as {
      Variables: Record<string, Json>;
    };
    expect(vars.Variables.NATFLEET_STATES_ENDPOINT).toEqual({
      'Fn::Join': [
        '',
        [
          'https://',
          {
            'Fn::Select': [
              1,
              {
                'Fn::Split': [
                  ':',
                  { 'Fn::Select': [0, { 'Fn::GetAtt': ['StatesEndpoint', 'DnsEntries'] }] },
                ],
              },
            ],
          },
        ],
      ],
    });
    for (const mode of ['existing', 'none'] as const) {
      const other = checker({ ...prod, checker: { ...prod.checker, stepFunctionsEndpoint: mode } });
      const v = (other.Resources.FunctionEuWest1a!.Properties!.Environment as { Variables: object })
        .Variables;
      expect(v).not.toHaveProperty('NATFLEET_STATES_ENDPOINT');
      expect(other.Resources.StatesEndpoint).toBeUndefined();
    }
  });
});

describe('the example workflows', () => {
  const dir = join(ROOT, 'examples/workflows');
  const rolesIn = (file: string) =>
    [...readFileSync(join(dir, file), 'utf8').matchAll(/role-to-assume: \$\{\{ ([^}]+) \}\}/g)].map(
      (m) => m[1]!.trim(),
    );

  it('use each role where it belongs', () => {
    const plan = 'fromJSON(vars.NATFLEET_PLAN_ROLES)[matrix.environment]';
    const expected: Record<string, string[]> = {
      'plan.yml': [plan],
      'drift.yml': [plan],
      // staging, then prod (each its own job)
      'deploy.yml': ['vars.NATFLEET_DEPLOY_ROLE_ARN', 'vars.NATFLEET_DEPLOY_ROLE_ARN'],
      'failover.yml': ['vars.NATFLEET_OPERATE_ROLE_ARN'],
      'fallback.yml': ['vars.NATFLEET_OPERATE_ROLE_ARN'],
      'replace.yml': ['vars.NATFLEET_OPERATE_ROLE_ARN'],
      'maintenance.yml': ['vars.NATFLEET_OPERATE_ROLE_ARN'],
    };
    expect(readdirSync(dir).sort()).toEqual(Object.keys(expected).sort());
    for (const [file, roles] of Object.entries(expected)) expect(rolesIn(file)).toEqual(roles);
    // Only the deploy job passes the service role, and it runs in its GitHub Environment.
    const deploy = readFileSync(join(dir, 'deploy.yml'), 'utf8');
    const applies = deploy.match(
      /mode: apply\n\s+role-arn: \$\{\{ vars\.NATFLEET_SERVICE_ROLE_ARN \}\}/g,
    );
    expect(applies).toHaveLength(2);
    // Each apply job runs in its environment's GitHub Environment (its reviewers approve it).
    expect(deploy.match(/^ {4}environment: (staging|prod)$/gm)).toEqual([
      '    environment: staging',
      '    environment: prod',
    ]);
    for (const file of Object.keys(expected).filter((f) => f !== 'deploy.yml'))
      expect(readFileSync(join(dir, file), 'utf8')).not.toContain('role-arn:');
  });
});

describe('the service role’s handler table (test/cfn-handlers.ts)', () => {
  const envs = [
    exampleEnv('prod'),
    exampleEnv('staging'),
    parseConfig(largestConfig()).environments[LONGEST_NAME]!,
  ];
  const typesOf = (env: Environment) =>
    renderStacks(env)
      .filter((s) => s.kind !== 'access')
      .flatMap((s) => Object.values(s.template.Resources).map((r) => r.Type));

  it('has a row for every type the example and the largest fleet render, and none other', () => {
    const rendered = new Set(envs.flatMap(typesOf));
    expect(Object.keys(HANDLERS).sort()).toEqual([...rendered].sort());
    // The proof's environment with every optional part on renders every type too.
    for (const env of envs) expect(new Set(typesOf(everyPart(env)))).toEqual(rendered);
  });

  it('a type without a row fails the proof, naming it', () => {
    const env = exampleEnv('prod');
    const stacks = renderStacks(env).map((s) =>
      s.kind === 'fleet'
        ? {
            ...s,
            template: {
              ...s.template,
              Resources: { ...s.template.Resources, Extra: { Type: 'AWS::EC2::Instance' } },
            },
          }
        : s,
    );
    expect(() => handlerRequests(env, stacks)).toThrow(
      'no handler permissions tabled for AWS::EC2::Instance (fleet/Extra)',
    );
  });

  it('the service role grants what the handlers need, and no wildcard action', () => {
    const p = policyOf('CloudFormationRole');
    const env = everyPart(exampleEnv('prod'));
    for (const r of handlerRequests(env))
      expect([r.action, decide(p, r.action, r.resource, r.context as Context)]).toEqual([
        r.action,
        'allowed',
      ]);
    for (const a of ['ec2:RunInstances', 'ec2:TerminateInstances', 'lambda:InvokeFunction'])
      expect(decide(p, a, '*')).toBe('implicitly denied');
    const allows = (p[0] as { Statement: { Effect: string; Action: Json }[] }).Statement.filter(
      (s) => s.Effect === 'Allow',
    );
    expect(JSON.stringify(allows)).not.toMatch(/"[a-z0-9]+:\*"/);
  });

  // The access proof (integration) also runs the stacks on moto; this is the service role alone.
  it('the service role grants nothing the handler rows do not need', async () => {
    recordSetting({ env: prod, refs: {}, roles: ['access/'] });
    const proof = await prove([], recordedCalls().settings, CFN_HANDLER_CASES);
    const mine = describeProof(proof)
      .split('\n')
      .filter((l) => l.includes('CloudFormationRole'));
    expect(mine).toEqual([]);
    expect(proof.evaluated['access/CloudFormationRole']).toBeGreaterThan(0);
  }, 120_000);
});
