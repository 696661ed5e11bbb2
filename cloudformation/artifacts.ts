// artifacts stack: the private, versioned bucket that holds the checker's code zip and the
// templates too large to send inline. Only the deploy role may write what apply executes.
import type { Environment } from '../lib/config/schema.js';
import {
  TEMPLATE_PREFIX,
  accessRoleName,
  artifactsBucket,
  CHECKER_PREFIX,
  stackName,
  tags,
} from '../lib/names.js';

/** The prefixes apply executes from: written by the deploy role alone (the bucket policy). */
export const APPLY_PREFIXES = [TEMPLATE_PREFIX.apply, CHECKER_PREFIX];
/** Every way of putting or removing an object's bytes or a version of them. */
export const OBJECT_WRITES = [
  's3:PutObject',
  's3:DeleteObject',
  's3:DeleteObjectVersion',
  's3:RestoreObject',
  's3:ReplicateObject',
];
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
                {
                  // A pull request's plan role (or anyone else in the account) cannot put bytes
                  // where the next apply reads them: templates and the checker's code.
                  Sid: 'ApplyPrefixesDeployRoleOnly',
                  Effect: 'Deny',
                  Principal: '*',
                  Action: OBJECT_WRITES,
                  Resource: APPLY_PREFIXES.map((p) => ({ 'Fn::Sub': `\${Bucket.Arn}/${p}*` })),
                  Condition: {
                    ArnNotEquals: {
                      'aws:PrincipalArn': {
                        'Fn::Sub': `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${accessRoleName(env.name, 'deploy')}`,
                      },
                    },
                  },
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
