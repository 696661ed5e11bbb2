// Reads natfleet.yml: YAML → structure → cross-field rules → defaults. All problems at once.
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isNode, isScalar } from 'yaml';
import { Value } from '@sinclair/typebox/value';
import { EnvironmentSchema, type Environment, type FleetConfig, type RawConfig } from './schema.js';
import { ConfigError } from './problems.js';
import { closest, structureProblems } from './structure.js';
import { ruleProblems } from './rules.js';

export const DEFAULT_CONFIG_PATH = 'natfleet.yml';

/** Parses and validates configuration text; throws ConfigError listing every problem. */
export function parseConfig(text: string, file = DEFAULT_CONFIG_PATH): FleetConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => ({
        path: [],
        expected: 'valid YAML',
        found: e.message.split('\n')[0] ?? e.code,
        line: e.linePos?.[0]?.line,
      })),
    );
  }
  const raw: unknown = doc.toJS();
  // Not a mapping (`config: /etc/passwd`): say what it is, never what it holds.
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(file, [
      {
        path: [],
        expected: 'a YAML mapping (version: 1, environments: …)',
        found: shapeOf(raw),
        line: 1,
      },
    ]);
  }
  const sourceOf = (path: (string | number)[]) => {
    const node = doc.getIn(path, true);
    return isScalar(node) ? node.source : undefined;
  };
  const problems = [...structureProblems(raw, sourceOf), ...ruleProblems(raw)];
  if (problems.length > 0) {
    for (const p of problems) p.line ??= lineOf(doc, lines, p.path);
    problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    throw new ConfigError(file, problems);
  }
  const config = withDefaults(raw as RawConfig);
  for (const env of Object.values(config.environments)) {
    sources.set(env, { file, line: (path) => lineOf(doc, lines, path) });
  }
  return config;
}

/** Where an environment was read from, so that later checks (deploy's preflight) can point at
 * a line as validate does. Held beside the object, not in it: an Environment stays plain data. */
export interface ConfigSource {
  file: string;
  line(path: (string | number)[]): number | undefined;
}
const sources = new WeakMap<Environment, ConfigSource>();

/** The file and lines of an environment parsed from text; undefined for one built in code. */
export const sourceOf = (env: Environment): ConfigSource | undefined => sources.get(env);

export function loadConfig(file = DEFAULT_CONFIG_PATH): FleetConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(e);
    throw new ConfigError(file, [{ path: [], expected: 'a readable natfleet.yml', found: reason }]);
  }
  return parseConfig(text, file);
}

/** The named environment, or an error that lists the ones that exist. */
export function environment(config: FleetConfig, name: string): Environment {
  const env = config.environments[name];
  if (!env) {
    const names = Object.keys(config.environments);
    const meant = closest(name, names);
    throw new Error(
      `unknown environment "${name}"${meant ? ` (did you mean ${meant}?)` : ''}: ` +
        `the configuration defines ${names.join(', ')}`,
    );
  }
  return env;
}

function lineOf(
  doc: ReturnType<typeof parseDocument>,
  lines: LineCounter,
  path: (string | number)[],
) {
  // The field itself, or the closest parent that exists (a missing field points at its parent).
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

function withDefaults(raw: RawConfig): FleetConfig {
  const environments: Record<string, Environment> = {};
  for (const [name, env] of Object.entries(raw.environments)) {
    const filled = Value.Default(EnvironmentSchema, structuredClone(env)) as object;
    environments[name] = { ...filled, name } as Environment;
  }
  return { environments };
}

function shapeOf(v: unknown): string {
  if (v === null || v === undefined) return 'an empty document';
  if (Array.isArray(v)) return `a list of ${v.length} item(s)`;
  if (typeof v === 'string') return `a text of ${v.length} character(s)`;
  return `a ${typeof v}`;
}
