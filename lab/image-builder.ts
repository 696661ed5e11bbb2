// The lab's Image Builder (no such API in moto): what Maintenance's image pipeline calls —
// StartImagePipelineExecution, GetImage, CancelImageCreation — answered by a real build. The
// build installs the image's component scripts (enable-nat, harden-nat) into a fresh tree,
// launches a test instance from it in a scratch namespace, boots it, sends private traffic
// through it and runs test-nat; only when test-nat passes is the AMI registered in moto and the
// image AVAILABLE (ADR 0120). Told to fail, it breaks the test instance before test-nat runs,
// so the build fails the way a bad image would: on test-nat's own words.
import { join } from 'node:path';
import type { EC2Client } from '@aws-sdk/client-ec2';
import { registerAmi } from './control-plane.js';
import type { Sender } from '../lib/workflows/sdk.js';
import type { Lab } from './topology.js';
import { must } from './exec.js';
import type { BootState } from './reconciler.js';

export type BuildStatus = 'BUILDING' | 'TESTING' | 'AVAILABLE' | 'FAILED' | 'CANCELLED';

export interface ImageBuild {
  arn: string;
  version: string;
  status: BuildStatus;
  /** Why it failed: test-nat's FAIL lines, or the step that broke. */
  reason?: string;
  ami?: string;
  /** The built tree (NATFLEET_ROOT of an instance launched from it). */
  dir: string;
  startedAt: number;
  endedAt?: number;
  done: Promise<void>;
}

export interface ImageBuilderOptions {
  lab: Lab;
  ec2: EC2Client;
  region: string;
  accountId: string;
  /** Called when an AMI is registered: instances launched from it boot `dir`. */
  onImage: (ami: string, dir: string) => void;
  log?: (line: string) => void;
}

const failure = (name: string, message: string) =>
  Object.assign(new Error(message), { name, Code: name });

export class ImageBuilderStandIn implements Sender {
  readonly builds: ImageBuild[] = [];
  /** The next build's test instance is broken before test-nat (its rules flushed). */
  failNext = false;
  private readonly byToken = new Map<string, ImageBuild>();

  constructor(private readonly o: ImageBuilderOptions) {}

  async send(command: unknown): Promise<unknown> {
    const name = (command as object).constructor.name.replace(/Command$/, '');
    const input = (command as { input: Record<string, string | undefined> }).input;
    if (name === 'StartImagePipelineExecution') {
      if (!input.ImagePipelineArn)
        throw failure('InvalidParameterException', 'ImagePipelineArn is required');
      // The same client token is the same build (a retried start builds once, as on AWS). Only
      // while it runs: the in-process runner's States.Hash MD5 is not MD5 and gives two
      // Maintenance executions' ARNs the same digest, so they send the same token.
      const seen = input.ClientToken ? this.byToken.get(input.ClientToken) : undefined;
      const running = seen && (seen.status === 'BUILDING' || seen.status === 'TESTING');
      const b = running ? seen : this.start(input.ImagePipelineArn);
      if (input.ClientToken) this.byToken.set(input.ClientToken, b);
      return { ImageBuildVersionArn: b.arn, ClientToken: input.ClientToken };
    }
    const b = this.builds.find((x) => x.arn === input.ImageBuildVersionArn);
    if (name === 'GetImage' || name === 'CancelImageCreation') {
      if (!b) throw failure('ResourceNotFoundException', `no image ${input.ImageBuildVersionArn}`);
      if (name === 'CancelImageCreation') {
        if (b.status !== 'BUILDING' && b.status !== 'TESTING')
          throw failure('ResourceNotFoundException', `image ${b.arn} is ${b.status}`);
        b.status = 'CANCELLED';
        return { ImageBuildVersionArn: b.arn };
      }
      return {
        Image: {
          Arn: b.arn,
          Name: `natfleet-lab-image`,
          Version: b.version,
          State: { Status: b.status, ...(b.reason ? { Reason: b.reason } : {}) },
          ...(b.ami
            ? { OutputResources: { Amis: [{ Region: this.o.region, Image: b.ami }] } }
            : {}),
        },
      };
    }
    throw failure('InvalidRequestException', `the lab's Image Builder does not answer ${name}`);
  }

  /** The newest build. */
  last(): ImageBuild | undefined {
    return this.builds.at(-1);
  }

  private start(pipeline: string): ImageBuild {
    const n = this.builds.length + 1;
    const version = `1.0.${n}`;
    const image = pipeline.replace(':image-pipeline/', ':image/');
    const b: ImageBuild = {
      arn: `${image}/${version}/1`,
      version,
      status: 'BUILDING',
      dir: join(this.o.lab.dir, 'images', version),
      startedAt: Date.now(),
      done: Promise.resolve(),
    };
    const breakIt = this.failNext;
    this.failNext = false;
    b.done = this.build(b, breakIt).catch((e: Error) => {
      if (b.status !== 'CANCELLED') Object.assign(b, { status: 'FAILED', reason: e.message });
    });
    void b.done.finally(() => (b.endedAt = Date.now()));
    this.builds.push(b);
    return b;
  }

  private async build(b: ImageBuild, breakIt: boolean): Promise<void> {
    const log = this.o.log ?? (() => {});
    await this.o.lab.installImage(b.dir);
    if (b.status === 'CANCELLED') return;
    b.status = 'TESTING';
    const flush = async (ns: string) => {
      await must(['ip', 'netns', 'exec', ns, 'nft', 'flush', 'ruleset']);
    };
    const { boot, test } = await this.o.lab.testImage(b.dir, breakIt ? flush : undefined);
    if ((b.status as BuildStatus) === 'CANCELLED') return;
    const fails = test.stdout.split('\n').filter((l) => l.startsWith('FAIL'));
    if (boot.code !== 0 || test.code !== 0) {
      b.status = 'FAILED';
      b.reason =
        boot.code !== 0
          ? `boot exited ${boot.code}: ${boot.stderr.trim().split('\n').pop()}`
          : `test-nat: ${fails.join('; ') || `exit ${test.code}`}`;
      log(`image ${b.version}: FAILED (${b.reason})`);
      return;
    }
    const ami = await registerAmi(this.o.ec2, b.version);
    this.o.onImage(ami, b.dir);
    b.ami = ami;
    b.status = 'AVAILABLE';
    log(`image ${b.version}: AVAILABLE as ${ami} (test-nat passed)`);
  }
}

/**
 * The workflows' EC2 client as EC2 answers during a boot: DescribeInstanceStatus says
 * `initializing` until the lab's namespace for the instance has booted, `impaired` when its
 * boot failed. Without this a replacement would switch routes to an instance still booting.
 */
export function bootAwareEc2(
  client: Sender,
  state: (instance: string) => BootState | undefined,
): Sender {
  return {
    async send(c: unknown) {
      const out = (await client.send(c)) as {
        InstanceStatuses?: { InstanceId?: string; InstanceState?: { Name?: string } }[];
      };
      if ((c as object).constructor.name !== 'DescribeInstanceStatusCommand') return out;
      return {
        ...out,
        InstanceStatuses: (out.InstanceStatuses ?? []).map((s) => {
          if (s.InstanceState?.Name !== 'running') return s;
          const st = state(s.InstanceId!);
          if (st === 'booted') return s;
          const status = st === 'failed' ? 'impaired' : 'initializing';
          return {
            ...s,
            InstanceStatus: { Status: status, Details: [{ Name: 'reachability', Status: status }] },
            SystemStatus: { Status: st === 'failed' ? 'ok' : 'initializing' },
          };
        }),
      };
    },
  };
}
