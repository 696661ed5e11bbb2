// Starts a committed action bundle the way the runner does: `node actions/<name>/dist/index.js`
// with its inputs as INPUT_* variables, the GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, and,
// when given, the event file. Asynchronous, so that a fake server in the test's own process
// (GitHub on 127.0.0.1) can answer the bundle while it runs.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempDir } from './helpers.js';

/** The Node that runs the bundles: NATFLEET_SMOKE_NODE (CI sets Node 24) or this one. */
export const actionNode = process.env.NATFLEET_SMOKE_NODE ?? process.execPath;

export interface RunActionOptions {
  /** Input name → value, as `with:` gives them. */
  inputs?: Record<string, string>;
  /** More environment: GITHUB_*, AWS_* … Only PATH is taken from the test's own. */
  env?: NodeJS.ProcessEnv;
  /** The triggering event: GITHUB_EVENT_NAME and a GITHUB_EVENT_PATH file with the payload. */
  event?: { name: string; payload: object };
  /** Working directory (default: a new temporary one). */
  cwd?: string;
  /** Killed after this long (default 120 s). */
  timeoutMs?: number;
}

export interface ActionRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** The GITHUB_OUTPUT file as written, and parsed into name → value. */
  output: string;
  outputs: Record<string, string>;
  summary: string;
}

/** GitHub's name for an input's variable: spaces to underscores, upper case; hyphens stay. */
export const inputVariable = (name: string) => `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;

/** The name<<delimiter blocks @actions/core writes to GITHUB_OUTPUT. */
export function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const m of text.matchAll(/^([\w-]+)<<(\S+)\n([\s\S]*?)\n?\2$/gm)) outputs[m[1]!] = m[3]!;
  return outputs;
}

/** The environment that points the AWS SDK at moto (any credentials, no metadata lookups). */
export const motoEnv = (endpoint: string): NodeJS.ProcessEnv => ({
  AWS_ENDPOINT_URL: endpoint,
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_EC2_METADATA_DISABLED: 'true',
});

export async function runAction(name: string, o: RunActionOptions = {}): Promise<ActionRun> {
  const dir = tempDir('natfleet-action-');
  const output = join(dir, 'output');
  const summary = join(dir, 'summary');
  writeFileSync(output, '');
  writeFileSync(summary, '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    GITHUB_OUTPUT: output,
    GITHUB_STEP_SUMMARY: summary,
    ...o.env,
  };
  if (o.event) {
    const file = join(dir, 'event.json');
    writeFileSync(file, JSON.stringify(o.event.payload));
    env.GITHUB_EVENT_NAME = o.event.name;
    env.GITHUB_EVENT_PATH = file;
  }
  for (const [k, v] of Object.entries(o.inputs ?? {})) env[inputVariable(k)] = v;
  const child = spawn(actionNode, [join(ROOT, 'actions', name, 'dist/index.js')], {
    env,
    cwd: o.cwd ?? dir,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill(), o.timeoutMs ?? 120_000);
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  const written = readFileSync(output, 'utf8');
  return {
    status,
    stdout,
    stderr,
    output: written,
    outputs: parseOutputs(written),
    summary: readFileSync(summary, 'utf8'),
  };
}
