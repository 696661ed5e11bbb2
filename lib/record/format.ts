// Reading and writing state/<env>.json. Keys are written in the schema's order and maps sorted,
// two-space indented with a final newline, so a diff of two records shows only what changed.
import { ValueErrorType } from '@sinclair/typebox/errors';
import { Value } from '@sinclair/typebox/value';
import type { TSchema } from '@sinclair/typebox';
import { describe, formatPath, type Problem } from '../config/problems.js';
import { segments } from '../config/structure.js';
import { StateRecordSchema, type StateRecord } from './schema.js';

export class RecordError extends Error {
  constructor(
    readonly file: string,
    readonly problems: Problem[],
  ) {
    super(
      `${file} does not match schema/natfleet-state.schema.json:\n` +
        problems
          .map((p) => `  ${formatPath(p.path)}: expected ${p.expected}, got ${p.found}`)
          .join('\n'),
    );
    this.name = 'RecordError';
  }
}

/** The value with its object keys in the schema's order (maps: sorted by key). */
function ordered(schema: TSchema, value: unknown): unknown {
  if (Array.isArray(value))
    return value.map((v) => ordered((schema.items as TSchema) ?? ({} as TSchema), v));
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  if (schema.properties) {
    const props = schema.properties as Record<string, TSchema>;
    for (const k of Object.keys(props))
      if (obj[k] !== undefined) out[k] = ordered(props[k]!, obj[k]);
    for (const k of Object.keys(obj).sort())
      if (!(k in out) && obj[k] !== undefined) out[k] = obj[k];
    return out;
  }
  const item =
    Object.values((schema.patternProperties as Record<string, TSchema>) ?? {})[0] ??
    ({} as TSchema);
  for (const k of Object.keys(obj).sort()) if (obj[k] !== undefined) out[k] = ordered(item, obj[k]);
  return out;
}

export function formatRecord(record: StateRecord): string {
  return JSON.stringify(ordered(StateRecordSchema, record), null, 2) + '\n';
}

/** Every field that breaks the schema, one problem per field. */
export function recordProblems(doc: unknown): Problem[] {
  const seen = new Set<string>();
  const out: Problem[] = [];
  for (const e of Value.Errors(StateRecordSchema, doc)) {
    if (seen.has(e.path)) continue;
    seen.add(e.path);
    const expected =
      e.type === ValueErrorType.ObjectAdditionalProperties
        ? `only the fields ${Object.keys((e.schema.properties as object) ?? {}).join(', ') || 'the schema names'}`
        : ((e.schema.description as string | undefined) ?? e.message.replace(/^Expected /, ''));
    out.push({ path: segments(e.path), expected, found: describe(e.value) });
  }
  return out;
}

/** Parses a record; a file that is not JSON or breaks the schema throws RecordError. */
export function parseRecord(text: string, file: string): StateRecord {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new RecordError(file, [{ path: [], expected: 'JSON', found: (e as Error).message }]);
  }
  const problems = recordProblems(doc);
  if (problems.length > 0) throw new RecordError(file, problems);
  return doc as StateRecord;
}
