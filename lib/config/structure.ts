// Structural validation against the schema, turned into located problems.
import { ValueErrorType } from '@sinclair/typebox/errors';
import { Value } from '@sinclair/typebox/value';
import type { TSchema } from '@sinclair/typebox';
import { ConfigSchema } from './schema.js';
import { describe, type Problem } from './problems.js';

export function segments(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** Edits (insert, delete, replace, swap two neighbours) from a to b, ignoring case. */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const d = Array.from({ length: x.length + 1 }, (_, i) =>
    Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) {
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      }
      d[i]![j] = best;
    }
  }
  return d[x.length]![y.length]!;
}

/** The known name a misspelt one most likely meant: few edits for its length, or none. */
export function closest(word: string, known: readonly string[]): string | undefined {
  const allowed = Math.max(2, Math.floor(word.length / 4));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(word, k);
    if (d <= allowed && d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best;
}

/** The value as written in natfleet.yml, when it is a scalar (e.g. "012345678901"). */
export type SourceOf = (path: (string | number)[]) => string | undefined;

/**
 * A string field given a plain number or boolean: YAML read it as one because it was not
 * quoted (an account id, a numeric-looking name). Say so, and how to write it.
 */
function unquoted(value: number | boolean, source: string | undefined): string {
  const written = source ?? String(value);
  const kind = typeof value === 'number' ? 'a number' : 'true or false';
  const read = written === String(value) ? kind : `${kind} (${String(value)})`;
  return `${written} unquoted, which YAML reads as ${read}: write it in quotes, "${written}"`;
}

function expectation(
  type: ValueErrorType,
  schema: TSchema,
  message: string,
  path: (string | number)[],
  value: unknown,
  sourceOf: SourceOf,
): { expected: string; found: string } {
  if (type === ValueErrorType.ObjectAdditionalProperties) {
    const props = Object.keys((schema.properties as object | undefined) ?? {});
    const key = String(path[path.length - 1]);
    if (schema.patternProperties) {
      const expected = 'an environment name of lowercase letters, digits and dashes (up to 16)';
      return { expected, found: JSON.stringify(key) };
    }
    const meant = closest(key, props);
    return {
      expected: `one of the settings ${props.join(', ')}`,
      found: `an unknown setting${meant ? `; did you mean ${meant}?` : ''}`,
    };
  }
  const expected = (schema.description as string | undefined) ?? message.replace(/^Expected /, '');
  if (type === ValueErrorType.String && (typeof value === 'number' || typeof value === 'boolean')) {
    return { expected, found: unquoted(value, sourceOf(path)) };
  }
  return { expected, found: describe(value) };
}

/** Every structural problem, one per field (the first reason found for it). */
export function structureProblems(doc: unknown, sourceOf: SourceOf = () => undefined): Problem[] {
  const seen = new Set<string>();
  const out: Problem[] = [];
  for (const e of Value.Errors(ConfigSchema, doc)) {
    if (seen.has(e.path)) continue;
    seen.add(e.path);
    const path = segments(e.path);
    out.push({ path, ...expectation(e.type, e.schema, e.message, path, e.value, sourceOf) });
  }
  return out;
}
