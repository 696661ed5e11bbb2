// fleet stack: what a NAT instance is launched with — security group, role and profile, launch
// template — and a stable Elastic IP per zone. It launches nothing: the Maintenance and
// ReplaceInstances workflows do, once the image exists (see docs/stacks.md, "First run").
import type { Environment } from '../lib/config/schema.js';
import {
  amiParameter,
  eipName,
  instanceName,
  instanceProfileName,
  instanceRoleName,
  launchTemplateName,
  securityGroupName,
  stackName,
  tags,
} from '../lib/names.js';
import {
  assumeRolePolicy,
  getAtt,
  ref,
  tagList,
  zoneKey,
  type Json,
  type RenderedStack,
  type Template,
} from '../lib/cfn.js';
import { ROOT_VOLUME } from '../lib/image/recipe.js';

/**
 * Protocol -1 ("all") with FromPort/ToPort -1: AWS ignores the ports, moto needs them (it fails
 * without), and cfn-lint warns that they are ignored (W3687) — silenced on exactly these groups.
 */
export const ALL_PROTOCOLS_METADATA: Record<string, Json> = {
  'cfn-lint': { config: { ignore_checks: ['W3687'] } },
};

export const SSM_CORE_POLICY = 'arn:${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore';

/**
 * The launch template's image: EC2 (not CloudFormation) resolves this at each launch, so the
 * stack deploys before any image or even the parameter exists. `{{resolve:ssm:…}}` would be
 * resolved by CloudFormation at deploy time and fail on a new environment.
 */
export const launchImage = (env: string) => `resolve:ssm:${amiParameter(env)}`;

export function fleetStack(env: Environment): RenderedStack {
  const e = env.name;
  const t: Template = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `natfleet ${e}: NAT instance launch template, security group, role, addresses`,
    Parameters: {
      VpcId: { Type: 'AWS::EC2::VPC::Id', Description: 'the VPC the NAT instances serve' },
    },
    Resources: {
      SecurityGroup: {
        Type: 'AWS::EC2::SecurityGroup',
        Metadata: ALL_PROTOCOLS_METADATA,
        Properties: {
          GroupName: securityGroupName(e, 'nat-instance'),
          GroupDescription: `natfleet ${e} NAT instances: traffic from the VPC only`,
          VpcId: ref('VpcId'),
          // All protocols from the VPC's own ranges; nothing from anywhere else. FromPort and
          // ToPort -1 mean "all" (and keep moto from failing on a missing port).
          SecurityGroupIngress: env.vpcCidrs.map((cidr) => ({
            IpProtocol: '-1',
            FromPort: -1,
            ToPort: -1,
            CidrIp: cidr,
            Description: 'forwarded traffic from the VPC',
          })),
          SecurityGroupEgress: [
            {
              IpProtocol: '-1',
              FromPort: -1,
              ToPort: -1,
              CidrIp: '0.0.0.0/0',
              Description: 'forwarded traffic to the internet',
            },
          ],
          Tags: tagList(tags(e, 'nat-instance', undefined, securityGroupName(e, 'nat-instance'))),
        },
      },
      Role: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: instanceRoleName(e),
          Description: `natfleet ${e} NAT instances: Systems Manager only`,
          AssumeRolePolicyDocument: assumeRolePolicy('ec2.amazonaws.com'),
          ManagedPolicyArns: [{ 'Fn::Sub': SSM_CORE_POLICY }],
          Tags: tagList(tags(e, 'nat-instance')),
        },
      },
      InstanceProfile: {
        Type: 'AWS::IAM::InstanceProfile',
        Properties: { InstanceProfileName: instanceProfileName(e), Roles: [ref('Role')] },
      },
      LaunchTemplate: {
        Type: 'AWS::EC2::LaunchTemplate',
        Properties: {
          LaunchTemplateName: launchTemplateName(e),
          LaunchTemplateData: {
            ImageId: launchImage(e),
            InstanceType: env.instance.type,
            IamInstanceProfile: { Arn: getAtt('InstanceProfile', 'Arn') },
            SecurityGroupIds: [ref('SecurityGroup')],
            MetadataOptions: {
              HttpEndpoint: 'enabled',
              HttpTokens: 'required',
              HttpPutResponseHopLimit: 1,
            },
            BlockDeviceMappings: [{ ...ROOT_VOLUME, Ebs: { ...ROOT_VOLUME.Ebs } }],
            TagSpecifications: ['instance', 'volume', 'network-interface'].map((type) => ({
              ResourceType: type,
              Tags: tagList(tags(e, 'nat-instance')),
            })),
          },
          TagSpecifications: [
            { ResourceType: 'launch-template', Tags: tagList(tags(e, 'nat-instance')) },
          ],
        },
      },
    },
    Outputs: {
      SecurityGroupId: { Description: 'NAT instance security group', Value: ref('SecurityGroup') },
      LaunchTemplateId: {
        Description: 'NAT instance launch template',
        Value: ref('LaunchTemplate'),
      },
      LaunchTemplateVersion: {
        Description: 'latest launch template version',
        Value: getAtt('LaunchTemplate', 'LatestVersionNumber'),
      },
      InstanceProfileArn: {
        Description: 'NAT instance profile',
        Value: getAtt('InstanceProfile', 'Arn'),
      },
      RoleArn: { Description: 'NAT instance role', Value: getAtt('Role', 'Arn') },
    },
  };
  // A stable egress address per zone, unless the zone brings its own (eipAllocation).
  for (const z of env.zones.filter((z) => !z.eipAllocation)) {
    const key = zoneKey(z.availabilityZone);
    const name = eipName(e, z.availabilityZone);
    t.Resources[`Eip${key}`] = {
      Type: 'AWS::EC2::EIP',
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        Domain: 'vpc',
        Tags: tagList(tags(e, 'nat-instance', z.availabilityZone, name)),
      },
    };
    const outputs = t.Outputs!;
    outputs[`EipAllocation${key}`] = {
      Description: `Elastic IP of ${instanceName(e, z.availabilityZone)}`,
      Value: getAtt(`Eip${key}`, 'AllocationId') as Json,
    };
  }
  return {
    kind: 'fleet',
    name: stackName(e, 'fleet'),
    template: t,
    parameters: { VpcId: env.vpcId },
  };
}
