// The record of every AWS call the test suites make, for the IAM proof (test/iam-proof.ts):
// which role makes it, the operation and its input, and the facts AWS would authorise it with
// that the input does not carry (the tags of the instances it names). Kept in memory for the
// test file that makes the calls, and appended to NATFLEET_CALLS (a folder) when that is set,
// so that a later run of the proof evaluates the whole suite's calls.
import { appendFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { AsyncLocalStorage } from 'node:async_hooks';
import { EC2Client } from '@aws-sdk/client-ec2';
import type { Environment } from '../lib/config/schema.js';
import type { Sender } from '../lib/workflows/sdk.js';
import type { TaskCall } from '../lab/stepfunctions/local.js';

/** Where a call was made: the environment and the ids the templates get as parameters. */
export interface Setting {
  env: Environment;
  /** Template parameters and logical ids → the values they had (LaunchTemplateId, …). */
  refs: Record<string, string>;
  /** Only the roles whose names start with one of these are proved here (all when absent). */
  roles?: string[];
}

export interface Call {
  /** The setting the call belongs to (a key of recordedSettings()). */
  setting: string;
  /** `<stack>/<logical id of the role>`, e.g. workflows/FailoverRole, checker/Role. */
  role: string;
  /** The SDK service (ec2, ssm, sfn, imagebuilder) or Step Functions' own integration (states). */
  service: string;
  /** PascalCase, as in the SDK command (RunInstances), or startExecution.sync:2 for states. */
  operation: string;
  input: Record<string, unknown>;
  /** Tags of every instance the input names, as they were just before the call. */
  instanceTags?: Record<string, Record<string, string>>;
  /** The subnet of every network interface the input names (ec2:Subnet in AWS's context). */
  interfaceSubnets?: Record<string, string>;
}

const settings = new Map<string, Setting>();
const calls: Call[] = [];
let settingCount = 0;

const folder = () => process.env.NATFLEET_CALLS;
const file = (kind: 'calls' | 'settings') => join(folder()!, `${kind}-${process.pid}.jsonl`);
const append = (kind: 'calls' | 'settings', v: unknown) => {
  if (!folder()) return;
  mkdirSync(folder()!, { recursive: true });
  appendFileSync(file(kind), JSON.stringify(v) + '\n');
};

/** Registers where the next calls are made; returns its key. */
export function recordSetting(s: Setting): string {
  // jest loads this module afresh for each test file of a worker: the key must still be unique.
  const key = `${process.pid}-${randomUUID().slice(0, 8)}-${++settingCount}`;
  settings.set(key, s);
  return key;
}

const written = new Set<string>();

export function recordCall(c: Call): void {
  calls.push(c);
  // The setting as it is at its first call: its world is built by then.
  if (!written.has(c.setting)) {
    written.add(c.setting);
    append('settings', { key: c.setting, ...settings.get(c.setting) });
  }
  append('calls', c);
}

/** This process's calls, or with `fromFolder` every call recorded there by any process. */
export function recordedCalls(fromFolder?: string): {
  calls: Call[];
  settings: Map<string, Setting>;
} {
  if (!fromFolder) return { calls: [...calls], settings: new Map(settings) };
  const all: Call[] = [];
  const s = new Map<string, Setting>();
  for (const f of readdirSync(fromFolder)) {
    const lines = readFileSync(join(fromFolder, f), 'utf8').split('\n').filter(Boolean);
    for (const l of lines) {
      const v = JSON.parse(l) as Call | (Setting & { key: string });
      if (f.startsWith('settings-')) {
        const { key, ...rest } = v as Setting & { key: string };
        s.set(key, rest);
      } else all.push(v as Call);
    }
  }
  return { calls: all, settings: s };
}

export function clearRecordedCalls(): void {
  calls.length = 0;
}

const instanceIds = (input: Record<string, unknown>): string[] => {
  const ids = [input.InstanceId, ...((input.InstanceIds as unknown[]) ?? [])];
  return ids.filter((x): x is string => typeof x === 'string');
};

interface Lookup {
  (ids: string[]): Promise<Record<string, Record<string, string>>>;
  subnets?: (enis: string[]) => Promise<Record<string, string>>;
}

/** Instance tags (and interfaces' subnets) from an EC2 client (a moto one), outside the record. */
export function tagLookup(ec2: Sender): Lookup {
  const lookup: Lookup = async (ids) => {
    if (!ids.length) return {};
    const { DescribeInstancesCommand } = await import('@aws-sdk/client-ec2');
    const out = (await ec2
      .send(new DescribeInstancesCommand({ InstanceIds: ids }))
      .catch(() => ({}))) as {
      Reservations?: {
        Instances?: { InstanceId?: string; Tags?: { Key?: string; Value?: string }[] }[];
      }[];
    };
    const tags: Record<string, Record<string, string>> = {};
    for (const i of (out.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
      tags[i.InstanceId!] = Object.fromEntries((i.Tags ?? []).map((t) => [t.Key!, t.Value!]));
    }
    return tags;
  };
  lookup.subnets = async (enis) => {
    const { DescribeNetworkInterfacesCommand } = await import('@aws-sdk/client-ec2');
    const out = (await ec2
      .send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: enis }))
      .catch(() => ({}))) as {
      NetworkInterfaces?: { NetworkInterfaceId?: string; SubnetId?: string }[];
    };
    return Object.fromEntries(
      (out.NetworkInterfaces ?? []).map((n) => [n.NetworkInterfaceId!, n.SubnetId!]),
    );
  };
  return lookup;
}

async function facts(input: Record<string, unknown>, lookup?: Lookup) {
  const ids = instanceIds(input);
  const eni = input.NetworkInterfaceId;
  return {
    ...(lookup && ids.length ? { instanceTags: await lookup(ids) } : {}),
    ...(lookup?.subnets && typeof eni === 'string'
      ? { interfaceSubnets: await lookup.subnets([eni]) }
      : {}),
  };
}

/** A client whose every command is recorded as made by `role`. */
export function recording(
  setting: string,
  role: string,
  service: string,
  client: Sender,
  lookup?: Lookup,
): Sender {
  return {
    async send(command: unknown) {
      const c = command as { constructor: { name: string }; input?: Record<string, unknown> };
      const input = c.input ?? {};
      recordCall({
        setting,
        role,
        service,
        operation: c.constructor.name.replace(/Command$/, ''),
        input,
        ...(await facts(input, lookup)),
      });
      return client.send(command);
    },
  };
}

/** The same, on an SDK client itself (its paginators call its own send). */
export function recordOn<T extends Sender>(
  setting: string,
  role: string,
  service: string,
  client: T,
  lookup?: Lookup,
): T {
  const inner = { send: client.send.bind(client) as Sender['send'] };
  const wrapped = recording(setting, role, service, inner, lookup);
  (client as { send: Sender['send'] }).send = wrapped.send;
  return client;
}

/**
 * The in-process runner's `around` hook: each Task recorded as made by its state machine's role
 * (workflows/<Workflow>Role). `machineRole` maps a state machine's name to that role.
 */
export function aroundTasks(
  setting: string,
  machineRole: (machine: string) => string,
  lookup?: Lookup,
) {
  return async (
    { machine, resource, input }: TaskCall,
    call: () => Promise<unknown>,
  ): Promise<unknown> => {
    const sdk = /^arn:aws[a-z-]*:states:::aws-sdk:([a-z0-9]+):([a-zA-Z0-9]+)$/.exec(resource);
    const own = /^arn:aws[a-z-]*:states:::states:(.+)$/.exec(resource);
    const i = (input ?? {}) as Record<string, unknown>;
    const service = sdk ? sdk[1]! : 'states';
    const operation = sdk ? sdk[2]!.charAt(0).toUpperCase() + sdk[2]!.slice(1) : own![1]!;
    recordCall({
      setting,
      role: machineRole(machine),
      service,
      operation,
      input: i,
      ...(await facts(i, lookup)),
    });
    return call();
  };
}

const SERVICES: Record<string, string> = {
  EC2: 'ec2',
  SSM: 'ssm',
  SFN: 'sfn',
  S3: 's3',
  STS: 'sts',
  CloudFormation: 'cloudformation',
};

interface Scope {
  setting: string;
  role: string;
  lookup?: Lookup;
}
const scope = new AsyncLocalStorage<Scope>();
let patched = false;

/** Every SDK client's send, recorded while a `recordingAs` scope is active (and only then). */
function patchSend(): void {
  if (patched) return;
  patched = true;
  const proto = Object.getPrototypeOf(EC2Client.prototype) as { send: Sender['send'] };
  const send = proto.send;
  proto.send = async function (this: { config: { serviceId?: string } }, ...args: unknown[]) {
    const s = scope.getStore();
    if (s) {
      const c = args[0] as { constructor: { name: string }; input?: Record<string, unknown> };
      const id = this.config.serviceId ?? '';
      const input = c.input ?? {};
      // The lookup's own reads are outside the scope: not the role's calls.
      const known = await scope.exit(() => facts(input, s.lookup));
      recordCall({
        setting: s.setting,
        role: s.role,
        service: SERVICES[id] ?? id.toLowerCase(),
        operation: c.constructor.name.replace(/Command$/, ''),
        input,
        ...known,
      });
    }
    return (send as (...a: unknown[]) => Promise<unknown>).apply(this, args);
  } as Sender['send'];
}

/**
 * Runs `fn` with every SDK call it makes (through any client, made anywhere: the CLI's, deploy's,
 * record-state's) recorded as `role`'s. The code under test is unchanged; calls made outside
 * `fn`'s async context (the test's own) are not recorded.
 */
export function recordingAs<T>(
  setting: string,
  role: string,
  fn: () => Promise<T>,
  lookup?: Lookup,
): Promise<T> {
  patchSend();
  return scope.run({ setting, role, ...(lookup ? { lookup } : {}) }, fn);
}

/** Runs `fn` unrecorded: a test harness's own calls inside a recorded scope (moto's shims). */
export function unrecorded<T>(fn: () => T): T {
  return scope.exit(fn);
}
