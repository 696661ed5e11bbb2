// The ReplaceInstances role's statements for the connection handoff (instance.egress floating,
// ADR 0141), each named by its Sid: the floating address moved between the zones' NAT ENIs
// (read back by the Describe statement the definition brings) and the Elastic IP associated
// with it. nat-handoff.sh runs through SSM with the path check's grants (run-command-iam.ts).
import type { Json } from '../lib/cfn.js';
import type { Environment } from '../lib/config/schema.js';

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
  ];
}
