// A fleet in moto with an image published the way Maintenance publishes it: an AMI tagged by
// Image Builder, named by the environment's SSM parameter.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import {
  CreateImageCommand,
  CreateTagsCommand,
  EC2Client,
  ReplaceRouteCommand,
} from '@aws-sdk/client-ec2';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { amiParameter } from '../lib/names.js';
import { buildVpc } from '../lab/vpc.js';
import { tempDir } from './helpers.js';
import { startMoto, type Moto } from './moto.js';

/** moto and the two clients a record reads through; `stop` ends all three. */
export interface RecordMoto {
  moto: Moto;
  ec2: EC2Client;
  ssm: SSMClient;
  stop(): Promise<void>;
}

export async function startRecordMoto(): Promise<RecordMoto> {
  const moto = await startMoto();
  const ec2 = new EC2Client({ region: 'eu-west-1' });
  const ssm = new SSMClient({ region: 'eu-west-1' });
  const stop = async () => {
    ec2.destroy();
    ssm.destroy();
    await moto.stop();
  };
  return { moto, ec2, ssm, stop };
}

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

export type RecordedFleet = Awaited<ReturnType<typeof buildRecordedFleet>>;

/** A fleet repository's workspace: a natfleet.yml that holds the fleet as environment prod. */
export function fleetWorkspace(fleet: RecordedFleet): string {
  const workspace = tempDir('natfleet-fleet-repo-');
  const env: Partial<RecordedFleet['env']> = { ...fleet.env };
  delete env.name;
  writeFileSync(
    join(workspace, 'natfleet.yml'),
    stringify({ version: 1, environments: { prod: env } }),
  );
  return workspace;
}

/** Points a route table's default route at a NAT gateway: the drift a record sees. */
export const moveRoute = (ec2: EC2Client, table: string, natGatewayId: string) =>
  ec2.send(
    new ReplaceRouteCommand({
      RouteTableId: table,
      DestinationCidrBlock: '0.0.0.0/0',
      NatGatewayId: natGatewayId,
    }),
  );
