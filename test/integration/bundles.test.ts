// Starts each committed bundle the way its runtime would: the CLI as a program, an action
// with INPUT_* variables and the files GitHub provides.
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { EXAMPLE, ROOT, planArgs, tempDir } from '../helpers.js';

const node = process.env.NATFLEET_SMOKE_NODE ?? process.execPath;

function runAction(name: string, inputs: Record<string, string>) {
  const dir = tempDir('natfleet-action-');
  const output = join(dir, 'output');
  const summary = join(dir, 'summary');
  writeFileSync(output, '');
  writeFileSync(summary, '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    GITHUB_OUTPUT: output,
    GITHUB_STEP_SUMMARY: summary,
  };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  const r = spawnSync(node, [join(ROOT, 'actions', name, 'dist/index.js')], {
    env,
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { ...r, output: readFileSync(output, 'utf8'), summary: readFileSync(summary, 'utf8') };
}

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

  it('the validate action sets its output and writes a summary', () => {
    const r = runAction('validate', { config: EXAMPLE });
    expect(r.status).toBe(0);
    expect(r.output).toMatch(/^environments<<(\S+)\n\["prod","staging"\]\n\1\n$/);
    expect(r.summary).toContain('| prod | 123456789012 | eu-west-1 |');
  });

  it('the validate action fails with an annotation per problem', () => {
    const bad = join(tempDir(), 'natfleet.yml');
    writeFileSync(
      bad,
      readFileSync(EXAMPLE, 'utf8').replace('vpcId: vpc-0a1b2c3d4e5f60718', 'vpcId: nope'),
    );
    const r = runAction('validate', { config: bad });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(
      `::error title=natfleet.yml,file=${bad},line=12::environments.prod.vpcId: expected a VPC id (vpc-…), got "nope" (line 12)`,
    );
    expect(r.stdout).toContain('has 1 problem(s); nothing was changed');
    expect(r.output).toBe('');
  });
});
