// `natfleet schema`: print the JSON Schema, or with --write put it beside natfleet.yml and point
// the file's yaml-language-server comment at it, so editors complete it in any repository.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { jsonSchema } from '../lib/config/schema.js';
import { stateJsonSchema } from '../lib/record/schema.js';
import { UsageError, type Io } from './io.js';

export const schemaHelp = `Usage: natfleet schema [--state] [--write [DIR]] [--config FILE]

Prints the JSON Schema of natfleet.yml (editors use it for completion).
  --state         the JSON Schema of the record, state/<env>.json, instead
  --write [DIR]   write it to DIR/natfleet.schema.json (default: the folder of the
                  configuration) and set the configuration's first line to
                  "# yaml-language-server: $schema=./natfleet.schema.json"
  --config FILE   the configuration whose comment --write sets (default: DIR/natfleet.yml)`;

export const SCHEMA_FILE = 'natfleet.schema.json';
export const STATE_SCHEMA_FILE = 'natfleet-state.schema.json';
const COMMENT = /^#\s*yaml-language-server:\s*\$schema=.*$/m;

/** The text with its yaml-language-server comment pointing at ref (added as line 1 if none). */
export function withSchemaComment(text: string, ref: string): string {
  const line = `# yaml-language-server: $schema=${ref}`;
  return COMMENT.test(text) ? text.replace(COMMENT, line) : `${line}\n${text}`;
}

export interface SchemaArgs {
  state?: boolean;
  /** --write: true without a folder, or the folder. */
  write?: string | true;
  /** --config as given (undefined: DIR/natfleet.yml). */
  config?: string;
}

export function schemaCommand(args: SchemaArgs, io: Io): number {
  const schema = JSON.stringify(args.state ? stateJsonSchema() : jsonSchema(), null, 2);
  if (args.write === undefined) {
    io.out(schema);
    return 0;
  }
  const dir =
    args.write === true ? (args.config ? dirname(args.config) : '.') : args.write.trim() || '.';
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new UsageError(`schema: --write expects a folder, got the file "${dir}"`);
  }
  mkdirSync(dir, { recursive: true });
  const file = join(dir, args.state ? STATE_SCHEMA_FILE : SCHEMA_FILE);
  writeFileSync(file, schema + '\n');
  io.out(`wrote ${file}`);
  if (args.state) return 0;
  const config = args.config ?? join(dir, 'natfleet.yml');
  if (!existsSync(config)) {
    io.out(`${config} does not exist yet: start it with the line`);
    io.out(`  # yaml-language-server: $schema=./${relative(dir, file)}`);
    return 0;
  }
  let ref = relative(dirname(config), file);
  if (!ref.startsWith('.')) ref = `./${ref}`;
  const before = readFileSync(config, 'utf8');
  const after = withSchemaComment(before, ref);
  if (after !== before) writeFileSync(config, after);
  io.out(
    after === before
      ? `${config} already points at ${ref}`
      : `${config}: set "# yaml-language-server: $schema=${ref}"`,
  );
  return 0;
}
