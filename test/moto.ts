// moto_server as the AWS endpoint for integration tests: one server per test file, on a free
// loopback port, reset between scenarios.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import {
  deploy,
  deployClients,
  type DeployClients,
  type DeployOptions,
} from '../lib/deploy/deploy.js';
import type { Environment } from '../lib/config/schema.js';
import { renderStacks } from '../cloudformation/index.js';
import {
  GetBucketVersioningCommand,
  PutBucketVersioningCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { unrecorded } from './calls.js';

export interface Moto {
  endpoint: string;
  reset(): Promise<void>;
  /** Options for moto itself, e.g. { stepfunctions: { execute_state_machine: true } }. */
  configure(options: object): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function post(url: string, body?: object) {
  const r = await fetch(url, {
    method: 'POST',
    ...(body
      ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }
      : {}),
  });
  if (!r.ok) throw new Error(`moto ${url}: HTTP ${r.status}`);
}

/** Starts moto_server and points the AWS SDK of this process at it. */
export async function startMoto(): Promise<Moto> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.on('data', (d) => (log = (log + d).slice(-4000)));
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited: ${log}`);
    try {
      if ((await fetch(`${endpoint}/moto-api/`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`moto_server did not answer on ${endpoint} within 20 s: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'eu-west-1',
  });
  delete process.env.AWS_PROFILE;
  return {
    endpoint,
    reset: () => post(`${endpoint}/moto-api/reset`),
    configure: (options) => post(`${endpoint}/moto-api/config`, options),
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * moto's CloudFormation makes an AWS::S3::Bucket without its VersioningConfiguration: before
 * each PutObject this turns versioning on for the bucket, as AWS would have from the template.
 */
export function versioningAsTemplated(s3: S3Client): S3Client {
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { Bucket?: string };
      if (context.commandName === 'PutObjectCommand' && input.Bucket) {
        const raw = new S3Client({ region: await s3.config.region(), forcePathStyle: true });
        // moto's shim, not deploy's calls: kept out of the IAM record.
        await unrecorded(async () => {
          const v = await raw.send(new GetBucketVersioningCommand({ Bucket: input.Bucket }));
          if (v.Status !== 'Enabled') {
            await raw.send(
              new PutBucketVersioningCommand({
                Bucket: input.Bucket,
                VersioningConfiguration: { Status: 'Enabled' },
              }),
            );
          }
        });
      }
      return next(args);
    },
    { step: 'initialize', name: 'motoVersioningAsTemplated' },
  );
  return s3;
}

/** deploy's clients against moto, its artifacts bucket versioned as the template says. */
export function motoDeployClients(region: string): DeployClients {
  const c = deployClients(region);
  return { ...c, s3: versioningAsTemplated(c.s3) };
}

/** deploy() of `env` against moto: the stacks rendered as the CLI renders them, no log. */
export function deployToMoto(
  env: Environment,
  options: Omit<DeployOptions, 'render' | 'log'> & Partial<DeployOptions>,
) {
  return deploy(env, motoDeployClients(env.region), {
    render: renderStacks,
    log: () => undefined,
    ...options,
  });
}

/** The IAM role listing as moto holds it: no IAM client in this project, so its query API, as text. */
export async function motoRoles(endpoint: string): Promise<string> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization:
        'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=x',
    },
    body: 'Action=ListRoles&Version=2010-05-08',
  });
  return decodeURIComponent(await res.text());
}
