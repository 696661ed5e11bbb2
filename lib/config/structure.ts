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

function expectation(
  type: ValueErrorType,
  schema: TSchema,
  message: string,
  path: string[],
  value: unknown,
): { expected: string; found: string } {
  if (type === ValueErrorType.ObjectAdditionalProperties) {
    const props = Object.keys((schema.properties as object | undefined) ?? {});
    const key = path[path.length - 1];
    if (schema.patternProperties) {
      const expected = 'an environment name of lowercase letters, digits and dashes (up to 16)';
      return { expected, found: JSON.stringify(key) };
    }
    return { expected: `one of the settings ${props.join(', ')}`, found: 'an unknown setting' };
  }
  const expected = (schema.description as string | undefined) ?? message.replace(/^Expected /, '');
  return { expected, found: describe(value) };
}

/** Every structural problem, one per field (the first reason found for it). */
export function structureProblems(doc: unknown): Problem[] {
  const seen = new Set<string>();
  const out: Problem[] = [];
  for (const e of Value.Errors(ConfigSchema, doc)) {
    if (seen.has(e.path)) continue;
    seen.add(e.path);
    const path = segments(e.path);
    out.push({ path, ...expectation(e.type, e.schema, e.message, path.map(String), e.value) });
  }
  return out;
}
