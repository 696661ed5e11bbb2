// A fleet in moto with an image published the way Maintenance publishes it: an AMI tagged by
// Image Builder, named by the environment's SSM parameter.
import { CreateImageCommand, CreateTagsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { amiParameter } from '../lib/names.js';
import { buildVpc } from '../lab/vpc.js';

export async function buildRecordedFleet(ec2: EC2Client, ssm: SSMClient, name = 'prod') {
  const built = await buildVpc(ec2, name, ['eu-west-1a', 'eu-west-1b'], 2);
  const image = await ec2.send(
    new CreateImageCommand({
      InstanceId: built.zones[0]!.instanceId,
      Name: 'natfleet-prod-image 1.0.3',
    }),
  );
  const amiId = image.ImageId!;
  await ec2.send(
    new CreateTagsCommand({
      Resources: [amiId],
      Tags: [
        {
          Key: 'Ec2ImageBuilderArn',
          Value: `arn:aws:imagebuilder:eu-west-1:123456789012:image/natfleet-${name}-image/1.0.3/2`,
        },
      ],
    }),
  );
  await ssm.send(
    new PutParameterCommand({
      Name: amiParameter(name),
      Value: amiId,
      Type: 'String',
      Overwrite: true,
    }),
  );
  return { ...built, amiId };
}
