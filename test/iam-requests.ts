// What AWS authorises for one recorded call: each IAM action, on each resource, with the request
// context AWS fills in — the implicit ones included (ec2:CreateTags for TagSpecifications at
// launch, iam:PassRole for the launch template's instance profile, the resources the launch
// template brings). What the call's input does not say comes from the rendered templates (the
// launch template, the AMI tags the image distribution sets) or from the recorded facts.
import type { Json } from '../lib/cfn.js';
import type { Environment } from '../lib/config/schema.js';
import { fleetStack } from '../cloudformation/fleet.js';
import { imageStack } from '../cloudformation/image.js';
import { instanceRoleName, stateMachineName } from '../lib/names.js';
import type { Call, Setting } from './calls.js';

export type ContextValue = string | string[];

export interface Request {
  action: string;
  /** An ARN, or * for actions without resource-level permissions. */
  resource: string;
  context: Record<string, ContextValue>;
}

type Tags = Record<string, string>;
const tagContext = (kind: 'Request' | 'Resource', tags: Tags, service = 'aws') => {
  const ctx: Record<string, ContextValue> = {};
  for (const [k, v] of Object.entries(tags)) ctx[`${service}:${kind}Tag/${k}`] = v;
  if (kind === 'Request') ctx['aws:TagKeys'] = Object.keys(tags);
  return ctx;
};
const resourceTags = (tags: Tags) => ({
  ...tagContext('Resource', tags),
  ...tagContext('Resource', tags, 'ec2'),
});
const tagsOf = (list: unknown): Tags =>
  Object.fromEntries(
    ((list as { Key: string; Value: string }[]) ?? []).map((t) => [t.Key, String(t.Value)]),
  );

/** What the rendered templates say that a launch adds to its request. */
interface LaunchTemplateFacts {
  securityGroupTags: Tags;
  tagSpecifications: Record<string, Tags>;
  imageTags: Tags;
}

function launchTemplateFacts(env: Environment): LaunchTemplateFacts {
  const fleet = fleetStack(env).template.Resources;
  const data = (fleet.LaunchTemplate!.Properties as { LaunchTemplateData: Record<string, Json> })
    .LaunchTemplateData;
  const specs = data.TagSpecifications as { ResourceType: string; Tags: Json }[];
  const sg = fleet.SecurityGroup!.Properties as { Tags: Json };
  const dist = imageStack(env).template.Resources.Distribution!.Properties as {
    Distributions: { AmiDistributionConfiguration: { AmiTags: Tags } }[];
  };
  return {
    securityGroupTags: tagsOf(sg.Tags),
    tagSpecifications: Object.fromEntries(specs.map((s) => [s.ResourceType, tagsOf(s.Tags)])),
    imageTags: dist.Distributions[0]!.AmiDistributionConfiguration.AmiTags,
  };
}

/** The fleet's security group id where the template only has Ref SecurityGroup. */
export const FLEET_SECURITY_GROUP = 'sg-0f1ee7000000000001';

/** Step Functions passes PascalCase parameters where the SDK v3 names some camelCase. */
function field(i: Record<string, unknown>, name: string): string {
  const v = i[name] ?? i[name.charAt(0).toLowerCase() + name.slice(1)];
  if (typeof v !== 'string') throw new Error(`no ${name} in ${JSON.stringify(i)}`);
  return v;
}

/** Step Functions calls (IAM's `states:` actions) and the input field that holds their ARN. */
const SFN_ARN: Record<string, string> = {
  ListExecutions: 'StateMachineArn',
  DescribeExecution: 'ExecutionArn',
  StartExecution: 'StateMachineArn',
  GetExecutionHistory: 'ExecutionArn',
  StopExecution: 'ExecutionArn',
  DescribeStateMachine: 'StateMachineArn',
};

export function requestsOf(call: Call, setting: Setting): Request[] {
  const { env } = setting;
  const A = env.accountId;
  const R = env.region;
  const ec2 = (r: string, account = A) => `arn:aws:ec2:${R}:${account}:${r}`;
  const vpc = { 'ec2:Vpc': ec2(`vpc/${env.vpcId}`) };
  const i = call.input;
  const one = (action: string, resource: string, context: Record<string, ContextValue> = {}) => [
    { action, resource, context },
  ];
  const instance = (id: string, extra: Record<string, ContextValue> = {}): Request['context'] => ({
    ...resourceTags(call.instanceTags?.[id] ?? {}),
    ...extra,
  });
  const eniContext = (): Request['context'] => {
    const subnet = call.interfaceSubnets?.[String(i.NetworkInterfaceId)];
    return subnet ? { 'ec2:Subnet': ec2(`subnet/${subnet}`), ...vpc } : vpc;
  };
  const op = `${call.service}:${call.operation}`;
  switch (op) {
    case 'ec2:DescribeRouteTables':
    case 'ec2:DescribeNatGateways':
    case 'ec2:DescribeInstances':
    case 'ec2:DescribeInstanceStatus':
    case 'ec2:DescribeSubnets':
    case 'ec2:DescribeNetworkInterfaces':
      return one(op, '*');
    case 'ec2:AssignPrivateIpAddresses':
      return one(op, ec2(`network-interface/${i.NetworkInterfaceId}`), eniContext());
    case 'ec2:ReplaceRoute':
    case 'ec2:CreateRoute':
      return one(op, ec2(`route-table/${i.RouteTableId}`), {
        ...vpc,
        'ec2:RouteTableID': String(i.RouteTableId),
      });
    case 'ec2:CreateTags': // a zone's hold, on its route tables (the launch's are in RunInstances)
      return (i.Resources as string[]).map((id) => ({
        action: op,
        resource: ec2(`route-table/${id}`),
        context: { ...vpc, ...tagContext('Request', tagsOf(i.Tags)) },
      }));
    case 'ec2:ModifyInstanceAttribute':
      return one(op, ec2(`instance/${i.InstanceId}`), instance(String(i.InstanceId)));
    case 'ec2:TerminateInstances':
      return (i.InstanceIds as string[]).map((id) => ({
        action: op,
        resource: ec2(`instance/${id}`),
        context: instance(id),
      }));
    case 'ec2:AssociateAddress':
      return [
        ...(i.InstanceId
          ? one(op, ec2(`instance/${i.InstanceId}`), instance(String(i.InstanceId)))
          : []),
        ...(i.NetworkInterfaceId
          ? one(op, ec2(`network-interface/${i.NetworkInterfaceId}`), eniContext())
          : []),
        ...one(op, ec2(`elastic-ip/${i.AllocationId}`), {
          'ec2:AllocationId': String(i.AllocationId),
        }),
      ];
    case 'ec2:RunInstances':
      return runInstances(call, setting, ec2);
    case 'ssm:GetParameter':
    case 'ssm:PutParameter':
    case 'ssm:DeleteParameter':
      return one(op, `arn:aws:ssm:${R}:${A}:parameter${i.Name}`);
    case 'ssm:ListCommands':
    case 'ssm:GetCommandInvocation':
      return one(op, '*');
    case 'ssm:SendCommand':
      return [
        ...one(op, `arn:aws:ssm:${R}::document/${i.DocumentName}`),
        ...(i.InstanceIds as string[]).map((id) => {
          const t = call.instanceTags?.[id] ?? {};
          return {
            action: op,
            resource: ec2(`instance/${id}`),
            context: { ...tagContext('Resource', t), ...tagContext('Resource', t, 'ssm') },
          };
        }),
      ];
    case 'imagebuilder:StartImagePipelineExecution':
      return one(op, field(i, 'ImagePipelineArn'));
    case 'imagebuilder:GetImage':
    case 'imagebuilder:CancelImageCreation':
      return one(op, field(i, 'ImageBuildVersionArn'));
    case 'states:startExecution.sync:2':
    case 'states:startExecution.sync':
      return startSync(i, A, R);
    case 'sts:GetCallerIdentity': // needs no permission (AWS STS API Reference)
      return [];
    case 'ec2:DescribeVpcs':
    case 'ec2:DescribeAddresses':
    case 'ec2:DescribeImages':
      return one(op, '*');
    case 'ec2:DeleteTags': // a zone's hold lifted, on its route tables
      return (i.Resources as string[]).map((id) => ({
        action: op,
        resource: ec2(`route-table/${id}`),
        context: { ...vpc, 'aws:TagKeys': ((i.Tags as { Key: string }[]) ?? []).map((t) => t.Key) },
      }));
    default:
      if (call.service === 'sfn' && Object.hasOwn(SFN_ARN, call.operation)) {
        return one(`states:${call.operation}`, field(i, SFN_ARN[call.operation]!));
      }
      if (call.service === 'cloudformation') return cloudFormation(call, setting);
      if (call.service === 's3') return s3(call);
      throw new Error(
        `${call.role}: no IAM mapping for ${op}; add it to test/iam-requests.ts (AWS's Service Authorization Reference names its actions and resources)`,
      );
  }
}

/**
 * A launch from the launch template: RunInstances on every resource it touches, CreateTags for
 * each tagged resource type (the request's and the template's tag specifications), and PassRole
 * of the template's instance profile role.
 */
function runInstances(call: Call, setting: Setting, ec2: (r: string, a?: string) => string) {
  const { env } = setting;
  const i = call.input;
  const lt = launchTemplateFacts(env);
  const ltId = (i.LaunchTemplate as { LaunchTemplateId: string }).LaunchTemplateId;
  const ltArn = ec2(`launch-template/${ltId}`);
  const fromTemplate = { 'ec2:LaunchTemplate': ltArn, 'ec2:IsLaunchTemplateResource': 'true' };
  const requested = Object.fromEntries(
    ((i.TagSpecifications as { ResourceType: string; Tags: Json }[]) ?? []).map((s) => [
      s.ResourceType,
      tagsOf(s.Tags),
    ]),
  );
  const tagged: Record<string, Tags> = { ...lt.tagSpecifications };
  for (const [type, t] of Object.entries(requested)) tagged[type] = { ...tagged[type], ...t };
  const vpc = { 'ec2:Vpc': ec2(`vpc/${env.vpcId}`) };
  const run = (resource: string, context: Record<string, ContextValue>): Request => ({
    action: 'ec2:RunInstances',
    resource,
    context: { 'ec2:LaunchTemplate': ltArn, ...context },
  });
  const out: Request[] = [
    run(ec2('instance/*'), tagContext('Request', tagged.instance ?? {})),
    run(ec2('network-interface/*'), {
      ...vpc,
      'ec2:Subnet': ec2(`subnet/${i.SubnetId}`),
      ...tagContext('Request', tagged['network-interface'] ?? {}),
    }),
    run(ec2('volume/*'), tagContext('Request', tagged.volume ?? {})),
    run(ec2(`subnet/${i.SubnetId}`), vpc),
    run(ec2(`security-group/${FLEET_SECURITY_GROUP}`), {
      ...vpc,
      ...fromTemplate,
      ...resourceTags(lt.securityGroupTags),
    }),
    run(ec2(`image/${i.ImageId}`, ''), {
      'ec2:Owner': env.accountId,
      ...resourceTags(lt.imageTags),
    }),
    run(ltArn, {}),
  ];
  for (const [type, t] of Object.entries(tagged)) {
    out.push({
      action: 'ec2:CreateTags',
      resource: ec2(`${type}/*`),
      context: { 'ec2:CreateAction': 'RunInstances', ...tagContext('Request', t) },
    });
  }
  out.push({
    action: 'iam:PassRole',
    resource: `arn:aws:iam::${env.accountId}:role/${instanceRoleName(env.name)}`,
    context: { 'iam:PassedToService': 'ec2.amazonaws.com' },
  });
  return out;
}

/**
 * startExecution.sync:2, as Step Functions documents it: StartExecution of the child, then
 * DescribeExecution and StopExecution of its execution, through its managed EventBridge rule.
 */
function startSync(i: Record<string, unknown>, A: string, R: string): Request[] {
  const sm = String(i.StateMachineArn);
  const exec = `${sm.replace(':stateMachine:', ':execution:')}:${String(i.Name ?? 'execution')}`;
  const rule = `arn:aws:events:${R}:${A}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule`;
  return [
    { action: 'states:StartExecution', resource: sm, context: {} },
    { action: 'states:DescribeExecution', resource: exec, context: {} },
    { action: 'states:StopExecution', resource: exec, context: {} },
    ...['events:PutTargets', 'events:PutRule', 'events:DescribeRule'].map((action) => ({
      action,
      resource: rule,
      context: {},
    })),
  ];
}

/** The role of a state machine of the workflows stack, from its name. */
export function workflowRole(env: string) {
  return (machine: string): string => {
    for (const wf of ['Failover', 'Fallback', 'ReplaceInstances', 'Maintenance'] as const) {
      if (machine === stateMachineName(env, wf)) return `workflows/${wf}Role`;
    }
    throw new Error(`state machine ${machine} is not one of environment ${env}'s`);
  };
}

/** A stack's ARN from its name (or ARN): the id part is CloudFormation's, any will do. */
const stackArn = (nameOrArn: string, A: string, R: string) =>
  nameOrArn.startsWith('arn:')
    ? nameOrArn
    : `arn:aws:cloudformation:${R}:${A}:stack/${nameOrArn}/0a1b2c3d-0000-4000-8000-000000000000`;
/** A change set's name from its name or ARN (…:changeSet/<name>/<id>). */
const changeSetName = (v: string) => (v.startsWith('arn:') ? v.split('/')[1]! : v);

/**
 * CloudFormation, as its Service Authorization Reference has it: stack actions on the stack,
 * change set actions on the stack with the change set's name, role and template URL as keys;
 * a change set run as a service role needs iam:PassRole of it to CloudFormation.
 */
function cloudFormation(call: Call, setting: Setting): Request[] {
  const { accountId: A, region: R } = setting.env;
  const i = call.input;
  const action = `cloudformation:${call.operation}`;
  switch (call.operation) {
    case 'ListStacks':
      return [{ action, resource: '*', context: {} }];
    case 'DescribeStacks':
    case 'DescribeStackResources':
    case 'DescribeStackEvents':
    case 'GetTemplate':
    case 'ListChangeSets':
      return [{ action, resource: stackArn(String(i.StackName), A, R), context: {} }];
    case 'CreateChangeSet':
    case 'DescribeChangeSet':
    case 'DeleteChangeSet':
    case 'ExecuteChangeSet': {
      const name = changeSetName(String(i.ChangeSetName));
      // By ARN the change set names its stack; by name the input does.
      const stack = String(i.StackName ?? String(i.ChangeSetName).replace(/:changeSet\/.*/, ''));
      const context: Record<string, ContextValue> = { 'cloudformation:ChangeSetName': name };
      if (typeof i.RoleARN === 'string') context['cloudformation:RoleArn'] = i.RoleARN;
      if (typeof i.TemplateURL === 'string') context['cloudformation:TemplateUrl'] = i.TemplateURL;
      const out: Request[] = [{ action, resource: stackArn(stack, A, R), context }];
      // CloudFormation reads a TemplateURL with the caller's rights (its User Guide, "Uploading
      // templates to Amazon S3"): the object's version when the URL pins one.
      if (call.operation === 'CreateChangeSet' && typeof i.TemplateURL === 'string')
        out.push(templateRead(i.TemplateURL));
      if (call.operation === 'CreateChangeSet' && typeof i.RoleARN === 'string')
        out.push({
          action: 'iam:PassRole',
          resource: i.RoleARN,
          context: { 'iam:PassedToService': 'cloudformation.amazonaws.com' },
        });
      return out;
    }
    default:
      throw new Error(`${call.role}: no IAM mapping for cloudformation:${call.operation}`);
  }
}

function templateRead(url: string): Request {
  const u = new URL(url);
  const bucket = u.hostname.split('.s3.')[0]!;
  return {
    action: u.searchParams.has('versionId') ? 's3:GetObjectVersion' : 's3:GetObject',
    resource: `arn:aws:s3:::${bucket}${decodeURIComponent(u.pathname)}`,
    context: {},
  };
}

/** S3, by object or bucket ARN; HeadObject is authorised as GetObject, HeadBucket as ListBucket. */
function s3(call: Call): Request[] {
  const i = call.input;
  const bucket = `arn:aws:s3:::${String(i.Bucket)}`;
  const object = `${bucket}/${String(i.Key)}`;
  const versioned = typeof i.VersionId === 'string';
  switch (call.operation) {
    case 'PutObject':
      return [{ action: 's3:PutObject', resource: object, context: {} }];
    case 'GetObject':
    case 'HeadObject':
      return [
        {
          action: versioned ? 's3:GetObjectVersion' : 's3:GetObject',
          resource: object,
          context: {},
        },
      ];
    case 'HeadBucket':
    case 'ListObjectsV2':
      return [{ action: 's3:ListBucket', resource: bucket, context: {} }];
    default:
      throw new Error(`${call.role}: no IAM mapping for s3:${call.operation}`);
  }
}
