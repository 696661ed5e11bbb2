// Starts each committed bundle the way its runtime would: the CLI as a program, an action
// with INPUT_* variables and the files GitHub provides.
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLE, ROOT, planArgs, tempDir } from '../helpers.js';
import { actionNode as node, runAction } from '../action.js';

describe('bundles', () => {
  it('every action has an action.yml on node24 and a committed ESM bundle', () => {
    const actions = readdirSync(join(ROOT, 'actions'));
    expect(actions.length).toBeGreaterThan(0);
    for (const a of actions) {
      const yml = readFileSync(join(ROOT, 'actions', a, 'action.yml'), 'utf8');
      expect(yml).toMatch(/using: node24\n\s+main: dist\/index\.js/);
      expect(existsSync(join(ROOT, 'actions', a, 'dist/index.js'))).toBe(true);
      expect(
        JSON.parse(readFileSync(join(ROOT, 'actions', a, 'dist/package.json'), 'utf8')),
      ).toEqual({
        type: 'module',
      });
    }
  });

  it('the CLI bundle runs as a program', () => {
    const r = spawnSync(node, [join(ROOT, 'cli/dist/index.js'), 'validate', '--config', EXAMPLE], {
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('valid — 2 environments');
    const plan = spawnSync(
      node,
      [join(ROOT, 'cli/dist/index.js'), ...planArgs(tempDir(), '10240')],
      { encoding: 'utf8' },
    );
    expect(plan.status).toBe(0);
    expect(plan.stdout).toContain('natfleet saves $');
  });

  it('the validate action sets its output and writes a summary', async () => {
    const r = await runAction('validate', { inputs: { config: EXAMPLE } });
    expect(r.status).toBe(0);
    expect(r.output).toMatch(/^environments<<(\S+)\n\["prod","staging"\]\n\1\n$/);
    expect(r.summary).toContain('| prod | 123456789012 | eu-west-1 |');
  });

  it('the validate action fails with an annotation per problem', async () => {
    const bad = join(tempDir(), 'natfleet.yml');
    writeFileSync(
      bad,
      readFileSync(EXAMPLE, 'utf8').replace('vpcId: vpc-0a1b2c3d4e5f60718', 'vpcId: nope'),
    );
    const r = await runAction('validate', { inputs: { config: bad } });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(
      `::error title=natfleet.yml,file=${bad},line=12::environments.prod.vpcId: expected a VPC id (vpc-…), got "nope" (line 12)`,
    );
    expect(r.stdout).toContain('has 1 problem; nothing was changed');
    expect(r.output).toBe('');
  });
});
