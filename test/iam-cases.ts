// The requests no test suite can make, because an AWS service makes them with the role (moto has
// no Lambda runtime, no Step Functions log delivery, no EventBridge targets): each with why, as
// the proof evaluates them beside the recorded calls.
import { checkerLogGroup, stateMachineArn, WORKFLOWS } from '../lib/names.js';
import type { ExplicitCase } from './iam-proof.js';
import type { Request } from './iam-requests.js';
import { CFN_HANDLER_CASES } from './cfn-handlers.js';

const r = (action: string, resource = '*'): Request => ({ action, resource, context: {} });

export const EXPLICIT_CASES: ExplicitCase[] = [
  {
    role: 'checker/Role',
    why: 'Lambda attaches the function to its private subnet with the execution role (AWS Lambda Developer Guide, "Giving Lambda functions access to resources in an Amazon VPC"); these EC2 actions take no resource-level permission',
    requests: () =>
      [
        'ec2:CreateNetworkInterface',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DeleteNetworkInterface',
        'ec2:AssignPrivateIpAddresses',
        'ec2:UnassignPrivateIpAddresses',
        'ec2:DescribeSubnets',
      ].map((a) => r(a)),
  },
  {
    role: 'checker/Role',
    why: 'the Lambda runtime writes the function’s log stream into the log group the stack makes',
    requests: ({ env }) =>
      env.zones.flatMap((z) =>
        ['logs:CreateLogStream', 'logs:PutLogEvents'].map((a) =>
          r(
            a,
            `arn:aws:logs:${env.region}:${env.accountId}:log-group:${checkerLogGroup(env.name, z.availabilityZone)}:log-stream:2026/12/01/[$LATEST]0123456789abcdef`,
          ),
        ),
      ),
  },
  {
    role: 'checker/AlarmRole',
    why: 'EventBridge starts Failover with this role when a failed-rounds alarm fires (the rule’s target)',
    requests: ({ env }) => [
      r('states:StartExecution', stateMachineArn(env.region, env.accountId, env.name, 'Failover')),
    ],
  },
  ...WORKFLOWS.map((wf): ExplicitCase => ({
    role: `workflows/${wf}Role`,
    why: 'Step Functions delivers the execution log to CloudWatch Logs with the state machine’s role (Step Functions Developer Guide, "IAM policies for logging to CloudWatch Logs"); these actions take no resource-level permission',
    requests: () =>
      [
        'logs:CreateLogDelivery',
        'logs:GetLogDelivery',
        'logs:UpdateLogDelivery',
        'logs:DeleteLogDelivery',
        'logs:ListLogDeliveries',
        'logs:PutResourcePolicy',
        'logs:DescribeResourcePolicies',
        'logs:DescribeLogGroups',
      ].map((a) => r(a)),
  })),
  // CloudFormation's own requests with the service role, per resource type.
  ...CFN_HANDLER_CASES,
];
