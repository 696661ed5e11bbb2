// workflows stack: the four state machines, each with its log group and a least-privilege role.
// Ids that other stacks own (standby gateways, launch template, image pipeline, instance role)
// come in as parameters and reach the definitions through DefinitionSubstitutions.
import type { Environment } from '../lib/config/schema.js';
import {
  assumeRolePolicy,
  getAtt,
  ref,
  tagList,
  zoneKey,
  type Json,
  type RenderedStack,
  type StackInput,
  type Template,
} from '../lib/cfn.js';
import {
  amiParameter,
  imagePipelineName,
  imageResourceName,
  instanceRoleName,
  stackName,
  stateMachineLogGroup,
  stateMachineName,
  tags,
  TAG,
  WORKFLOWS,
  type WorkflowName,
} from '../lib/names.js';
import {
  workflowDefinitions,
  type WorkflowOptions,
  type WorkflowRefs,
} from '../lib/workflows/index.js';
import { adoptedStandby } from '../lib/fleet.js';
import { REGIONAL_GATEWAY } from './gateway.js';
import { handoffStatements } from './handoff-iam.js';
import { runCommandStatements } from './run-command-iam.js';
import { LOCKED, lockParameter } from '../lib/workflows/lock.js';
import { HOLD_TAG } from '../lib/holds.js';
import { LOG_DELIVERY_ACTIONS } from './log-delivery.js';

const sub = (s: string): Json => ({ 'Fn::Sub': s });
const arn = (service: string, resource: string, account = '${AWS::AccountId}') =>
  sub(`arn:\${AWS::Partition}:${service}:\${AWS::Region}:${account}:${resource}`);
const allow = (Sid: string, Action: string[], Resource: Json, Condition?: Json): Json => ({
  Sid,
  Effect: 'Allow',
  Action,
  Resource,
  ...(Condition ? { Condition } : {}),
});

/** The stack's parameters that deploy fills from the gateway and fleet stacks' resources. */
function stackInputs(env: Environment): Record<string, StackInput> {
  const inputs: Record<string, StackInput> = {
    LaunchTemplateId: {
      stack: 'fleet',
      logicalId: 'LaunchTemplate',
      value: 'id',
      placeholder: 'lt-00000000000000000',
    },
  };
  for (const z of env.zones) {
    const g = gatewayParam(env, z.availabilityZone);
    if (g)
      inputs[g] = { stack: 'gateway', logicalId: g, value: 'id', placeholder: NAT_PLACEHOLDER };
    const e = eipParam(z);
    if (e) {
      inputs[e] = {
        stack: 'fleet',
        logicalId: `Eip${zoneKey(z.availabilityZone)}`,
        value: 'allocation-id',
        placeholder: 'eipalloc-00000000000000000',
      };
    }
  }
  return inputs;
}

const NAT_PLACEHOLDER = 'nat-00000000000000000';

/** The gateway stack's logical id of a zone's standby; none when the standby is adopted. */
function gatewayParam(env: Environment, zone: string): string | undefined {
  if (adoptedStandby(env, zone)) return undefined;
  if (env.gateway.mode === 'regional') return REGIONAL_GATEWAY;
  return env.gateway.mode === 'shared' ? 'GatewayShared' : `Gateway${zoneKey(zone)}`;
}

/** The fleet stack makes a zone's Elastic IP unless the zone brings its own. */
function eipParam(z: Environment['zones'][number]): string | undefined {
  return z.eipAllocation ? undefined : `EipAllocation${zoneKey(z.availabilityZone)}`;
}

function refsFor(env: Environment): WorkflowRefs {
  const gateways: Record<string, string> = {};
  const eipAllocations: Record<string, string> = {};
  for (const z of env.zones) {
    const p = gatewayParam(env, z.availabilityZone);
    gateways[z.availabilityZone] = p ? `\${${p}}` : adoptedStandby(env, z.availabilityZone)!;
    const e = eipParam(z);
    eipAllocations[z.availabilityZone] = e ? `\${${e}}` : z.eipAllocation!;
  }
  return {
    gateways,
    eipAllocations,
    launchTemplateId: '${LaunchTemplateId}',
    amiParameter: amiParameter(env.name),
    imagePipelineArn: '${ImagePipelineArn}',
    replaceInstancesArn: '${ReplaceInstancesArn}',
    fallbackArn: '${FallbackArn}',
  };
}

// Fixed names make these ARNs known without reading the fleet and image stacks.
const instanceRoleArn = (env: Environment) =>
  sub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${instanceRoleName(env.name)}`);
const imagePipelineArn = (env: Environment) =>
  arn('imagebuilder', `image-pipeline/${imagePipelineName(env.name)}`);

/** Every aws-sdk action a definition's tasks call, as IAM names it (ec2:DescribeRouteTables). */
function sdkActions(definition: unknown): Set<string> {
  const found = new Set<string>();
  const text = JSON.stringify(definition);
  for (const m of text.matchAll(/arn:aws:states:::aws-sdk:([a-z0-9]+):([A-Za-z0-9]+)/g)) {
    found.add(`${m[1]}:${m[2]!.charAt(0).toUpperCase()}${m[2]!.slice(1)}`);
  }
  return found;
}

/**
 * Each workflow's role: what its own definition calls and nothing else (docs/iam.md lists every
 * statement and the calls that need it; test/integration/iam-proof.test.ts proves both ways).
 * Route changes are granted by the VPC (a condition), not one ARN per route table: the policy
 * stays the same size however many tables the fleet serves (docs/adr/0100).
 */
function policies(env: Environment, wf: WorkflowName, definition: unknown): Json[] {
  const calls = sdkActions(definition);
  const tag = (kind: 'Request' | 'Resource', role: 'nat-instance' | 'image') => ({
    StringEquals: {
      [`aws:${kind}Tag/${TAG.environment}`]: env.name,
      [`aws:${kind}Tag/${TAG.role}`]: role,
    },
  });
  const vpc = { ArnEquals: { 'ec2:Vpc': arn('ec2', `vpc/${env.vpcId}`) } };
  // Step Functions delivers the execution log with the role; these take no resource.
  const out: Json[] = [allow('LogDelivery', [...LOG_DELIVERY_ACTIONS], '*')];
  // Describe calls have no resource-level permissions.
  const describe = [...calls].filter((a) => a.startsWith('ec2:Describe')).sort();
  if (describe.length) out.push(allow('Describe', describe, '*'));
  const routes = ['ec2:ReplaceRoute', 'ec2:CreateRoute'].filter((a) => calls.has(a));
  if (routes.length) out.push(allow('RoutesOfTheVpc', routes, arn('ec2', 'route-table/*'), vpc));
  out.push(...coordination(env, wf, vpc));
  // The path check on the instance before a zone moves to it (and the handoff's commands).
  if (wf === 'Fallback' || wf === 'ReplaceInstances') out.push(...runCommandStatements(env));
  if (wf === 'ReplaceInstances') {
    const eips = env.zones.map((z) =>
      arn('ec2', `elastic-ip/${z.eipAllocation ?? `\${${eipParam(z)}}`}`),
    );
    out.push(
      allow('CurrentImage', ['ssm:GetParameter'], arn('ssm', `parameter${amiParameter(env.name)}`)),
      allow(
        'LaunchTaggedInstance',
        ['ec2:RunInstances'],
        arn('ec2', 'instance/*'),
        tag('Request', 'nat-instance'),
      ),
      allow(
        'LaunchInPublicSubnets',
        ['ec2:RunInstances'],
        [
          ...env.zones.map((z) => arn('ec2', `subnet/${z.publicSubnet}`)),
          arn('ec2', 'network-interface/*'),
        ],
        vpc,
      ),
      allow(
        'LaunchVolume',
        ['ec2:RunInstances'],
        arn('ec2', 'volume/*'),
        tag('Request', 'nat-instance'),
      ),
      allow(
        'LaunchFromTemplate',
        ['ec2:RunInstances'],
        arn('ec2', 'launch-template/${LaunchTemplateId}'),
      ),
      allow(
        'LaunchWithFleetGroup',
        ['ec2:RunInstances'],
        arn('ec2', 'security-group/*'),
        tag('Resource', 'nat-instance'),
      ),
      // Only AMIs this environment's image pipeline made (the distribution tags them).
      allow(
        'LaunchFleetImage',
        ['ec2:RunInstances'],
        arn('ec2', 'image/*', ''),
        tag('Resource', 'image'),
      ),
      // Tags at launch need CreateTags on every resource type the launch tags.
      allow(
        'TagAtLaunch',
        ['ec2:CreateTags'],
        ['instance', 'volume', 'network-interface'].map((t) => arn('ec2', `${t}/*`)),
        {
          StringEquals: {
            'ec2:CreateAction': 'RunInstances',
            [`aws:RequestTag/${TAG.environment}`]: env.name,
          },
        },
      ),
      // The fleet's own instances: the Image Builder build instances carry role "image".
      allow(
        'FleetInstances',
        [
          'ec2:TerminateInstances',
          'ec2:ModifyInstanceAttribute',
          // A floating address carries the Elastic IP instead (HandoffAssociateElasticIp).
          ...(eips.length && env.instance.egress !== 'floating' ? ['ec2:AssociateAddress'] : []),
        ],
        arn('ec2', 'instance/*'),
        tag('Resource', 'nat-instance'),
      ),
      allow('PassInstanceRole', ['iam:PassRole'], instanceRoleArn(env), {
        StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' },
      }),
    );
    if (eips.length) out.push(allow('ZoneAddresses', ['ec2:AssociateAddress'], eips));
    out.push(...handoffStatements(env));
  }
  if (wf === 'Maintenance') {
    const children = (['ReplaceInstances', 'Fallback'] as const).map((c) =>
      stateMachineName(env.name, c),
    );
    out.push(
      allow('BuildImage', ['imagebuilder:StartImagePipelineExecution'], imagePipelineArn(env)),
      // Builds of this environment's recipe only: image/<recipe>/<version>/<build>.
      allow(
        'FollowBuild',
        ['imagebuilder:GetImage', 'imagebuilder:CancelImageCreation'],
        arn('imagebuilder', `image/${imageResourceName(env.name, 'recipe')}/*`),
      ),
      allow('PublishImage', ['ssm:PutParameter'], arn('ssm', `parameter${amiParameter(env.name)}`)),
      allow(
        'StartChildren',
        ['states:StartExecution'],
        children.map((c) => arn('states', `stateMachine:${c}`)),
      ),
      allow(
        'FollowChildren',
        ['states:DescribeExecution', 'states:StopExecution'],
        children.map((c) => arn('states', `execution:${c}:*`)),
      ),
      // startExecution.sync follows the children through this managed rule.
      allow(
        'SyncRule',
        ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        arn('events', 'rule/StepFunctionsGetEventsForStepFunctionsExecutionRule'),
      ),
    );
  }
  return out;
}

/**
 * What coordination between runs needs (ADRs 0110–0112): Failover writes a zone's hold (only the
 * hold's tags, on the VPC's route tables, like its routes); the locked workflows take and give
 * back the environment's lock and read the execution that may hold it.
 */
function coordination(env: Environment, wf: WorkflowName, vpc: Json): Json[] {
  if (wf === 'Failover') {
    return [
      allow('HoldZones', ['ec2:CreateTags'], arn('ec2', 'route-table/*'), {
        ...(vpc as object),
        'ForAllValues:StringEquals': { 'aws:TagKeys': Object.values(HOLD_TAG) },
      }),
    ];
  }
  if (!(LOCKED as readonly string[]).includes(wf)) return [];
  return [
    allow(
      'EnvironmentLock',
      ['ssm:PutParameter', 'ssm:GetParameter', 'ssm:DeleteParameter'],
      arn('ssm', `parameter${lockParameter(env.name)}`),
    ),
    allow(
      'LockHolder',
      ['states:DescribeExecution'],
      LOCKED.map((w) => arn('states', `execution:${stateMachineName(env.name, w)}:*`)),
    ),
  ];
}

export function workflowsStack(env: Environment, options: WorkflowOptions = {}): RenderedStack {
  const t: Template = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `natfleet ${env.name}: workflows Failover, Fallback, ReplaceInstances, Maintenance`,
    Parameters: {},
    Resources: {},
    Outputs: {},
  };
  const params = t.Parameters!;
  const inputs = stackInputs(env);
  for (const [name, input] of Object.entries(inputs)) {
    params[name] = {
      Type: 'String',
      AllowedPattern: `^${input.placeholder.split('-')[0]}-[0-9a-f]{8,17}$`,
      Description: `${input.logicalId} of stack ${stackName(env.name, input.stack)}`,
    };
  }
  const defs = workflowDefinitions(env, refsFor(env), options);
  const substitutions: Record<string, Json> = {
    ImagePipelineArn: imagePipelineArn(env),
    ReplaceInstancesArn: ref('ReplaceInstancesStateMachine'),
    FallbackArn: ref('FallbackStateMachine'),
  };
  for (const p of Object.keys(inputs)) substitutions[p] = ref(p);
  const used = (wf: WorkflowName) => {
    const text = JSON.stringify(defs[wf]);
    return Object.fromEntries(
      Object.entries(substitutions).filter(([k]) => text.includes(`\${${k}}`)),
    );
  };
  for (const wf of WORKFLOWS) {
    const name = stateMachineName(env.name, wf);
    const resourceTags = tags(env.name, 'workflow', undefined, name);
    t.Resources[`${wf}Logs`] = {
      Type: 'AWS::Logs::LogGroup',
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
      Properties: {
        LogGroupName: stateMachineLogGroup(env.name, wf),
        RetentionInDays: 90,
        Tags: tagList(resourceTags),
      },
    };
    t.Resources[`${wf}Role`] = {
      Type: 'AWS::IAM::Role',
      Properties: {
        Description: `natfleet ${env.name}: what the ${wf} state machine may do`,
        AssumeRolePolicyDocument: assumeRolePolicy('states.amazonaws.com', {
          StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') },
        }),
        Policies: [
          {
            PolicyName: wf,
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: policies(env, wf, defs[wf]),
            },
          },
        ],
        Tags: tagList(resourceTags),
      },
    };
    const subs = used(wf);
    t.Resources[`${wf}StateMachine`] = {
      Type: 'AWS::StepFunctions::StateMachine',
      Properties: {
        StateMachineName: name,
        StateMachineType: 'STANDARD',
        RoleArn: getAtt(`${wf}Role`, 'Arn'),
        Definition: defs[wf] as unknown as Json,
        ...(Object.keys(subs).length ? { DefinitionSubstitutions: subs } : {}),
        LoggingConfiguration: {
          Level: 'ALL',
          IncludeExecutionData: true,
          Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: getAtt(`${wf}Logs`, 'Arn') } }],
        },
        Tags: tagList(resourceTags),
      },
    };
    t.Outputs![`${wf}Arn`] = {
      Description: `${wf} state machine`,
      Value: ref(`${wf}StateMachine`),
    };
  }
  return {
    kind: 'workflows',
    name: stackName(env.name, 'workflows'),
    template: t,
    parameters: {},
    inputs,
  };
}
