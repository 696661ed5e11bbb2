import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { jsonSchema } from '../../lib/config/schema.js';
import { VERSION } from '../../lib/version.js';
import { actionNode as node } from '../action.js';
import { EXAMPLE, ROOT, exampleText, tempDir } from '../helpers.js';

const cli = (cwd: string, ...args: string[]) =>
  spawnSync(node, [join(ROOT, 'cli/dist/index.js'), ...args], { cwd, encoding: 'utf8' });
const schemaRef = (text: string) =>
  /^# yaml-language-server: \$schema=(\S+)$/m.exec(text.split('\n')[0]!)?.[1];

const committed = JSON.parse(readFileSync(join(ROOT, 'schema/natfleet.schema.json'), 'utf8'));

describe('the JSON Schema of natfleet.yml', () => {
  it('is the committed file, generated from the one source (run "npm run build" when not)', () => {
    expect(committed).toEqual(jsonSchema());
  });

  it('is a schema other tools accept, and the example passes it', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(committed);
    expect(validate(parse(readFileSync(EXAMPLE, 'utf8')))).toBe(true);
    expect(
      validate(parse(exampleText().replace('vpcId: vpc-0a1b2c3d4e5f60718', 'vpcId: nope'))),
    ).toBe(false);
    expect(validate.errors?.[0]?.instancePath).toBe('/environments/prod/vpcId');
  });

  it('is referenced by the example at the release it pins, a URL that works from any folder', () => {
    // The release script moves this tag with the version; the file is committed at every tag.
    expect(schemaRef(exampleText())).toBe(
      `https://raw.githubusercontent.com/natfleet/natfleet/v${VERSION}/schema/natfleet.schema.json`,
    );
    expect(existsSync(join(ROOT, 'schema/natfleet.schema.json'))).toBe(true);
  });

  it('schema --write in a copy of examples/: the schema lands beside natfleet.yml and the comment points at it', () => {
    const repo = tempDir('natfleet-fleet-');
    cpSync(join(ROOT, 'examples'), repo, { recursive: true });
    const r = cli(repo, 'schema', '--write');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const text = readFileSync(join(repo, 'natfleet.yml'), 'utf8');
    expect(schemaRef(text)).toBe('./natfleet.schema.json');
    // Only the comment changed; the reference resolves and the copied example passes it.
    expect(text.split('\n').slice(1)).toEqual(exampleText().split('\n').slice(1));
    const written = JSON.parse(readFileSync(resolve(repo, schemaRef(text)!), 'utf8'));
    expect(written).toEqual(committed);
    const validate = new Ajv({ allErrors: true, strict: false }).compile(written);
    expect(validate(parse(text))).toBe(true);
    // Again: nothing to change.
    expect(cli(repo, 'schema', '--write', '.').stdout).toContain(
      'already points at ./natfleet.schema.json',
    );
  });

  it('schema --write DIR with a configuration elsewhere, or none yet', () => {
    const repo = tempDir('natfleet-fleet-');
    writeFileSync(join(repo, 'fleet.yml'), 'version: 1\nenvironments: {}\n');
    const r = cli(repo, 'schema', '--write', 'schemas', '--config', 'fleet.yml');
    expect(r.status).toBe(0);
    const text = readFileSync(join(repo, 'fleet.yml'), 'utf8');
    expect(text).toBe(
      '# yaml-language-server: $schema=./schemas/natfleet.schema.json\nversion: 1\nenvironments: {}\n',
    );
    expect(existsSync(join(repo, 'schemas/natfleet.schema.json'))).toBe(true);
    const empty = tempDir('natfleet-fleet-');
    const none = cli(empty, 'schema', '--write');
    expect(none.status).toBe(0);
    expect(readdirSync(empty)).toEqual(['natfleet.schema.json']);
    expect(none.stdout).toContain('# yaml-language-server: $schema=./natfleet.schema.json');
    const file = join(empty, 'natfleet.schema.json');
    const onFile = cli(dirname(file), 'schema', '--write', 'natfleet.schema.json');
    expect([onFile.status, onFile.stderr.trim()]).toEqual([
      2,
      'natfleet: schema: --write expects a folder, got the file "natfleet.schema.json"',
    ]);
  });
});
