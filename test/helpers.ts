import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseConfig } from '../lib/config/load.js';
import type { Environment } from '../lib/config/schema.js';
import type { Io } from '../cli/io.js';

export const ROOT = new URL('..', import.meta.url).pathname;
export const EXAMPLE = join(ROOT, 'examples/natfleet.yml');
export const exampleText = () => readFileSync(EXAMPLE, 'utf8');

export function exampleEnv(name: 'prod' | 'staging'): Environment {
  return parseConfig(exampleText(), EXAMPLE).environments[name]!;
}

/** `plan` of the example's prod environment into `out`. */
export const planArgs = (out: string, gbPerMonth: string) => [
  'plan',
  ...['--env', 'prod', '--config', EXAMPLE, '--out', out, '--gb-per-month', gbPerMonth],
];

export const tempDir = (prefix = 'natfleet-test-') => mkdtempSync(join(tmpdir(), prefix));

/** A checker folder as deploy zips it: one handler that answers "ok". */
export function stubCheckerDir(): string {
  const dir = tempDir('natfleet-checker-');
  writeFileSync(join(dir, 'index.js'), 'export const handler = async () => "ok";\n');
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
  return dir;
}

/** Writes a natfleet.yml that holds `env` under its name (a new temp file by default). */
export function writeConfigFile(env: Environment, file = join(tempDir(), 'natfleet.yml')): string {
  const { name, ...rest } = env;
  writeFileSync(file, stringify({ version: 1, environments: { [name]: rest } }));
  return file;
}

/** An Io that records what a command printed. */
export function captureIo(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l) };
}
