// image stack: the NAT image's components, recipe, build infrastructure, distribution,
// pipeline (no schedule: the Maintenance workflow starts it), lifecycle policy and the SSM
// parameter that holds the current AMI id.
import type { Environment } from '../lib/config/schema.js';
import {
  amiParameter,
  imageComponentName,
  imagePipelineName,
  imageResourceName,
  stackName,
  tags,
  type Tag,
} from '../lib/names.js';
import {
  assumeRolePolicy,
  getAtt,
  ref,
  tagList,
  type Json,
  type RenderedStack,
  type Template,
} from '../lib/cfn.js';
import { componentDocuments, type ComponentName } from '../lib/image/components.js';
import {
  AMI_PLACEHOLDER,
  REBOOT_TEST_COMPONENT,
  ROOT_VOLUME,
  baseImageParameter,
  contentVersion,
} from '../lib/image/recipe.js';

/** Image Builder takes tags as a map, not a list. */
const tagMap = (list: Tag[]): Json => Object.fromEntries(list.map((t) => [t.Key, t.Value]));

const logicalId: Record<ComponentName, string> = {
  'enable-nat': 'EnableNatComponent',
  'harden-nat': 'HardenNatComponent',
  'install-test-nat': 'InstallTestNatComponent',
  'test-nat': 'TestNatComponent',
};

export function imageStack(env: Environment, imagebuilderDir?: string): RenderedStack {
  const e = env.name;
  const t = tags(e, 'image');
  const docs = componentDocuments(imagebuilderDir);
  const recipeVersion = contentVersion(
    ...docs.map((d) => d.data),
    env.instance.architecture,
    REBOOT_TEST_COMPONENT,
    JSON.stringify(ROOT_VOLUME),
  );
  const resources: Template['Resources'] = {};

  for (const d of docs) {
    resources[logicalId[d.name]] = {
      Type: 'AWS::ImageBuilder::Component',
      Properties: {
        Name: imageComponentName(e, d.name),
        Version: contentVersion(d.data),
        Platform: 'Linux',
        SupportedOsVersions: ['Amazon Linux 2023'],
        Description: d.description,
        ChangeDescription: `content ${contentVersion(d.data)}`,
        Data: d.data,
        Tags: tagMap(t),
      },
    };
  }

  resources.Recipe = {
    Type: 'AWS::ImageBuilder::ImageRecipe',
    Properties: {
      Name: imageResourceName(e, 'recipe'),
      Version: recipeVersion,
      Description: `natfleet ${e}: NAT instance on Amazon Linux 2023 (${env.instance.architecture})`,
      ParentImage: `ssm:${baseImageParameter(env.instance.architecture)}`,
      BlockDeviceMappings: [{ ...ROOT_VOLUME, Ebs: { ...ROOT_VOLUME.Ebs } }],
      Components: [
        { ComponentArn: ref('EnableNatComponent') },
        { ComponentArn: ref('HardenNatComponent') },
        { ComponentArn: ref('InstallTestNatComponent') },
        {
          ComponentArn: {
            'Fn::Sub': `arn:\${AWS::Partition}:imagebuilder:\${AWS::Region}:aws:component/${REBOOT_TEST_COMPONENT}/x.x.x`,
          },
        },
        { ComponentArn: ref('TestNatComponent') },
      ],
      Tags: tagMap(t),
    },
  };

  // The build and test instances: SSM for Image Builder's commands, its component fetch and
  // logs; nothing else (AWS's documented minimum for Image Builder instances).
  resources.InstanceRole = {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: assumeRolePolicy('ec2.amazonaws.com'),
      ManagedPolicyArns: [
        { 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore' },
        {
          'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/EC2InstanceProfileForImageBuilder',
        },
      ],
      Tags: tagList(t),
    },
  };
  resources.InstanceProfile = {
    Type: 'AWS::IAM::InstanceProfile',
    Properties: { Roles: [ref('InstanceRole')] },
  };
  // No inbound at all; outbound HTTPS only (SSM, S3, package repositories). Instance
  // metadata and the VPC resolver are not subject to security groups.
  resources.SecurityGroup = {
    Type: 'AWS::EC2::SecurityGroup',
    Properties: {
      GroupDescription: `natfleet ${e}: image build and test instances (HTTPS out only)`,
      VpcId: ref('VpcId'),
      SecurityGroupEgress: [
        {
          IpProtocol: 'tcp',
          FromPort: 443,
          ToPort: 443,
          CidrIp: '0.0.0.0/0',
          Description: 'HTTPS to SSM, S3 and the package repositories',
        },
      ],
      Tags: tagList(tags(e, 'image', undefined, imageResourceName(e, 'build'))),
    },
  };
  resources.Infrastructure = {
    Type: 'AWS::ImageBuilder::InfrastructureConfiguration',
    Properties: {
      Name: imageResourceName(e, 'infrastructure'),
      Description: `natfleet ${e}: where the NAT image is built and tested`,
      InstanceProfileName: ref('InstanceProfile'),
      InstanceTypes: [env.instance.type],
      SubnetId: ref('SubnetId'),
      SecurityGroupIds: [ref('SecurityGroup')],
      TerminateInstanceOnFailure: true,
      InstanceMetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1 },
      ResourceTags: tagMap(t),
      Tags: tagMap(t),
    },
  };
  resources.Distribution = {
    Type: 'AWS::ImageBuilder::DistributionConfiguration',
    Properties: {
      Name: imageResourceName(e, 'distribution'),
      Description: `natfleet ${e}: NAT image AMIs, tagged for the lifecycle policy`,
      Distributions: [
        {
          Region: env.region,
          AmiDistributionConfiguration: {
            Name: `${imageResourceName(e, 'ami')}-{{ imagebuilder:buildDate }}`,
            Description: `natfleet ${e} NAT instance`,
            AmiTags: tagMap(tags(e, 'image', undefined, imageResourceName(e, 'ami'))),
          },
        },
      ],
      Tags: tagMap(t),
    },
  };
  resources.Pipeline = {
    Type: 'AWS::ImageBuilder::ImagePipeline',
    Properties: {
      Name: imagePipelineName(e),
      Description: `natfleet ${e}: started by the Maintenance workflow only (no schedule)`,
      ImageRecipeArn: ref('Recipe'),
      InfrastructureConfigurationArn: ref('Infrastructure'),
      DistributionConfigurationArn: ref('Distribution'),
      Status: 'ENABLED',
      EnhancedImageMetadataEnabled: true,
      ImageTestsConfiguration: { ImageTestsEnabled: true, TimeoutMinutes: 60 },
      Tags: tagMap(t),
    },
  };
  resources.LifecycleRole = {
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: assumeRolePolicy('imagebuilder.amazonaws.com'),
      ManagedPolicyArns: [
        {
          'Fn::Sub':
            'arn:${AWS::Partition}:iam::aws:policy/service-role/EC2ImageBuilderLifecycleExecutionPolicy',
        },
      ],
      Tags: tagList(t),
    },
  };
  // Image rotation: the newest `image.keep` AMIs of this environment stay, older ones and
  // their snapshots go. Selected by the tags the distribution puts on every AMI.
  resources.Lifecycle = {
    Type: 'AWS::ImageBuilder::LifecyclePolicy',
    Properties: {
      Name: imageResourceName(e, 'lifecycle'),
      Description: `natfleet ${e}: keep the last ${env.image.keep} NAT images`,
      ExecutionRole: getAtt('LifecycleRole', 'Arn'),
      ResourceType: 'AMI_IMAGE',
      Status: 'ENABLED',
      PolicyDetails: [
        {
          Action: { Type: 'DELETE', IncludeResources: { Amis: true, Snapshots: true } },
          Filter: { Type: 'COUNT', Value: env.image.keep },
        },
      ],
      ResourceSelection: { TagMap: tagMap(tags(e, 'image')) },
      Tags: tagMap(t),
    },
  };
  // Exists from the first deploy on, before any image does: Maintenance writes the AMI id.
  resources.AmiParameter = {
    Type: 'AWS::SSM::Parameter',
    Properties: {
      Name: amiParameter(e),
      Type: 'String',
      DataType: 'text',
      Value: AMI_PLACEHOLDER,
      Description: `natfleet ${e}: the current NAT image (${AMI_PLACEHOLDER} until the first build)`,
      Tags: tagMap(t),
    },
  };

  return {
    kind: 'image',
    name: stackName(e, 'image'),
    parameters: { VpcId: env.vpcId, SubnetId: env.zones[0]!.privateSubnet },
    template: {
      AWSTemplateFormatVersion: '2010-09-09',
      Description: `natfleet ${e}: NAT image pipeline`,
      Parameters: {
        VpcId: { Type: 'AWS::EC2::VPC::Id', Description: 'the VPC the image is built in' },
        SubnetId: {
          Type: 'AWS::EC2::Subnet::Id',
          Description: 'a private subnet with a route to the internet for build and test',
        },
      },
      Resources: resources,
      Outputs: {
        Pipeline: { Description: 'the image pipeline ARN', Value: ref('Pipeline') },
        Recipe: { Description: 'the image recipe ARN', Value: ref('Recipe') },
        AmiParameter: {
          Description: 'SSM parameter with the current AMI id',
          Value: ref('AmiParameter'),
        },
      },
    },
  };
}
