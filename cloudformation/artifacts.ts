// artifacts stack: the private, versioned bucket that holds the checker's code zip.
import type { Environment } from '../lib/config/schema.js';
import { artifactsBucket, stackName, tags } from '../lib/names.js';
import { getAtt, ref, tagList, type RenderedStack } from '../lib/cfn.js';

export function artifactsStack(env: Environment): RenderedStack {
  const bucket = artifactsBucket(env.name, env.accountId, env.region);
  return {
    kind: 'artifacts',
    name: stackName(env.name, 'artifacts'),
    parameters: {},
    template: {
      AWSTemplateFormatVersion: '2010-09-09',
      Description: `natfleet ${env.name}: artifacts bucket`,
      Resources: {
        Bucket: {
          Type: 'AWS::S3::Bucket',
          DeletionPolicy: 'Retain',
          UpdateReplacePolicy: 'Retain',
          Properties: {
            BucketName: bucket,
            VersioningConfiguration: { Status: 'Enabled' },
            BucketEncryption: {
              ServerSideEncryptionConfiguration: [
                {
                  ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' },
                  BucketKeyEnabled: true,
                },
              ],
            },
            PublicAccessBlockConfiguration: {
              BlockPublicAcls: true,
              BlockPublicPolicy: true,
              IgnorePublicAcls: true,
              RestrictPublicBuckets: true,
            },
            OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
            LifecycleConfiguration: {
              Rules: [
                {
                  Id: 'expire-old-versions',
                  Status: 'Enabled',
                  NoncurrentVersionExpiration: { NoncurrentDays: 30 },
                },
              ],
            },
            Tags: tagList(tags(env.name, 'artifacts')),
          },
        },
        BucketPolicy: {
          Type: 'AWS::S3::BucketPolicy',
          Properties: {
            Bucket: ref('Bucket'),
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                {
                  Sid: 'TlsOnly',
                  Effect: 'Deny',
                  Principal: '*',
                  Action: 's3:*',
                  Resource: [getAtt('Bucket', 'Arn'), { 'Fn::Sub': '${Bucket.Arn}/*' }],
                  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
                },
              ],
            },
          },
        },
      },
      Outputs: {
        BucketName: { Description: 'artifacts bucket', Value: ref('Bucket') },
      },
    },
  };
}
