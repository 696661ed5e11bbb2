// The ReplaceInstances role's statements for the connection handoff (instance.egress floating,
// ADR 0141), each named by its Sid: the floating address moved between the zones' NAT ENIs and
// (read back by the Describe statement the definition brings), the Elastic IP associated with it, nat-handoff.sh run through SSM on the fleet's
// instances and its result read.
import type { Json } from '../lib/cfn.js';
import type { Environment } from '../lib/config/schema.js';
import { TAG } from '../lib/names.js';

const sub = (s: string): Json => ({ 'Fn::Sub': s });
const arn = (service: string, resource: string, account = '${AWS::AccountId}') =>
  sub(`arn:\${AWS::Partition}:${service}:\${AWS::Region}:${account}:${resource}`);

/** The statements, or none when the environment translates to the primary address. */
export function handoffStatements(env: Environment): Json[] {
  if (env.instance.egress !== 'floating') return [];
  // ENIs launched by RunInstances carry no natfleet tag: held to the zones' public subnets.
  const inPublicSubnets = {
    StringEquals: {
      'ec2:Subnet': env.zones.map((z) => arn('ec2', `subnet/${z.publicSubnet}`)),
    },
  };
  return [
    {
      Sid: 'HandoffMoveFloatingAddress',
      Effect: 'Allow',
      Action: ['ec2:AssignPrivateIpAddresses'],
      Resource: arn('ec2', 'network-interface/*'),
      Condition: inPublicSubnets,
    },
    {
      Sid: 'HandoffAssociateElasticIp',
      Effect: 'Allow',
      Action: ['ec2:AssociateAddress'],
      Resource: arn('ec2', 'network-interface/*'), // the Elastic IPs: ZoneAddresses
      Condition: inPublicSubnets,
    },
    {
      Sid: 'HandoffRunCommandDocument',
      Effect: 'Allow',
      Action: ['ssm:SendCommand'],
      Resource: arn('ssm', 'document/AWS-RunShellScript', ''),
    },
    {
      Sid: 'HandoffRunCommandOnFleet',
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
      Sid: 'HandoffReadCommand',
      Effect: 'Allow',
      Action: ['ssm:GetCommandInvocation'],
      Resource: '*', // GetCommandInvocation has no resource-level permissions
    },
  ];
}
