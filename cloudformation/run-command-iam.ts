// The statements of the roles that run commands on the NAT instances through SSM RunCommand:
// Fallback and ReplaceInstances (the path check, ADR 0150) and ReplaceInstances' connection
// handoff (ADR 0141), each named by its Sid.
import type { Json } from '../lib/cfn.js';
import type { Environment } from '../lib/config/schema.js';
import { TAG } from '../lib/names.js';

const sub = (s: string): Json => ({ 'Fn::Sub': s });
const arn = (service: string, resource: string, account = '${AWS::AccountId}') =>
  sub(`arn:\${AWS::Partition}:${service}:\${AWS::Region}:${account}:${resource}`);

export function runCommandStatements(env: Environment): Json[] {
  return [
    {
      Sid: 'RunCommandDocument',
      Effect: 'Allow',
      Action: ['ssm:SendCommand'],
      Resource: arn('ssm', 'document/AWS-RunShellScript', ''),
    },
    {
      Sid: 'RunCommandOnFleet',
      Effect: 'Allow',
      Action: ['ssm:SendCommand'],
      Resource: arn('ec2', 'instance/*'),
      // The NAT instances only: Image Builder's build instances carry the environment tag too.
      Condition: {
        StringEquals: {
          [`ssm:resourceTag/${TAG.environment}`]: env.name,
          [`ssm:resourceTag/${TAG.role}`]: 'nat-instance',
        },
      },
    },
    {
      Sid: 'ReadCommand',
      Effect: 'Allow',
      Action: ['ssm:GetCommandInvocation'],
      Resource: '*', // GetCommandInvocation has no resource-level permissions
    },
  ];
}
