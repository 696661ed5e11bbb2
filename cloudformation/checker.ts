// checker stack: per zone a Lambda in the zone's private subnet that probes the internet through
// the zone's NAT every minute and starts Failover; alarms as the operator's alert and as a
// second path to Failover; the Step Functions endpoint that keeps that call inside the VPC.
import { checkerVariables } from '../lib/checker/settings.js';
import type { Environment, Zone } from '../lib/config/schema.js';
import {
  CHECKER_LOG_RETENTION_DAYS,
  CHECKER_MEMORY_MB,
  CHECKER_RUNTIME,
  CHECKER_TIMEOUT_SECONDS,
  CHECKER_CONCURRENCY,
  alarmFailedRounds,
  ON_GATEWAY_ALARM_MINUTES,
} from '../lib/defaults.js';
import {
  METRICS,
  alarmName,
  alarmRoleName,
  alarmRuleName,
  artifactsBucket,
  checkerFunctionName,
  checkerLogGroup,
  checkerRoleName,
  checkerRuleName,
  securityGroupName,
  stackName,
  stateMachineArnSub,
  TAG,
  tags,
  type WorkflowName,
  UNBUILT_CODE_KEY,
} from '../lib/names.js';
import { ALL_PROTOCOLS_METADATA } from './fleet.js';
import {
  assumeRolePolicy,
  getAtt,
  ref,
  tagList,
  zoneKey,
  type Json,
  type RenderedStack,
  type Resource,
  type Template,
} from '../lib/cfn.js';

const sub = (s: string): Json => ({ 'Fn::Sub': s });

/** Minutes in a row of checker errors or silence before the checker-alive alarm. */
export const CHECKER_SILENT_MINUTES = 3;

/**
 * The endpoint's own regional name: the first of its DNS entries ("<zone id>:<name>"). The
 * checker's SDK is pointed at it (NATFLEET_STATES_ENDPOINT).
 */
export function statesEndpointUrl(): Json {
  return {
    'Fn::Join': [
      '',
      [
        'https://',
        {
          'Fn::Select': [
            1,
            { 'Fn::Split': [':', { 'Fn::Select': [0, getAtt('StatesEndpoint', 'DnsEntries')] }] },
          ],
        },
      ],
    ],
  };
}

/** Through the endpoint: the checker role starting this environment's Failover (and Fallback). */
export function endpointPolicy(env: Environment): Json {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'CheckerStartsItsWorkflows',
        Effect: 'Allow',
        Principal: '*',
        Action: 'states:StartExecution',
        Resource: checkerStartable(env).map((wf) => sub(stateMachineArnSub(env.name, wf))),
        Condition: { ArnEquals: { 'aws:PrincipalArn': getAtt('Role', 'Arn') } },
      },
    ],
  };
}

/** The workflows the checker may start: Failover, and Fallback only with auto-fallback on. */
export function checkerStartable(env: Environment): WorkflowName[] {
  return env.checker.autoFallback ? ['Failover', 'Fallback'] : ['Failover'];
}

function checkerRole(env: Environment): Resource {
  const e = env.name;
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      RoleName: checkerRoleName(e),
      Description: `natfleet ${e} checker: probe, log, start failover`,
      AssumeRolePolicyDocument: assumeRolePolicy('lambda.amazonaws.com'),
      Policies: [
        {
          PolicyName: 'checker',
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'StartWorkflows',
                Effect: 'Allow',
                Action: 'states:StartExecution',
                Resource: checkerStartable(env).map((wf) => sub(stateMachineArnSub(e, wf))),
              },
              {
                Sid: 'Logs',
                Effect: 'Allow',
                Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
                Resource: env.zones.map((z) =>
                  sub(
                    `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${checkerLogGroup(e, z.availabilityZone)}:*`,
                  ),
                ),
              },
              {
                // Lambda attaches the function's network interfaces in the private subnets with
                // the execution role. None of these actions supports a narrower resource.
                Sid: 'LambdaVpcAccess',
                Effect: 'Allow',
                Action: [
                  'ec2:CreateNetworkInterface',
                  'ec2:DescribeNetworkInterfaces',
                  'ec2:DeleteNetworkInterface',
                  'ec2:AssignPrivateIpAddresses',
                  'ec2:UnassignPrivateIpAddresses',
                  'ec2:DescribeSubnets',
                ],
                Resource: '*',
              },
              {
                // Whether the zone is on its instance or its gateway (describes take no resource).
                Sid: 'ZoneRoutes',
                Effect: 'Allow',
                Action: 'ec2:DescribeRouteTables',
                Resource: '*',
              },
              ...(env.checker.autoFallback ? autoFallbackStatements(env) : []),
            ],
          },
        },
      ],
      Tags: tagList(tags(e, 'checker')),
    },
  };
}

/**
 * Auto-fallback: the zone's instance and its status, and the health command run on it (only on
 * this environment's NAT instances) with its results (lib/checker/aws.ts).
 */
function autoFallbackStatements(env: Environment): Json[] {
  const place = '${AWS::Partition}:ssm:${AWS::Region}';
  return [
    {
      Sid: 'ZoneInstance',
      Effect: 'Allow',
      Action: ['ec2:DescribeInstances', 'ec2:DescribeInstanceStatus', 'ssm:ListCommands'],
      Resource: '*',
    },
    {
      Sid: 'HealthCommandDocument',
      Effect: 'Allow',
      Action: 'ssm:SendCommand',
      Resource: sub(`arn:${place}::document/AWS-RunShellScript`),
    },
    {
      Sid: 'HealthCommandOnFleetInstances',
      Effect: 'Allow',
      Action: 'ssm:SendCommand',
      Resource: sub('arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:instance/*'),
      Condition: {
        StringEquals: {
          [`ssm:resourceTag/${TAG.environment}`]: env.name,
          [`ssm:resourceTag/${TAG.role}`]: 'nat-instance',
        },
      },
    },
  ];
}

/** EventBridge's role for the alarm path: it may start Failover and nothing else. */
function alarmRole(env: Environment): Resource {
  const e = env.name;
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      RoleName: alarmRoleName(e),
      Description: `natfleet ${e}: a checker alarm starts Failover`,
      AssumeRolePolicyDocument: assumeRolePolicy('events.amazonaws.com'),
      Policies: [
        {
          PolicyName: 'start-failover',
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Sid: 'StartFailover',
                Effect: 'Allow',
                Action: 'states:StartExecution',
                Resource: sub(stateMachineArnSub(e, 'Failover')),
              },
            ],
          },
        },
      ],
      Tags: tagList(tags(e, 'checker')),
    },
  };
}

function zoneResources(
  env: Environment,
  zone: Zone,
  t: Template,
  parameters: Record<string, string>,
) {
  const e = env.name;
  const az = zone.availabilityZone;
  const k = zoneKey(az);
  const subnetParam = `PrivateSubnet${k}`;
  t.Parameters![subnetParam] = {
    Type: 'AWS::EC2::Subnet::Id',
    Description: `private subnet of ${az}, where its checker runs`,
  };
  parameters[subnetParam] = zone.privateSubnet;
  const dims = [
    { Name: METRICS.dimensions.environment, Value: e },
    { Name: METRICS.dimensions.zone, Value: az },
  ];
  const topic = env.notifications?.topicArn;
  const actions: Record<string, Json> = topic ? { AlarmActions: [topic], OKActions: [topic] } : {};
  const r = t.Resources;

  r[`LogGroup${k}`] = {
    Type: 'AWS::Logs::LogGroup',
    DeletionPolicy: 'Delete',
    UpdateReplacePolicy: 'Delete',
    Properties: {
      LogGroupName: checkerLogGroup(e, az),
      RetentionInDays: CHECKER_LOG_RETENTION_DAYS,
      Tags: tagList(tags(e, 'checker', az)),
    },
  };
  r[`Function${k}`] = {
    Type: 'AWS::Lambda::Function',
    Properties: {
      FunctionName: checkerFunctionName(e, az),
      Description: `natfleet ${e} ${az}: probes through the NAT, fails the zone over`,
      Runtime: CHECKER_RUNTIME,
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: CHECKER_MEMORY_MB,
      Timeout: CHECKER_TIMEOUT_SECONDS,
      ReservedConcurrentExecutions: CHECKER_CONCURRENCY,
      Role: getAtt('Role', 'Arn'),
      Code: { S3Bucket: artifactsBucket(e, env.accountId, env.region), S3Key: ref('CodeKey') },
      VpcConfig: { SubnetIds: [ref(subnetParam)], SecurityGroupIds: [ref('SecurityGroup')] },
      LoggingConfig: { LogGroup: ref(`LogGroup${k}`), LogFormat: 'Text' },
      Environment: {
        // The checker's own mapping (lib/checker/settings.ts), the inverse of what it reads.
        Variables: checkerVariables<Json>(env, zone.availabilityZone, {
          failover: sub(stateMachineArnSub(env.name, 'Failover')),
          ...(env.checker.autoFallback
            ? { fallback: sub(stateMachineArnSub(env.name, 'Fallback')) }
            : {}),
          ...(env.checker.stepFunctionsEndpoint === 'create'
            ? { statesEndpoint: statesEndpointUrl() }
            : {}),
        }),
      },
      Tags: tagList(tags(e, 'checker', az)),
    },
  };
  r[`Schedule${k}`] = {
    Type: 'AWS::Events::Rule',
    Properties: {
      Name: checkerRuleName(e, az),
      Description: `natfleet ${e} ${az}: run the checker every minute`,
      ScheduleExpression: 'rate(1 minute)',
      State: 'ENABLED',
      Targets: [{ Id: 'checker', Arn: getAtt(`Function${k}`, 'Arn') }],
    },
  };
  r[`SchedulePermission${k}`] = {
    Type: 'AWS::Lambda::Permission',
    Properties: {
      FunctionName: ref(`Function${k}`),
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      SourceArn: getAtt(`Schedule${k}`, 'Arn'),
    },
  };
  const failedRoundsAlarm = alarmFailedRounds(
    env.checker.intervalSeconds,
    env.checker.unhealthyThreshold,
  );
  r[`FailedRoundsAlarm${k}`] = {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmName: alarmName(e, az, 'failed-rounds'),
      AlarmDescription: `natfleet ${e} ${az}: ${failedRoundsAlarm} or more probe rounds failed within a minute; Failover is started`,
      Namespace: METRICS.namespace,
      MetricName: METRICS.failedRounds,
      Dimensions: dims,
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: failedRoundsAlarm,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      // A silent checker is not evidence that the NAT is down: no failover on missing data.
      TreatMissingData: 'notBreaching',
      ...actions,
    },
  };
  r[`OnGatewayAlarm${k}`] = {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmName: alarmName(e, az, 'on-gateway'),
      AlarmDescription: `natfleet ${e} ${az}: on the standby NAT Gateway for more than ${ON_GATEWAY_ALARM_MINUTES} minutes (paying per GB); run Fallback or Replace`,
      Namespace: METRICS.namespace,
      // OnInstance is 0 while the zone is on its gateway: its maximum below 1 for every minute.
      MetricName: METRICS.onInstance,
      Dimensions: dims,
      Statistic: 'Maximum',
      Period: 60,
      EvaluationPeriods: ON_GATEWAY_ALARM_MINUTES,
      DatapointsToAlarm: ON_GATEWAY_ALARM_MINUTES,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'missing',
      ...actions,
    },
  };
  // The checker itself: a Lambda error, or a minute without a single probe round, for
  // CHECKER_SILENT_MINUTES in a row. Silence breaches: a dead checker fails no zone over, so
  // it must be said (the failed-rounds alarm above cannot see it).
  r[`CheckerAliveAlarm${k}`] = {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmName: alarmName(e, az, 'checker-alive'),
      AlarmDescription: `natfleet ${e} ${az}: the checker is not checking (Lambda errors, or no probe round for ${CHECKER_SILENT_MINUTES} minutes); the zone has no automatic failover until it is fixed`,
      Metrics: [
        {
          Id: 'errors',
          ReturnData: false,
          MetricStat: {
            Metric: {
              Namespace: 'AWS/Lambda',
              MetricName: 'Errors',
              Dimensions: [{ Name: 'FunctionName', Value: ref(`Function${k}`) }],
            },
            Period: 60,
            Stat: 'Sum',
          },
        },
        {
          Id: 'rounds',
          ReturnData: false,
          // FailedRounds is emitted once per round (1 or 0): its sample count is the rounds.
          MetricStat: {
            Metric: {
              Namespace: METRICS.namespace,
              MetricName: METRICS.failedRounds,
              Dimensions: dims,
            },
            Period: 60,
            Stat: 'SampleCount',
          },
        },
        {
          Id: 'dead',
          Label: 'checker errors plus silent minutes',
          Expression: 'FILL(errors, 0) + IF(FILL(rounds, 0) == 0, 1, 0)',
          ReturnData: true,
        },
      ],
      EvaluationPeriods: CHECKER_SILENT_MINUTES,
      DatapointsToAlarm: CHECKER_SILENT_MINUTES,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'breaching',
      ...actions,
    },
  };
  r[`AlarmFailover${k}`] = {
    Type: 'AWS::Events::Rule',
    Properties: {
      Name: alarmRuleName(e, az),
      Description: `natfleet ${e} ${az}: failed-rounds alarm starts Failover (second path)`,
      EventPattern: {
        source: ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        // By name, not GetAtt: the rule needs only the ARN, not the alarm resource itself.
        resources: [
          sub(
            `arn:\${AWS::Partition}:cloudwatch:\${AWS::Region}:\${AWS::AccountId}:alarm:${alarmName(e, az, 'failed-rounds')}`,
          ),
        ],
        detail: { state: { value: ['ALARM'] } },
      },
      State: 'ENABLED',
      Targets: [
        {
          Id: 'failover',
          Arn: sub(stateMachineArnSub(e, 'Failover')),
          RoleArn: getAtt('AlarmRole', 'Arn'),
          Input: JSON.stringify({
            zones: [az],
            reason: `alarm ${alarmName(e, az, 'failed-rounds')}`,
          }),
        },
      ],
    },
  };
  t.Outputs![`Function${k}`] = { Description: `checker of ${az}`, Value: ref(`Function${k}`) };
}

export function checkerStack(env: Environment, codeKey = UNBUILT_CODE_KEY): RenderedStack {
  const e = env.name;
  const t: Template = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `natfleet ${e}: connectivity checkers, their alarms and the Step Functions endpoint`,
    Parameters: {
      VpcId: { Type: 'AWS::EC2::VPC::Id', Description: 'the VPC the checkers run in' },
      CodeKey: {
        Type: 'String',
        Description: 'key of the checker zip in the artifacts bucket (its content hash)',
        AllowedPattern: '^checker/[0-9a-z]+\\.zip$',
      },
    },
    Resources: {
      Role: checkerRole(env),
      AlarmRole: alarmRole(env),
      SecurityGroup: {
        Type: 'AWS::EC2::SecurityGroup',
        Metadata: ALL_PROTOCOLS_METADATA,
        Properties: {
          GroupName: securityGroupName(e, 'checker'),
          GroupDescription: `natfleet ${e} checkers: outbound only`,
          VpcId: ref('VpcId'),
          SecurityGroupEgress: [
            {
              IpProtocol: '-1',
              FromPort: -1,
              ToPort: -1,
              CidrIp: '0.0.0.0/0',
              Description: 'probes and the Step Functions API',
            },
          ],
          Tags: tagList(tags(e, 'checker', undefined, securityGroupName(e, 'checker'))),
        },
      },
    },
    Outputs: {},
  };
  const parameters: Record<string, string> = { VpcId: env.vpcId, CodeKey: codeKey };
  for (const z of env.zones) zoneResources(env, z, t, parameters);

  if (env.checker.stepFunctionsEndpoint === 'create') {
    t.Resources.EndpointSecurityGroup = {
      Type: 'AWS::EC2::SecurityGroup',
      Properties: {
        GroupName: securityGroupName(e, 'endpoint'),
        GroupDescription: `natfleet ${e} Step Functions endpoint: HTTPS from the checkers`,
        VpcId: ref('VpcId'),
        SecurityGroupIngress: [
          {
            IpProtocol: 'tcp',
            FromPort: 443,
            ToPort: 443,
            SourceSecurityGroupId: ref('SecurityGroup'),
            Description: 'checkers calling Step Functions',
          },
        ],
        Tags: tagList(tags(e, 'checker', undefined, securityGroupName(e, 'endpoint'))),
      },
    };
    t.Resources.StatesEndpoint = {
      Type: 'AWS::EC2::VPCEndpoint',
      Properties: {
        VpcEndpointType: 'Interface',
        ServiceName: sub('com.amazonaws.${AWS::Region}.states'),
        VpcId: ref('VpcId'),
        SubnetIds: env.zones.map((z) => ref(`PrivateSubnet${zoneKey(z.availabilityZone)}`)),
        SecurityGroupIds: [ref('EndpointSecurityGroup')],
        // Off: with private DNS every workload of the VPC would reach Step Functions through
        // this endpoint and its policy. The checkers call it by its own name instead.
        PrivateDnsEnabled: false,
        PolicyDocument: endpointPolicy(env),
      },
    };
    t.Outputs!.StatesEndpoint = {
      Description: 'Step Functions interface endpoint',
      Value: ref('StatesEndpoint'),
    };
  }
  return { kind: 'checker', name: stackName(e, 'checker'), template: t, parameters };
}
