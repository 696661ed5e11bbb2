import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** An Io that records what a command printed. */
export function captureIo(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l) };
}
