// The artifacts bucket as deploy uses it. Apply executes only bytes it rendered itself: every
// template it sends by URL is put by this run, named by the version S3 gave that put, and read
// back and hashed before CloudFormation is pointed at it. Plan and apply write under prefixes
// of their own; only the deploy role may write apply's (cloudformation/artifacts.ts). Every
// call names the account that must own the bucket, so a bucket of the same name elsewhere is
// never written or read.
import {
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { Environment } from '../config/schema.js';
import { artifactsBucket, checkerCodeKey, templateKey } from '../names.js';
import { DeployError, explainAwsError } from './errors.js';
import { sha256, zipDirectory } from './zip.js';

export interface Artifact {
  key: string;
  body: Buffer;
}

/** The environment's artifacts bucket and the account that must own it. */
export interface ArtifactsBucket {
  name: string;
  owner: string;
  region: string;
}

export function artifactsBucketOf(env: Environment): ArtifactsBucket {
  return {
    name: artifactsBucket(env.name, env.accountId, env.region),
    owner: env.accountId,
    region: env.region,
  };
}

/** The checker bundle zipped, and its key (read from disk only). */
export function checkerArtifact(dir: string): Artifact {
  const body = zipDirectory(dir);
  return { key: checkerCodeKey(sha256(body)), body };
}

const base64Sha256 = (body: Buffer) => Buffer.from(sha256(body), 'hex').toString('base64');

const notFound = (e: unknown) => {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return (
    err.name === 'NotFound' || err.name === 'NoSuchKey' || err.$metadata?.httpStatusCode === 404
  );
};

export async function bucketExists(s3: S3Client, b: ArtifactsBucket): Promise<boolean> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: b.name, ExpectedBucketOwner: b.owner }));
    return true;
  } catch (e) {
    if (notFound(e)) return false;
    throw explainAwsError(e, `looking for bucket ${b.name}`);
  }
}

async function requireBucket(s3: S3Client, b: ArtifactsBucket) {
  if (!(await bucketExists(s3, b))) {
    throw new DeployError(
      `the artifacts bucket ${b.name} does not exist: deploy the artifacts stack first ` +
        '(include "artifacts" in the stacks filter).',
    );
  }
}

/**
 * Puts the bytes, then reads back the version that put made and checks its SHA-256. Returns
 * that version: a later put to the same key (anyone's) makes another version and changes
 * nothing for this one.
 */
export async function putVerified(
  s3: S3Client,
  b: ArtifactsBucket,
  a: Artifact,
  contentType: string,
): Promise<string> {
  const where = `s3://${b.name}/${a.key}`;
  const checksum = base64Sha256(a.body);
  let versionId: string | undefined;
  try {
    const out = await s3.send(
      new PutObjectCommand({
        Bucket: b.name,
        Key: a.key,
        Body: a.body,
        ContentType: contentType,
        ChecksumSHA256: checksum,
        ExpectedBucketOwner: b.owner,
      }),
    );
    versionId = out.VersionId;
  } catch (e) {
    if (notFound(e)) await requireBucket(s3, b);
    throw explainAwsError(e, `uploading ${where}`);
  }
  if (!versionId || versionId === 'null') {
    throw new DeployError(
      `${where} has no version id: versioning is off on bucket ${b.name}, so the object ` +
        'CloudFormation reads could be replaced after this upload. Deploy the artifacts stack ' +
        '(it turns versioning on) and rerun. Nothing was changed.',
    );
  }
  let got: Buffer;
  try {
    const out = await s3.send(
      new GetObjectCommand({
        Bucket: b.name,
        Key: a.key,
        VersionId: versionId,
        ChecksumMode: 'ENABLED',
        ExpectedBucketOwner: b.owner,
      }),
    );
    got = Buffer.from((await out.Body?.transformToByteArray()) ?? []);
  } catch (e) {
    throw explainAwsError(e, `reading back ${where} (version ${versionId})`);
  }
  if (sha256(got) !== sha256(a.body)) {
    throw new DeployError(
      `${where} (version ${versionId}) does not hold the bytes this run uploaded ` +
        `(sha256 ${sha256(got)}, expected ${sha256(a.body)}): refusing to deploy from it. ` +
        'Nothing was changed; find out who writes to that bucket.',
    );
  }
  return versionId;
}

/**
 * The TemplateURL of a template too large to send inline: put by this run under the mode's
 * prefix, pinned to the version this run made and checked by its hash.
 */
export async function trustedTemplateUrl(
  s3: S3Client,
  b: ArtifactsBucket,
  mode: 'plan' | 'apply',
  stack: string,
  body: string,
): Promise<string> {
  const bytes = Buffer.from(body);
  const key = templateKey(mode, stack, sha256(bytes));
  const versionId = await putVerified(s3, b, { key, body: bytes }, 'application/json');
  return `https://${b.name}.s3.${b.region}.amazonaws.com/${key}?versionId=${encodeURIComponent(versionId)}`;
}

/**
 * The checker's code under its content hash. An object already there is kept only when S3
 * vouches for its SHA-256 (a checksum stored at upload) and it matches; otherwise the bytes are
 * put again. True = uploaded.
 */
export async function upload(
  s3: S3Client,
  b: ArtifactsBucket,
  a: Artifact,
  contentType = 'application/zip',
): Promise<boolean> {
  try {
    const head = await s3.send(
      new HeadObjectCommand({
        Bucket: b.name,
        Key: a.key,
        ChecksumMode: 'ENABLED',
        ExpectedBucketOwner: b.owner,
      }),
    );
    if (head.ChecksumSHA256 === base64Sha256(a.body)) return false;
  } catch (e) {
    if (!notFound(e)) throw explainAwsError(e, `looking for s3://${b.name}/${a.key}`);
    await requireBucket(s3, b);
  }
  await putVerified(s3, b, a, contentType);
  return true;
}
