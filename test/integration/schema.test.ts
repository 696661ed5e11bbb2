import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { jsonSchema } from '../../lib/config/schema.js';
import { EXAMPLE, ROOT, exampleText } from '../helpers.js';

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

  it('is referenced by the example for editor completion', () => {
    expect(exampleText().split('\n')[0]).toBe(
      '# yaml-language-server: $schema=../schema/natfleet.schema.json',
    );
  });
});
