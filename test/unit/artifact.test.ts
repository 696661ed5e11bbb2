// The artifacts bucket calls of deploy: every one names the owning account, a template is
// pinned to the version this run put and read back by its hash, anything else is refused.
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import {
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { artifactsBucketOf, trustedTemplateUrl, upload } from '../../lib/deploy/artifact.js';
import { sha256 } from '../../lib/deploy/zip.js';
import { exampleEnv } from '../helpers.js';

const s3 = mockClient(S3Client);
const client = new S3Client({ region: 'eu-west-1' });
const bucket = artifactsBucketOf(exampleEnv('prod'));
const BODY = JSON.stringify({ Resources: { A: { Type: 'AWS::SSM::Parameter' } } });
const bodyOf = (text: string) =>
  ({ Body: { transformToByteArray: async () => new Uint8Array(Buffer.from(text)) } }) as never;

beforeEach(() => {
  s3.reset();
});

describe('trustedTemplateUrl', () => {
  it('puts under the mode’s prefix with a SHA-256, reads that version back, pins the URL to it', async () => {
    s3.on(PutObjectCommand).resolves({ VersionId: 'v7' });
    s3.on(GetObjectCommand).resolves(bodyOf(BODY));
    const url = await trustedTemplateUrl(client, bucket, 'apply', 'natfleet-prod-workflows', BODY);
    const key = `apply/templates/natfleet-prod-workflows/${sha256(Buffer.from(BODY))}.json`;
    expect(url).toBe(`https://${bucket.name}.s3.eu-west-1.amazonaws.com/${key}?versionId=v7`);
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toMatchObject({
      Key: key,
      ChecksumSHA256: Buffer.from(sha256(Buffer.from(BODY)), 'hex').toString('base64'),
    });
    expect(s3.commandCalls(GetObjectCommand)[0]!.args[0].input).toMatchObject({
      Key: key,
      VersionId: 'v7',
      ChecksumMode: 'ENABLED',
    });
    expect(await trustedTemplateUrl(client, bucket, 'plan', 's', BODY)).toContain(
      '/plan/templates/s/',
    );
  });

  it('refuses, naming the object, when the version holds other bytes', async () => {
    s3.on(PutObjectCommand).resolves({ VersionId: 'v7' });
    s3.on(GetObjectCommand).resolves(bodyOf(BODY.replace('SSM::Parameter', 'IAM::Role')));
    await expect(trustedTemplateUrl(client, bucket, 'apply', 'st', BODY)).rejects.toThrow(
      /s3:\/\/natfleet-prod-artifacts-123456789012-eu-west-1\/apply\/templates\/st\/[0-9a-f]{64}\.json \(version v7\) does not hold the bytes this run uploaded/,
    );
  });

  it('refuses a bucket without versioning', async () => {
    for (const VersionId of [undefined, 'null']) {
      s3.reset();
      s3.on(PutObjectCommand).resolves({ VersionId });
      await expect(trustedTemplateUrl(client, bucket, 'apply', 'st', BODY)).rejects.toThrow(
        'has no version id: versioning is off',
      );
      expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
    }
  });
});

describe('every S3 call names the account that must own the bucket', () => {
  it('templates, the checker code and the bucket check', async () => {
    s3.on(PutObjectCommand).resolves({ VersionId: 'v1' });
    s3.on(GetObjectCommand).resolves(bodyOf('zip'));
    s3.on(HeadObjectCommand).rejects(
      Object.assign(new Error('NotFound'), {
        name: 'NotFound',
        $metadata: { httpStatusCode: 404 },
      }),
    );
    s3.on(HeadBucketCommand).resolves({});
    await trustedTemplateUrl(client, bucket, 'apply', 'st', 'zip');
    expect(await upload(client, bucket, { key: 'checker/x.zip', body: Buffer.from('zip') })).toBe(
      true,
    );
    const all = s3.calls().map((c) => c.args[0].input as { ExpectedBucketOwner?: string });
    expect(all.length).toBeGreaterThanOrEqual(6);
    for (const input of all) expect(input.ExpectedBucketOwner).toBe('123456789012');
  });

  it('the checker code is kept only when S3 vouches for the same SHA-256', async () => {
    const body = Buffer.from('zip');
    s3.on(HeadObjectCommand).resolves({ ChecksumSHA256: 'bm90IHRoZSBzYW1l' });
    s3.on(PutObjectCommand).resolves({ VersionId: 'v2' });
    s3.on(GetObjectCommand).resolves(bodyOf('zip'));
    expect(await upload(client, bucket, { key: 'checker/x.zip', body })).toBe(true);
    s3.reset();
    s3.on(HeadObjectCommand).resolves({
      ChecksumSHA256: Buffer.from(sha256(body), 'hex').toString('base64'),
    });
    expect(await upload(client, bucket, { key: 'checker/x.zip', body })).toBe(false);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });
});
