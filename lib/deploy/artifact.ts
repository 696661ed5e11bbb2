// Content-addressed uploads to the artifacts bucket: the key is the content's hash, so an
// unchanged checker is never uploaded twice and a changed one always gets a new key.
import {
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { checkerCodeKey } from '../names.js';
import { DeployError, explainAwsError } from './errors.js';
import { sha256, zipDirectory } from './zip.js';

export interface Artifact {
  key: string;
  body: Buffer;
}

/** The checker bundle zipped, and its key (read from disk only). */
export function checkerArtifact(dir: string): Artifact {
  const body = zipDirectory(dir);
  return { key: checkerCodeKey(sha256(body)), body };
}

async function exists(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (e) {
    const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (err.name === 'NotFound' || err.$metadata?.httpStatusCode === 404) {
      if (!(await bucketExists(s3, bucket))) {
        throw new DeployError(
          `the artifacts bucket ${bucket} does not exist: deploy the artifacts stack first ` +
            '(include "artifacts" in the stacks filter).',
        );
      }
      return false;
    }
    throw explainAwsError(e, `looking for s3://${bucket}/${key}`);
  }
}

export async function bucketExists(s3: S3Client, bucket: string): Promise<boolean> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return true;
  } catch (e) {
    const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (err.name === 'NotFound' || err.$metadata?.httpStatusCode === 404) return false;
    throw explainAwsError(e, `looking for bucket ${bucket}`);
  }
}

/** Uploads unless an object with that key (hence that content) is there; true = uploaded. */
export async function upload(
  s3: S3Client,
  bucket: string,
  a: Artifact,
  contentType = 'application/zip',
): Promise<boolean> {
  if (await exists(s3, bucket, a.key)) return false;
  try {
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: a.key, Body: a.body, ContentType: contentType }),
    );
  } catch (e) {
    throw explainAwsError(e, `uploading s3://${bucket}/${a.key}`);
  }
  return true;
}
