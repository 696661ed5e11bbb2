// What CloudFormation does with the service role (access/CloudFormationRole): per resource type
// the stacks contain, the IAM actions its resource handlers need to create, read, update and
// delete it as natfleet uses it. Source: the `handlers.{create,read,update,delete}.permissions`
// of each type's resource provider schema (CloudFormation registry, `aws cloudformation
// describe-type`), as republished per type under "Permissions" by
// stackql-registry/stackql-provider-awscc: each row names its page in `source`. CloudFormation
// calls the read handler after every create and update, so its actions are in the row. Where a
// handler lists actions for properties natfleet does not set (KMS keys, EFS, code signing,
// layers, permission boundaries, SNS topics, …) they are left out, named in `omitted`. Every row
// is checked against its list (none has `verified: false`, which would mean the policy grants
// that type more broadly).
// The proof (test/iam-proof.ts) evaluates these requests against the rendered service role:
// re-check this table when a type or a property is added (docs/adr/0163).
import type { Json, RenderedStack } from '../lib/cfn.js';
import type { Environment } from '../lib/config/schema.js';
import { renderStacks } from '../cloudformation/index.js';
import { resolve } from './iam.js';
import type { ExplicitCase } from './iam-proof.js';
import type { Request } from './iam-requests.js';

type Props = Record<string, Json>;

/** One resource of a rendered stack, as a handler sees it. */
interface Target {
  env: Environment;
  stack: RenderedStack;
  id: string;
  props: Props;
}

interface Handler {
  /** Where the row's lists were checked (repository/path of the published schema's lists). */
  source?: string;
  /** False where no published list was found: the policy grants the type more broadly. */
  verified?: boolean;
  /** Actions on the resource itself (its own ARN, `own`). CloudFormation reads after it writes. */
  read?: string[];
  create: string[];
  update: string[];
  delete: string[];
  /** The ARN of the resource the type's own actions act on; `*` where ids are generated. */
  own: (t: Target) => string;
  /** Actions on other resources: the role passed, the code read, the policy attached. */
  also?: (t: Target) => Request[];
  /** What the published lists hold that natfleet's use of the type does not need. */
  omitted?: string;
}

const req = (action: string, resource = '*', context: Request['context'] = {}): Request => ({
  action,
  resource,
  context,
});
const arn = (t: Target, service: string, resource: string, regional = true) =>
  `arn:aws:${service}:${regional ? t.env.region : ''}:${t.env.accountId}:${resource}`;
/** A resource's physical name: the name the template sets, or CloudFormation's generated one. */
function nameOf(t: Target, id: string, field: string): string {
  const v = (t.stack.template.Resources[id]?.Properties as Props | undefined)?.[field];
  return typeof v === 'string' ? v : `${t.stack.name}-${id}-GENERATED`;
}
const refId = (v: Json): string => {
  const o = v as { Ref?: string; 'Fn::GetAtt'?: string[] };
  return o.Ref ?? o['Fn::GetAtt']![0]!;
};
const roleArn = (t: Target, id: string) =>
  arn(t, 'iam', `role/${nameOf(t, id, 'RoleName')}`, false);
const passRole = (t: Target, role: Json, service: string) =>
  req('iam:PassRole', roleArn(t, refId(role)), { 'iam:PassedToService': service });
/** Actions without resource-level permissions: evaluated on `*`. */
const anywhere = (actions: string[]) => actions.map((a) => req(a));

const S3_BUCKET_READ = [
  'Accelerate',
  'Lifecycle',
  'Analytics',
  'Encryption',
  'Inventory',
  'Metrics',
  'Replication',
  'IntelligentTiering',
]
  .map((c) => `s3:Get${c}Configuration`)
  .concat(
    [
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
  )
  .concat(['s3:ListBucket']);

const VPCE_DESCRIBE = [
  'ec2:DescribeVpcEndpoints',
  'ec2:DescribeSubnets',
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeVpcs',
];

const TAG_ONLY_UPDATE = ['imagebuilder:TagResource', 'imagebuilder:UntagResource'];

export const HANDLERS: Record<string, Handler> = {
  'AWS::IAM::Role': {
    source: 'stackql-registry/stackql-provider-awscc website/docs/services/iam/roles/index.md',
    read: [
      'iam:GetRole',
      'iam:ListAttachedRolePolicies',
      'iam:ListRolePolicies',
      'iam:GetRolePolicy',
    ],
    create: [
      'iam:CreateRole',
      'iam:PutRolePolicy',
      'iam:GetRolePolicy',
      'iam:TagRole',
      'iam:GetRole',
    ],
    update: [
      'iam:UpdateRole',
      'iam:UpdateRoleDescription',
      'iam:UpdateAssumeRolePolicy',
      'iam:DetachRolePolicy',
      'iam:DeleteRolePolicy',
      'iam:PutRolePolicy',
      'iam:TagRole',
      'iam:UntagRole',
    ],
    delete: [
      'iam:DeleteRole',
      'iam:DetachRolePolicy',
      'iam:DeleteRolePolicy',
      'iam:GetRole',
      'iam:ListAttachedRolePolicies',
      'iam:ListRolePolicies',
    ],
    own: (t) => roleArn(t, t.id),
    // AttachRolePolicy (create, update) only for the managed policies the role names.
    also: (t) =>
      ((t.props.ManagedPolicyArns ?? []) as Json[]).map((m) =>
        req('iam:AttachRolePolicy', roleArn(t, t.id), {
          'iam:PolicyARN': String(resolve(m, { accountId: t.env.accountId, region: t.env.region })),
        }),
      ),
    omitted: 'PutRolePermissionsBoundary, DeleteRolePermissionsBoundary: no boundary is set',
  },
  'AWS::IAM::InstanceProfile': {
    source:
      'stackql-registry/stackql-provider-awscc website/docs/services/iam/instance_profiles/index.md',
    read: ['iam:GetInstanceProfile'],
    create: ['iam:CreateInstanceProfile', 'iam:AddRoleToInstanceProfile', 'iam:GetInstanceProfile'],
    update: [
      'iam:RemoveRoleFromInstanceProfile',
      'iam:AddRoleToInstanceProfile',
      'iam:GetInstanceProfile',
    ],
    delete: [
      'iam:GetInstanceProfile',
      'iam:RemoveRoleFromInstanceProfile',
      'iam:DeleteInstanceProfile',
    ],
    own: (t) => arn(t, 'iam', `instance-profile/${nameOf(t, t.id, 'InstanceProfileName')}`, false),
    also: (t) => ((t.props.Roles ?? []) as Json[]).map((r) => passRole(t, r, 'ec2.amazonaws.com')),
  },
  'AWS::Lambda::Function': {
    source:
      'stackql-registry/stackql-provider-awscc website/docs/services/lambda/functions/index.md',
    // GetRuntimeManagementConfig: a read in the create and update lists, kept lest it be called
    // for a function that sets none.
    read: [
      'lambda:GetFunction',
      'lambda:GetFunctionCodeSigningConfig',
      'lambda:GetFunctionRecursionConfig',
      'lambda:GetRuntimeManagementConfig',
    ],
    create: [
      'lambda:CreateFunction',
      'lambda:GetFunction',
      'lambda:PutFunctionConcurrency',
      'lambda:TagResource',
      'lambda:GetFunctionCodeSigningConfig',
    ],
    update: [
      'lambda:GetFunction',
      'lambda:PutFunctionConcurrency',
      'lambda:ListTags',
      'lambda:TagResource',
      'lambda:UntagResource',
      'lambda:UpdateFunctionConfiguration',
      'lambda:UpdateFunctionCode',
    ],
    delete: ['lambda:DeleteFunction', 'lambda:GetFunction'],
    own: (t) => arn(t, 'lambda', `function:${nameOf(t, t.id, 'FunctionName')}`),
    also: (t) => {
      const code = t.props.Code as { S3Bucket: string };
      // S3Key is the stack's parameter: the checker zip under checker/ (deploy puts it there).
      const object = `arn:aws:s3:::${code.S3Bucket}/checker/checker-0123abcd.zip`;
      return [
        passRole(t, t.props.Role!, 'lambda.amazonaws.com'),
        req('s3:GetObject', object),
        req('s3:GetObjectVersion', object),
        // VpcConfig: create and update read the subnets and groups; delete waits on the ENIs.
        ...anywhere([
          'ec2:DescribeSecurityGroups',
          'ec2:DescribeSubnets',
          'ec2:DescribeVpcs',
          'ec2:DescribeNetworkInterfaces',
        ]),
      ];
    },
    omitted:
      'kms:*, elasticfilesystem:DescribeMountTargets, GetCodeSigningConfig and Put/DeleteFunctionCodeSigningConfig, GetLayerVersion, PutRuntimeManagementConfig, PutFunctionRecursionConfig (none is set), DeleteFunctionConcurrency (the concurrency is always set)',
  },
  'AWS::Lambda::Permission': {
    source:
      'stackql-registry/stackql-provider-awscc website/docs/services/lambda/permissions/index.md',
    read: ['lambda:GetPolicy'],
    create: ['lambda:AddPermission', 'lambda:GetPolicy'],
    update: [],
    delete: ['lambda:RemovePermission', 'lambda:GetPolicy'],
    own: (t) =>
      arn(t, 'lambda', `function:${nameOf(t, refId(t.props.FunctionName!), 'FunctionName')}`),
    omitted: 'no update handler: every property replaces the permission',
  },
  'AWS::Logs::LogGroup': {
    source:
      'stackql-registry/stackql-provider-awscc website/docs/services/logs/log_groups/index.md',
    read: ['logs:ListTagsForResource', 'logs:GetDataProtectionPolicy'],
    create: ['logs:CreateLogGroup', 'logs:PutRetentionPolicy', 'logs:TagResource'],
    update: [
      'logs:PutRetentionPolicy',
      'logs:TagResource',
      'logs:UntagResource',
      'logs:ListTagsForResource',
    ],
    delete: ['logs:DeleteLogGroup', 'logs:DeleteDataProtectionPolicy'],
    own: (t) => arn(t, 'logs', `log-group:${String(t.props.LogGroupName)}`),
    also: () =>
      anywhere([
        'logs:DescribeLogGroups',
        'logs:DescribeResourcePolicies',
        'logs:DescribeIndexPolicies',
      ]),
    omitted:
      'AssociateKmsKey, DisassociateKmsKey (no KMS key), DeleteRetentionPolicy (retention always set), PutDataProtectionPolicy, PutIndexPolicy, DeleteIndexPolicy, CreateLogDelivery, PutResourcePolicy, DeleteResourcePolicy, s3:REST.PUT.OBJECT, firehose:TagDeliveryStream (no data protection, field index, delivery or resource policy is set)',
  },
  'AWS::StepFunctions::StateMachine': {
    source:
      'stackql-registry/stackql-provider-awscc website/docs/services/stepfunctions/state_machines/index.md',
    read: ['states:DescribeStateMachine', 'states:ListTagsForResource'],
    create: ['states:CreateStateMachine', 'states:DescribeStateMachine', 'states:TagResource'],
    update: [
      'states:UpdateStateMachine',
      'states:DescribeStateMachine',
      'states:TagResource',
      'states:UntagResource',
      'states:ListTagsForResource',
    ],
    delete: ['states:DeleteStateMachine', 'states:DescribeStateMachine'],
    own: (t) => arn(t, 'states', `stateMachine:${String(t.props.StateMachineName)}`),
    // LoggingConfiguration: the log delivery is set up with CloudFormation's rights.
    also: (t) => [
      passRole(t, t.props.RoleArn!, 'states.amazonaws.com'),
      ...anywhere([
        'logs:CreateLogDelivery',
        'logs:GetLogDelivery',
        'logs:UpdateLogDelivery',
        'logs:DeleteLogDelivery',
        'logs:ListLogDeliveries',
        'logs:PutResourcePolicy',
        'logs:DescribeResourcePolicies',
        'logs:DescribeLogGroups',
      ]),
    ],
    omitted:
      's3:GetObject (the definition is inline), kms:DescribeKey, GenerateDataKey, Decrypt (no customer key); the logs:* delivery actions are not in the lists but the API checks them on the caller for LoggingConfiguration',
  },
  'AWS::Events::Rule': {
    source: 'stackql-registry/stackql-provider-awscc website/docs/services/events/rules/index.md',
    read: ['events:DescribeRule', 'events:ListTargetsByRule', 'events:ListTagsForResource'],
    create: ['events:DescribeRule', 'events:PutRule', 'events:PutTargets'],
    update: ['events:DescribeRule', 'events:PutRule', 'events:RemoveTargets', 'events:PutTargets'],
    delete: [
      'events:DescribeRule',
      'events:DeleteRule',
      'events:RemoveTargets',
      'events:ListTargetsByRule',
    ],
    own: (t) => arn(t, 'events', `rule/${String(t.props.Name)}`),
    // iam:PassRole only where a target names a role (the alarm rules start Failover).
    also: (t) =>
      ((t.props.Targets ?? []) as { RoleArn?: Json }[])
        .filter((x) => x.RoleArn)
        .map((x) => passRole(t, x.RoleArn!, 'events.amazonaws.com')),
    omitted: 'events:TagResource, UntagResource: the rules carry no tags',
  },
  'AWS::CloudWatch::Alarm': {
    source:
      'stackql-registry/stackql-provider-awscc website/docs/services/cloudwatch/alarms/index.md',
    read: ['cloudwatch:ListTagsForResource'],
    create: ['cloudwatch:PutMetricAlarm', 'cloudwatch:TagResource'],
    update: ['cloudwatch:PutMetricAlarm', 'cloudwatch:TagResource', 'cloudwatch:UntagResource'],
    delete: ['cloudwatch:DeleteAlarms'],
    own: (t) => arn(t, 'cloudwatch', `alarm:${String(t.props.AlarmName)}`),
    also: () => anywhere(['cloudwatch:DescribeAlarms']),
  },
  'AWS::SSM::Parameter': {
    source: 'stackql-registry/stackql-provider-awscc website/docs/services/ssm/parameters/index.md',
    read: ['ssm:GetParameters', 'ssm:ListTagsForResource'],
    create: ['ssm:PutParameter', 'ssm:AddTagsToResource', 'ssm:GetParameters'],
    update: [
      'ssm:PutParameter',
      'ssm:AddTagsToResource',
      'ssm:RemoveTagsFromResource',
      'ssm:GetParameters',
    ],
    delete: ['ssm:DeleteParameter'],
    own: (t) => arn(t, 'ssm', `parameter${String(t.props.Name)}`),
  },
  'AWS::S3::Bucket': {
    source: 'stackql-registry/stackql-provider-awscc website/docs/services/s3/buckets/index.md',
    // The read handler reads every configuration, set or not.
    read: S3_BUCKET_READ,
    create: [
      's3:CreateBucket',
      's3:PutBucketTagging',
      's3:PutBucketVersioning',
      's3:PutEncryptionConfiguration',
      's3:PutBucketPublicAccessBlock',
      's3:PutBucketOwnershipControls',
      's3:PutLifecycleConfiguration',
      's3:ListBucket',
      's3:GetBucketAcl',
    ],
    update: [
      's3:PutBucketTagging',
      's3:PutBucketVersioning',
      's3:PutEncryptionConfiguration',
      's3:PutBucketPublicAccessBlock',
      's3:PutBucketOwnershipControls',
      's3:PutLifecycleConfiguration',
    ],
    delete: ['s3:DeleteBucket', 's3:ListBucket'],
    own: (t) => `arn:aws:s3:::${String(t.props.BucketName)}`,
    omitted:
      'the Put*/Delete* of analytics, CORS, inventory, metrics, notification, replication, website, accelerate, logging, object lock, intelligent tiering and metadata tables, PutBucketAcl, PutObjectAcl, DeleteObject, s3tables:*, iam:PassRole (replication): none is set',
  },
  'AWS::S3::BucketPolicy': {
    source:
      'stackql-registry/stackql-provider-awscc website/docs/services/s3/bucket_policies/index.md',
    read: ['s3:GetBucketPolicy'],
    create: ['s3:GetBucketPolicy', 's3:PutBucketPolicy'],
    update: ['s3:GetBucketPolicy', 's3:PutBucketPolicy'],
    delete: ['s3:GetBucketPolicy', 's3:DeleteBucketPolicy'],
    own: (t) => `arn:aws:s3:::${nameOf(t, refId(t.props.Bucket!), 'BucketName')}`,
  },
  // EC2 and Image Builder resources carry generated ids: their actions are evaluated on `*`,
  // as the role grants them (docs/iam.md).
  'AWS::EC2::EIP': {
    source: 'stackql-registry/stackql-provider-awscc website/docs/services/ec2/eips/index.md',
    read: ['ec2:DescribeAddresses'],
    create: ['ec2:AllocateAddress', 'ec2:DescribeAddresses', 'ec2:CreateTags'],
    update: [
      'ec2:DescribeAddresses',
      'ec2:DisassociateAddress',
      'ec2:CreateTags',
      'ec2:DeleteTags',
    ],
    delete: ['ec2:DescribeAddresses', 'ec2:ReleaseAddress', 'ec2:DisassociateAddress'],
    own: () => '*',
    omitted:
      'AssociateAddress (no InstanceId: the workflows associate the address), AcceptAddressTransfer (no transfer)',
  },
  'AWS::EC2::NatGateway': {
    source:
      'stackql-registry/stackql-provider-awscc website/docs/services/ec2/nat_gateways/index.md',
    read: ['ec2:DescribeNatGateways'],
    create: ['ec2:CreateNatGateway', 'ec2:DescribeNatGateways', 'ec2:CreateTags'],
    update: ['ec2:DescribeNatGateways', 'ec2:CreateTags', 'ec2:DeleteTags'],
    delete: ['ec2:DeleteNatGateway', 'ec2:DescribeNatGateways'],
    own: () => '*',
    omitted:
      'AssociateNatGatewayAddress, DisassociateNatGatewayAddress, AssignPrivateNatGatewayAddress, UnassignPrivateNatGatewayAddress: no secondary addresses',
  },
  'AWS::EC2::LaunchTemplate': {
    source:
      'stackql-registry/stackql-provider-awscc website/docs/services/ec2/launch_templates/index.md',
    read: ['ec2:DescribeLaunchTemplates'],
    create: ['ec2:CreateLaunchTemplate', 'ec2:CreateTags'],
    update: ['ec2:CreateLaunchTemplateVersion'],
    delete: ['ec2:DeleteLaunchTemplate', 'ec2:DeleteTags', 'ec2:DescribeLaunchTemplates'],
    own: () => '*',
  },
  'AWS::EC2::SecurityGroup': {
    source:
      'stackql-registry/stackql-provider-awscc website/docs/services/ec2/security_groups/index.md',
    read: ['ec2:DescribeSecurityGroups'],
    create: [
      'ec2:CreateSecurityGroup',
      'ec2:DescribeSecurityGroups',
      'ec2:AuthorizeSecurityGroupIngress',
      'ec2:AuthorizeSecurityGroupEgress',
      'ec2:RevokeSecurityGroupEgress',
      'ec2:CreateTags',
    ],
    update: [
      'ec2:DescribeSecurityGroups',
      'ec2:AuthorizeSecurityGroupIngress',
      'ec2:AuthorizeSecurityGroupEgress',
      'ec2:RevokeSecurityGroupIngress',
      'ec2:RevokeSecurityGroupEgress',
      // The rules carry descriptions: a changed one is an update of the description alone.
      'ec2:UpdateSecurityGroupRuleDescriptionsIngress',
      'ec2:UpdateSecurityGroupRuleDescriptionsEgress',
      'ec2:CreateTags',
      'ec2:DeleteTags',
    ],
    delete: ['ec2:DescribeSecurityGroups', 'ec2:DeleteSecurityGroup', 'ec2:DescribeInstances'],
    own: () => '*',
  },
  'AWS::EC2::VPCEndpoint': {
    source:
      'stackql-registry/stackql-provider-awscc website/docs/services/ec2/vpc_endpoints/index.md',
    read: VPCE_DESCRIBE,
    create: ['ec2:CreateVpcEndpoint', ...VPCE_DESCRIBE, 'ec2:CreateTags', 'ec2:DeleteTags'],
    update: ['ec2:ModifyVpcEndpoint', ...VPCE_DESCRIBE, 'ec2:CreateTags', 'ec2:DeleteTags'],
    delete: ['ec2:DeleteVpcEndpoints', ...VPCE_DESCRIBE, 'ec2:CreateTags', 'ec2:DeleteTags'],
    own: () => '*',
    omitted:
      'vpc-lattice:CreateServiceNetworkVpcEndpointAssociation (no service network), vpc-lattice:DescribeServiceNetworkVpcEndpointAssociation (in every list, but no such IAM action: nothing to grant), vpce:AllowMultiRegion (the service is in the region)',
  },
  'AWS::ImageBuilder::Component': {
    source:
      'stackql-registry/stackql-provider-awscc website/docs/services/imagebuilder/components/index.md',
    ...imageBuilderLists('Component', { tagOnlyUpdate: true }),
    own: () => '*',
    also: (t) => imageBuilderServiceLinkedRole(t),
    omitted:
      's3:GetObject, HeadBucket, GetBucketLocation (the document is inline Data), kms:* (no key)',
  },
  'AWS::ImageBuilder::ImageRecipe': {
    source:
      'stackql-registry/stackql-provider-awscc website/docs/services/imagebuilder/image_recipes/index.md',
    ...imageBuilderLists('ImageRecipe', {
      uses: ['imagebuilder:GetComponent', 'ec2:DescribeImages'],
      tagOnlyUpdate: true,
    }),
    own: () => '*',
    also: (t) => [
      ...imageBuilderServiceLinkedRole(t),
      // Not in the list: ParentImage is `ssm:<public parameter>`, resolved at create; it is
      // granted (any account: public parameters' ARNs carry none) lest the lookup be the caller's.
      req('ssm:GetParameter', arn(t, 'ssm', `parameter${String(t.props.ParentImage).slice(4)}`)),
    ],
    omitted: 'imagebuilder:GetImage (ParentImage is not an Image Builder image), kms:*',
  },
  'AWS::ImageBuilder::InfrastructureConfiguration': {
    source:
      'stackql-registry/stackql-provider-awscc website/docs/services/imagebuilder/infrastructure_configurations/index.md',
    ...imageBuilderLists('InfrastructureConfiguration'),
    own: () => '*',
    also: (t) => [
      passRole(t, { Ref: 'InstanceRole' }, 'ec2.amazonaws.com'),
      req('iam:GetRole', roleArn(t, 'InstanceRole')),
      req(
        'iam:GetInstanceProfile',
        arn(
          t,
          'iam',
          `instance-profile/${nameOf(t, 'InstanceProfile', 'InstanceProfileName')}`,
          false,
        ),
      ),
      ...imageBuilderServiceLinkedRole(t),
    ],
    omitted: 'sns:Publish (no topic), s3 logging (none)',
  },
  'AWS::ImageBuilder::DistributionConfiguration': {
    source:
      'stackql-registry/stackql-provider-awscc website/docs/services/imagebuilder/distribution_configurations/index.md',
    ...imageBuilderLists('DistributionConfiguration'),
    own: () => '*',
    also: (t) => imageBuilderServiceLinkedRole(t),
    omitted:
      'ec2:DescribeLaunchTemplates, CreateLaunchTemplateVersion, ModifyLaunchTemplate (no launch template configuration), ssm:GetParameter (no SSM parameter output)',
  },
  'AWS::ImageBuilder::ImagePipeline': {
    source:
      'stackql-registry/stackql-provider-awscc website/docs/services/imagebuilder/image_pipelines/index.md',
    ...imageBuilderLists('ImagePipeline', {
      uses: [
        'imagebuilder:GetImageRecipe',
        'imagebuilder:GetInfrastructureConfiguration',
        'imagebuilder:GetDistributionConfiguration',
      ],
    }),
    own: () => '*',
    also: (t) => imageBuilderServiceLinkedRole(t),
    omitted:
      'imagebuilder:GetWorkflow and iam:PassRole (no Workflows, no ExecutionRole), ecr:BatchGetRepositoryScanningConfiguration and inspector2:BatchGetAccountStatus (no ImageScanningConfiguration, no container recipe)',
  },
  'AWS::ImageBuilder::LifecyclePolicy': {
    source:
      'stackql-registry/stackql-provider-awscc website/docs/services/imagebuilder/lifecycle_policies/index.md',
    ...imageBuilderLists('LifecyclePolicy'),
    own: () => '*',
    also: (t) => [passRole(t, t.props.ExecutionRole!, 'imagebuilder.amazonaws.com')],
  },
};

/**
 * An Image Builder type's own lists: Get<Noun> reads; create, update and delete tag and read
 * back. `uses` are what create also reads (the resources it names); some types update only tags.
 */
function imageBuilderLists(
  noun: string,
  opts: { uses?: string[]; tagOnlyUpdate?: boolean } = {},
): Pick<Handler, 'read' | 'create' | 'update' | 'delete'> {
  const get = `imagebuilder:Get${noun}`;
  return {
    read: [get],
    create: [`imagebuilder:Create${noun}`, get, ...(opts.uses ?? []), 'imagebuilder:TagResource'],
    update: opts.tagOnlyUpdate
      ? TAG_ONLY_UPDATE
      : [
          `imagebuilder:Update${noun}`,
          get,
          'imagebuilder:TagResource',
          'imagebuilder:UntagResource',
        ],
    delete: [get, 'imagebuilder:UntagResource', `imagebuilder:Delete${noun}`],
  };
}

/**
 * Image Builder's service-linked role: looked up (iam:GetRole), and created on first use of the
 * service in the account.
 */
function imageBuilderServiceLinkedRole(t: Target): Request[] {
  const role = arn(
    t,
    'iam',
    'role/aws-service-role/imagebuilder.amazonaws.com/AWSServiceRoleForImageBuilder',
    false,
  );
  return [
    req('iam:GetRole', role),
    req('iam:CreateServiceLinkedRole', role, {
      'iam:AWSServiceName': 'imagebuilder.amazonaws.com',
    }),
  ];
}

/** The stacks the service role makes (the access stack is an administrator's). */
const SERVICE_STACKS = (stacks: RenderedStack[]) => stacks.filter((s) => s.kind !== 'access');

/**
 * The environment with every optional part on (a standby gateway per zone, the Step Functions
 * endpoint), so the requests cover every type any config renders.
 */
export function everyPart(env: Environment): Environment {
  return {
    ...env,
    gateway: { ...env.gateway, mode: 'per-zone' },
    checker: { ...env.checker, stepFunctionsEndpoint: 'create' },
  } as Environment;
}

/** Every request the handlers make for the stacks' resources (of one type, if given). */
export function handlerRequests(env: Environment, stacks = renderStacks(env), type?: string) {
  const out: Request[] = [];
  for (const stack of SERVICE_STACKS(stacks)) {
    for (const [id, r] of Object.entries(stack.template.Resources)) {
      if (type && r.Type !== type) continue;
      const h = HANDLERS[r.Type];
      if (!h) throw new Error(`no handler permissions tabled for ${r.Type} (${stack.kind}/${id})`);
      const t: Target = { env, stack, id, props: (r.Properties ?? {}) as Props };
      const own = h.own(t);
      for (const a of new Set([...(h.read ?? []), ...h.create, ...h.update, ...h.delete])) {
        out.push(req(a, a.startsWith('ec2:Describe') ? '*' : own));
      }
      out.push(...(h.also?.(t) ?? []));
    }
  }
  return out;
}

/** The service role's requests, as one explicit case per type. */
export const CFN_HANDLER_CASES: ExplicitCase[] = Object.keys(HANDLERS).map((type) => ({
  role: 'access/CloudFormationRole',
  why: `CloudFormation creates, updates and deletes ${type} with the service role (the type's handlers.*.permissions)`,
  requests: ({ env }) => handlerRequests(everyPart(env), undefined, type),
}));
