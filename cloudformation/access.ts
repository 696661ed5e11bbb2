// access stack: who may do what from GitHub. Deployed by an administrator (`natfleet deploy
// --stacks access`), never by the roles it makes. The GitHub OIDC provider (or an adopted
// one), the plan role (pull requests: read, plan change sets, the plan prefix), the deploy role
// (environment runs of the default branch: apply change sets through one CloudFormation service
// role), the operate role (environment runs: the four state machines) and that service role.
// The threat table these answer is docs/security.md.
import type { Environment } from '../lib/config/schema.js';
import {
  ACCESS_ROLES,
  TEMPLATE_PREFIX,
  WORKFLOWS,
  accessRoleName,
  amiParameter,
  artifactsBucket,
  changeSetPrefix,
  envPrefix,
  stackName,
  stateMachineName,
  tags,
  type AccessRole,
} from '../lib/names.js';
import {
  assumeRolePolicy,
  trustPolicy,
  tagList,
  type Json,
  type RenderedStack,
  type Resource,
} from '../lib/cfn.js';
import { LOG_DELIVERY_ACTIONS } from './log-delivery.js';
import { HOLD_TAG } from '../lib/holds.js';
import { lockParameter } from '../lib/workflows/lock.js';

export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
export const GITHUB_AUDIENCE = 'sts.amazonaws.com';

const sub = (s: string): Json => ({ 'Fn::Sub': s });
const arn = (service: string, resource: string, regional = true) =>
  sub(
    `arn:\${AWS::Partition}:${service}:${regional ? '${AWS::Region}' : ''}:\${AWS::AccountId}:${resource}`,
  );
const roleArn = (e: string, role: AccessRole) =>
  arn('iam', `role/${accessRoleName(e, role)}`, false);

/** The managed policies the stacks attach; the service role may attach no other. */
export const STACK_MANAGED_POLICIES = [
  'AmazonSSMManagedInstanceCore',
  'EC2InstanceProfileForImageBuilder',
  'service-role/EC2ImageBuilderLifecycleExecutionPolicy',
];

/** Who a role trusts: the GitHub claims AWS STS can check at AssumeRoleWithWebIdentity. */
export interface GitHubTrust {
  /** `sub` values (StringEquals). */
  subjects: string[];
  /** `ref`: the branch the run's workflow came from. */
  ref?: string;
  /** `job_workflow_ref` pattern: the workflow file, at that branch, of this repository. */
  jobWorkflowRef?: string;
}

/** The trust of each GitHub role, from natfleet.yml's github section. */
export function githubTrust(env: Environment): Record<'plan' | 'deploy' | 'operate', GitHubTrust> {
  const gh = env.github;
  if (!gh) throw new Error(`environment ${env.name} has no github section`);
  const repo = gh.repository;
  const branch = `refs/heads/${gh.defaultBranch ?? 'main'}`;
  const environmentRun = `repo:${repo}:environment:${env.name}`;
  const fromDefaultBranch = {
    ref: branch,
    jobWorkflowRef: `${repo}/.github/workflows/*@${branch}`,
  };
  return {
    // Pull requests plan; the scheduled drift check on the default branch reads.
    plan: { subjects: [`repo:${repo}:pull_request`, `repo:${repo}:ref:${branch}`] },
    deploy: { subjects: [environmentRun], ...fromDefaultBranch },
    operate: { subjects: [environmentRun], ...fromDefaultBranch },
  };
}

function githubTrustPolicy(provider: Json, t: GitHubTrust): Json {
  const k = (claim: string) => `${GITHUB_OIDC_HOST}:${claim}`;
  return trustPolicy({ Federated: provider }, 'sts:AssumeRoleWithWebIdentity', {
    StringEquals: {
      [k('aud')]: GITHUB_AUDIENCE,
      [k('sub')]: t.subjects.length === 1 ? t.subjects[0]! : t.subjects,
      ...(t.ref ? { [k('ref')]: t.ref } : {}),
    },
    ...(t.jobWorkflowRef ? { StringLike: { [k('job_workflow_ref')]: t.jobWorkflowRef } } : {}),
  });
}

const EC2_READS = [
  'ec2:DescribeVpcs',
  'ec2:DescribeSubnets',
  'ec2:DescribeRouteTables',
  'ec2:DescribeNatGateways',
  'ec2:DescribeAddresses',
  'ec2:DescribeInstances',
  'ec2:DescribeInstanceStatus',
  'ec2:DescribeImages',
];

/** What plan and the record read; deploy reads the same and waits on stack events. */
function readStatements(env: Environment, waits = false): Json[] {
  const e = env.name;
  return [
    { Sid: 'Ec2Reads', Effect: 'Allow', Action: EC2_READS, Resource: '*' },
    {
      Sid: 'AmiParameter',
      Effect: 'Allow',
      Action: 'ssm:GetParameter',
      Resource: arn('ssm', `parameter${amiParameter(e)}`),
    },
    {
      Sid: 'StackReads',
      Effect: 'Allow',
      Action: [
        'cloudformation:DescribeStacks',
        'cloudformation:DescribeStackResources',
        // Deploy waits on a stack's events; plan reads none.
        ...(waits ? ['cloudformation:DescribeStackEvents'] : []),
      ],
      Resource: arn('cloudformation', `stack/${envPrefix(e)}*/*`),
    },
    {
      Sid: 'ArtifactsBucket',
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: sub(`arn:\${AWS::Partition}:s3:::${artifactsBucket(e, env.accountId, env.region)}`),
    },
  ];
}

const objects = (env: Environment, prefix: string) =>
  sub(
    `arn:\${AWS::Partition}:s3:::${artifactsBucket(env.name, env.accountId, env.region)}/${prefix}*`,
  );

/** Change sets of this environment's stacks whose names start with the mode's prefix. */
function changeSetStatement(env: Environment, mode: 'plan' | 'apply', actions: string[]): Json {
  return {
    Sid: `${mode === 'plan' ? 'Plan' : 'Apply'}ChangeSets`,
    Effect: 'Allow',
    Action: actions.map((a) => `cloudformation:${a}`),
    Resource: arn('cloudformation', `stack/${envPrefix(env.name)}*/*`),
    Condition: { StringLike: { 'cloudformation:ChangeSetName': `${changeSetPrefix(mode)}*` } },
  };
}

function planPolicy(env: Environment): Json {
  return {
    Version: '2012-10-17',
    Statement: [
      ...readStatements(env),
      changeSetStatement(env, 'plan', ['CreateChangeSet', 'DescribeChangeSet', 'DeleteChangeSet']),
      {
        // CloudFormation fetches a TemplateURL with the caller's rights: the plan prefix only.
        // Templates are read back by the version this run put (docs/iam.md).
        Sid: 'PlanPrefix',
        Effect: 'Allow',
        Action: ['s3:PutObject', 's3:GetObjectVersion'],
        Resource: objects(env, TEMPLATE_PREFIX.plan),
      },
    ],
  };
}

function deployPolicy(env: Environment): Json {
  const e = env.name;
  const bucket = artifactsBucket(e, env.accountId, env.region);
  return {
    Version: '2012-10-17',
    Statement: [
      ...readStatements(env, true),
      {
        ...(changeSetStatement(env, 'apply', [
          'CreateChangeSet',
          'DescribeChangeSet',
          'DeleteChangeSet',
          'ExecuteChangeSet',
        ]) as Record<string, Json>),
        Condition: {
          StringLike: { 'cloudformation:ChangeSetName': `${changeSetPrefix('apply')}*` },
          // Every change set runs as the service role, from an inline body or the apply prefix.
          StringEqualsIfExists: { 'cloudformation:RoleArn': roleArn(e, 'cloudformation') },
          StringLikeIfExists: {
            'cloudformation:TemplateUrl': `https://${bucket}.s3.${env.region}.amazonaws.com/${TEMPLATE_PREFIX.apply}*`,
          },
        },
      },
      {
        // CloudFormation fetches the TemplateURL, pinned to its version, with this role's rights.
        Sid: 'ApplyPrefix',
        Effect: 'Allow',
        Action: ['s3:PutObject', 's3:GetObjectVersion'],
        Resource: objects(env, TEMPLATE_PREFIX.apply),
      },
      {
        Sid: 'CheckerCode',
        Effect: 'Allow',
        Action: ['s3:PutObject', 's3:GetObject', 's3:GetObjectVersion'],
        Resource: objects(env, 'checker/'),
      },
      {
        Sid: 'PassTheServiceRoleToCloudFormation',
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: roleArn(e, 'cloudformation'),
        Condition: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
      },
      {
        // The access stack is an administrator's: the roles it holds cannot widen themselves.
        Sid: 'NotTheAccessStack',
        Effect: 'Deny',
        Action: [
          'cloudformation:CreateChangeSet',
          'cloudformation:ExecuteChangeSet',
          'cloudformation:CreateStack',
          'cloudformation:UpdateStack',
          'cloudformation:DeleteStack',
        ],
        Resource: arn('cloudformation', `stack/${stackName(e, 'access')}/*`),
      },
    ],
  };
}

/** What status, release and the workflow verbs read and do (docs/iam.md). */
const OPERATE_EC2_READS = [
  'ec2:DescribeRouteTables',
  'ec2:DescribeNatGateways',
  'ec2:DescribeInstances',
  'ec2:DescribeInstanceStatus',
];

function operatePolicy(env: Environment): Json {
  const e = env.name;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'StartAndListWorkflows',
        Effect: 'Allow',
        Action: ['states:StartExecution', 'states:ListExecutions'],
        Resource: WORKFLOWS.map((wf) => arn('states', `stateMachine:${stateMachineName(e, wf)}`)),
      },
      {
        Sid: 'FollowWorkflows',
        Effect: 'Allow',
        Action: ['states:DescribeExecution', 'states:GetExecutionHistory'],
        Resource: WORKFLOWS.map((wf) => arn('states', `execution:${stateMachineName(e, wf)}:*`)),
      },
      { Sid: 'RoutesAndInstances', Effect: 'Allow', Action: OPERATE_EC2_READS, Resource: '*' },
      {
        // natfleet release: only the hold's tags, only on the VPC's route tables.
        Sid: 'LiftHolds',
        Effect: 'Allow',
        Action: 'ec2:DeleteTags',
        Resource: arn('ec2', 'route-table/*'),
        Condition: {
          StringEquals: { 'ec2:Vpc': arn('ec2', `vpc/${env.vpcId}`) },
          'ForAllValues:StringEquals': { 'aws:TagKeys': Object.values(HOLD_TAG) },
        },
      },
      {
        // natfleet status shows who holds the environment's lock.
        Sid: 'LockParameter',
        Effect: 'Allow',
        Action: 'ssm:GetParameter',
        Resource: arn('ssm', `parameter${lockParameter(e)}`),
      },
    ],
  };
}

/**
 * What CloudFormation does for the stacks: the actions each resource type's handlers need as the
 * stacks use it (test/cfn-handlers.ts), on this environment's names; IAM only on its own roles.
 */
function servicePolicy(env: Environment): Json {
  const e = env.name;
  const p = envPrefix(e);
  const bucket = artifactsBucket(e, env.accountId, env.region);
  const accessRoles = ACCESS_ROLES.map((r) => roleArn(e, r));
  const stackRoles = arn('iam', `role/${p}*`, false);
  const allow = (Sid: string, actions: string[], Resource: Json, Condition?: Json): Json => ({
    Sid,
    Effect: 'Allow',
    Action: actions,
    Resource,
    ...(Condition ? { Condition } : {}),
  });
  return {
    Version: '2012-10-17',
    Statement: [
      allow(
        'StackRoles',
        [
          'iam:CreateRole',
          'iam:DeleteRole',
          'iam:GetRole',
          'iam:UpdateRole',
          'iam:UpdateRoleDescription',
          'iam:UpdateAssumeRolePolicy',
          'iam:TagRole',
          'iam:UntagRole',
          'iam:PutRolePolicy',
          'iam:GetRolePolicy',
          'iam:DeleteRolePolicy',
          'iam:ListRolePolicies',
          'iam:ListAttachedRolePolicies',
          'iam:DetachRolePolicy',
        ],
        stackRoles,
      ),
      allow(
        'StackInstanceProfiles',
        [
          'iam:CreateInstanceProfile',
          'iam:DeleteInstanceProfile',
          'iam:GetInstanceProfile',
          'iam:AddRoleToInstanceProfile',
          'iam:RemoveRoleFromInstanceProfile',
        ],
        arn('iam', `instance-profile/${p}*`, false),
      ),
      allow('OnlyTheStacksManagedPolicies', ['iam:AttachRolePolicy'], stackRoles, {
        ArnEquals: {
          'iam:PolicyARN': STACK_MANAGED_POLICIES.map((m) =>
            sub(`arn:\${AWS::Partition}:iam::aws:policy/${m}`),
          ),
        },
      }),
      allow('PassStackRolesToTheirServices', ['iam:PassRole'], stackRoles, {
        StringEquals: {
          'iam:PassedToService': [
            'ec2.amazonaws.com',
            'lambda.amazonaws.com',
            'states.amazonaws.com',
            'events.amazonaws.com',
            'imagebuilder.amazonaws.com',
          ],
        },
      }),
      allow(
        // Image Builder's pipeline and infrastructure create it on the service's first use.
        'ImageBuilderServiceLinkedRole',
        ['iam:CreateServiceLinkedRole'],
        arn('iam', 'role/aws-service-role/imagebuilder.amazonaws.com/*', false),
        { StringEquals: { 'iam:AWSServiceName': 'imagebuilder.amazonaws.com' } },
      ),
      // Image Builder's handlers look the service-linked role up before they create anything.
      allow(
        'ImageBuilderServiceLinkedRoleRead',
        ['iam:GetRole'],
        arn('iam', 'role/aws-service-role/imagebuilder.amazonaws.com/*', false),
      ),
      // The recipe's ParentImage is this public parameter (`ssm:` prefix).
      allow(
        'BaseImageParameter',
        ['ssm:GetParameter'],
        sub(
          'arn:${AWS::Partition}:ssm:${AWS::Region}:*:parameter/aws/service/ami-amazon-linux-latest/*',
        ),
      ),
      {
        Sid: 'NeverTheAccessRoles',
        Effect: 'Deny',
        Action: 'iam:*',
        Resource: [...accessRoles, arn('iam', `oidc-provider/${GITHUB_OIDC_HOST}`, false)],
      },
      // EC2 and Image Builder resources carry generated ids, not names to scope by.
      allow('Ec2', SERVICE_EC2_ACTIONS, '*'),
      allow('ImageBuilder', SERVICE_IMAGEBUILDER_ACTIONS, '*'),
      allow(
        'ArtifactsBucket',
        [
          's3:CreateBucket',
          's3:DeleteBucket',
          's3:GetBucketAcl',
          's3:PutBucketTagging',
          's3:PutBucketVersioning',
          's3:PutEncryptionConfiguration',
          's3:PutBucketPublicAccessBlock',
          's3:PutBucketOwnershipControls',
          's3:PutLifecycleConfiguration',
          ...S3_BUCKET_READ,
          's3:GetBucketPolicy',
          's3:PutBucketPolicy',
          's3:DeleteBucketPolicy',
        ],
        sub(`arn:\${AWS::Partition}:s3:::${bucket}`),
      ),
      // Lambda reads the function's code with CloudFormation's rights.
      allow(
        'CheckerCode',
        ['s3:GetObject', 's3:GetObjectVersion'],
        sub(`arn:\${AWS::Partition}:s3:::${bucket}/checker/*`),
      ),
      allow(
        'CheckerFunctions',
        [
          'lambda:CreateFunction',
          'lambda:DeleteFunction',
          'lambda:GetFunction',
          'lambda:GetFunctionCodeSigningConfig',
          'lambda:GetFunctionRecursionConfig',
          'lambda:GetRuntimeManagementConfig',
          'lambda:UpdateFunctionConfiguration',
          'lambda:UpdateFunctionCode',
          'lambda:PutFunctionConcurrency',
          'lambda:ListTags',
          'lambda:TagResource',
          'lambda:UntagResource',
          'lambda:AddPermission',
          'lambda:RemovePermission',
          'lambda:GetPolicy',
        ],
        arn('lambda', `function:${p}*`),
      ),
      allow(
        'StateMachines',
        [
          'states:CreateStateMachine',
          'states:UpdateStateMachine',
          'states:DeleteStateMachine',
          'states:DescribeStateMachine',
          'states:TagResource',
          'states:UntagResource',
          'states:ListTagsForResource',
        ],
        arn('states', `stateMachine:${p}*`),
      ),
      allow(
        'EventRules',
        [
          'events:PutRule',
          'events:DeleteRule',
          'events:DescribeRule',
          'events:PutTargets',
          'events:RemoveTargets',
          'events:ListTargetsByRule',
          'events:ListTagsForResource',
        ],
        arn('events', `rule/${p}*`),
      ),
      allow(
        'Alarms',
        [
          'cloudwatch:PutMetricAlarm',
          'cloudwatch:DeleteAlarms',
          'cloudwatch:TagResource',
          'cloudwatch:UntagResource',
          'cloudwatch:ListTagsForResource',
        ],
        arn('cloudwatch', `alarm:${p}*`),
      ),
      allow(
        'Parameters',
        [
          'ssm:PutParameter',
          'ssm:DeleteParameter',
          'ssm:GetParameters',
          'ssm:AddTagsToResource',
          'ssm:RemoveTagsFromResource',
          'ssm:ListTagsForResource',
        ],
        arn('ssm', `parameter/natfleet/${e}/*`),
      ),
      allow(
        'LogGroups',
        [
          'logs:CreateLogGroup',
          'logs:DeleteLogGroup',
          'logs:PutRetentionPolicy',
          'logs:TagResource',
          'logs:UntagResource',
          'logs:ListTagsForResource',
          'logs:GetDataProtectionPolicy',
          'logs:DeleteDataProtectionPolicy',
        ],
        [arn('logs', `log-group:/aws/lambda/${p}*`), arn('logs', `log-group:/natfleet/${e}/*`)],
      ),
      // Step Functions log delivery and these describe calls take no narrower resource.
      allow(
        'LogDelivery',
        [...LOG_DELIVERY_ACTIONS, 'logs:DescribeIndexPolicies', 'cloudwatch:DescribeAlarms'],
        '*',
      ),
    ],
  };
}

/** The EC2 actions of the stacks' types' handlers (test/cfn-handlers.ts). */
const SERVICE_EC2_ACTIONS = [
  'ec2:DescribeAddresses',
  'ec2:AllocateAddress',
  'ec2:ReleaseAddress',
  'ec2:DisassociateAddress',
  'ec2:DescribeNatGateways',
  'ec2:CreateNatGateway',
  'ec2:DeleteNatGateway',
  'ec2:DescribeLaunchTemplates',
  'ec2:CreateLaunchTemplate',
  'ec2:CreateLaunchTemplateVersion',
  'ec2:DeleteLaunchTemplate',
  'ec2:DescribeSecurityGroups',
  'ec2:CreateSecurityGroup',
  'ec2:DeleteSecurityGroup',
  'ec2:AuthorizeSecurityGroupIngress',
  'ec2:AuthorizeSecurityGroupEgress',
  'ec2:RevokeSecurityGroupIngress',
  'ec2:RevokeSecurityGroupEgress',
  'ec2:UpdateSecurityGroupRuleDescriptionsIngress',
  'ec2:UpdateSecurityGroupRuleDescriptionsEgress',
  'ec2:DescribeInstances',
  'ec2:DescribeVpcEndpoints',
  'ec2:CreateVpcEndpoint',
  'ec2:ModifyVpcEndpoint',
  'ec2:DeleteVpcEndpoints',
  'ec2:CreateTags',
  'ec2:DeleteTags',
  // A function in the VPC: its subnets and groups read, its interfaces waited on at delete.
  'ec2:DescribeSubnets',
  'ec2:DescribeVpcs',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeImages',
];

/** What the artifacts bucket's read handler reads: every configuration, set or not. */
const S3_BUCKET_READ = [
  ...[
    'Accelerate',
    'Lifecycle',
    'Analytics',
    'Encryption',
    'Inventory',
    'Metrics',
    'Replication',
    'IntelligentTiering',
  ].map((c) => `s3:Get${c}Configuration`),
  ...[
    'PublicAccessBlock',
    'CORS',
    'Logging',
    'Notification',
    'Versioning',
    'Website',
    'ObjectLockConfiguration',
    'Tagging',
    'OwnershipControls',
    'MetadataTableConfiguration',
  ].map((c) => `s3:GetBucket${c}`),
  's3:ListBucket',
];

/** The Image Builder actions of the image stack's types' handlers. */
const SERVICE_IMAGEBUILDER_ACTIONS = [
  ...['Component', 'ImageRecipe'].flatMap((r) => [`Create${r}`, `Get${r}`, `Delete${r}`]),
  ...[
    'InfrastructureConfiguration',
    'DistributionConfiguration',
    'ImagePipeline',
    'LifecyclePolicy',
  ].flatMap((r) => [`Create${r}`, `Get${r}`, `Update${r}`, `Delete${r}`]),
  'TagResource',
  'UntagResource',
].map((a) => `imagebuilder:${a}`);

function githubRole(
  env: Environment,
  role: 'plan' | 'deploy' | 'operate',
  provider: Json,
  policy: Json,
  dependsOn?: string,
): Resource {
  const e = env.name;
  return {
    Type: 'AWS::IAM::Role',
    ...(dependsOn ? { DependsOn: dependsOn } : {}),
    Properties: {
      RoleName: accessRoleName(e, role),
      Description: `natfleet ${e}: GitHub ${role} (docs/security.md)`,
      MaxSessionDuration: 3600,
      AssumeRolePolicyDocument: githubTrustPolicy(provider, githubTrust(env)[role]),
      Policies: [{ PolicyName: role, PolicyDocument: policy }],
      Tags: tagList(tags(e, 'access')),
    },
  };
}

export function accessStack(env: Environment): RenderedStack | undefined {
  if (!env.github) return undefined;
  const e = env.name;
  const adopted = env.github.oidcProviderArn;
  const provider: Json = adopted ?? arn('iam', `oidc-provider/${GITHUB_OIDC_HOST}`, false);
  const dependsOn = adopted ? undefined : 'GitHubOidcProvider';
  const resources: Record<string, Resource> = {
    PlanRole: githubRole(env, 'plan', provider, planPolicy(env), dependsOn),
    DeployRole: githubRole(env, 'deploy', provider, deployPolicy(env), dependsOn),
    OperateRole: githubRole(env, 'operate', provider, operatePolicy(env), dependsOn),
    CloudFormationRole: {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: accessRoleName(e, 'cloudformation'),
        Description: `natfleet ${e}: the CloudFormation service role the deploy role passes`,
        AssumeRolePolicyDocument: assumeRolePolicy('cloudformation.amazonaws.com'),
        Policies: [{ PolicyName: 'stacks', PolicyDocument: servicePolicy(env) }],
        Tags: tagList(tags(e, 'access')),
      },
    },
  };
  if (!adopted) {
    resources.GitHubOidcProvider = {
      Type: 'AWS::IAM::OIDCProvider',
      // Shared by every role of the account that trusts GitHub: kept when the stack goes.
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        Url: `https://${GITHUB_OIDC_HOST}`,
        ClientIdList: [GITHUB_AUDIENCE],
        Tags: tagList(tags(e, 'access')),
      },
    };
  }
  const outputs: Record<string, { Description: string; Value: Json }> = {};
  for (const [id, role] of [
    ['PlanRoleArn', 'plan'],
    ['DeployRoleArn', 'deploy'],
    ['OperateRoleArn', 'operate'],
    ['CloudFormationRoleArn', 'cloudformation'],
  ] as const) {
    outputs[id] = { Description: `the ${role} role`, Value: roleArn(e, role) };
  }
  return {
    kind: 'access',
    name: stackName(e, 'access'),
    parameters: {},
    template: {
      AWSTemplateFormatVersion: '2010-09-09',
      Description: `natfleet ${e}: GitHub OIDC roles and the CloudFormation service role`,
      Resources: resources,
      Outputs: outputs,
    },
  };
}
