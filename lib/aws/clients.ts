// SDK clients for one region. Endpoints come from the SDK's own settings (AWS_ENDPOINT_URL and
// friends), which is how tests and the lab point natfleet at moto.
import { EC2Client } from '@aws-sdk/client-ec2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { SFNClient } from '@aws-sdk/client-sfn';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';

export interface AwsClients {
  region: string;
  ec2: EC2Client;
  ssm: SSMClient;
  sfn: SFNClient;
  cfn: CloudFormationClient;
  s3: S3Client;
}

export function awsClients(region: string): AwsClients {
  const config = { region, maxAttempts: 5 };
  return {
    region,
    ec2: new EC2Client(config),
    ssm: new SSMClient(config),
    sfn: new SFNClient(config),
    cfn: new CloudFormationClient(config),
    s3: new S3Client({ ...config, forcePathStyle: !!process.env.AWS_ENDPOINT_URL }),
  };
}
