// The README describes today: its actions table is each action.yml's inputs and outputs, its
// command list is every verb's usage line, its "What is here" is the tree.
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { HELP } from '../../cli/run.js';
import { ROOT } from '../helpers.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The body rows of the markdown table under a heading, as cells. */
function table(heading: string): string[][] {
  const section = readme.split(/^## /m).find((s) => s.startsWith(heading));
  if (!section) throw new Error(`README has no section "${heading}"`);
  return section
    .split('\n')
    .filter((l) => l.startsWith('|'))
    .slice(2)
    .map((l) =>
      l
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim()),
    );
}

/** `name` (anything), `name`, … → the names; anything else in the cell is a mistake. */
function names(cell: string): string[] {
  const item = /`([a-z][\w-]*)`(?: \((?:[^()]|\([^()]*\))*\))?/g;
  const rest = cell.replace(item, '').replace(/[,\s]/g, '');
  expect([cell, rest]).toEqual([cell, '']);
  return [...cell.matchAll(item)].map((m) => m[1]!);
}

describe('README.md', () => {
  it('lists every action with the inputs and outputs its action.yml declares, in order', () => {
    const rows = table('The actions');
    const actions = readdirSync(join(ROOT, 'actions')).sort();
    expect(rows.map((r) => r[0]).sort()).toEqual(actions.map((a) => `\`actions/${a}\``));
    for (const [name, inputs, outputs] of rows) {
      const a = name!.replace(/`/g, '');
      const yml = parse(readFileSync(join(ROOT, a, 'action.yml'), 'utf8'));
      expect([a, names(inputs!)]).toEqual([a, Object.keys(yml.inputs ?? {})]);
      expect([a, names(outputs!)]).toEqual([a, Object.keys(yml.outputs ?? {})]);
    }
  });

  it('shows every command with its usage line, help and --version', () => {
    const block = /^## The command line\n\n```\n([\s\S]*?)```/m.exec(readme)?.[1] ?? '';
    const lines = block.trim().split('\n');
    for (const [verb, help] of Object.entries(HELP)) {
      const usage = help.split('\n')[0]!.replace(/^Usage: /, '');
      expect([verb, lines.includes(usage)]).toEqual([verb, true]);
    }
    expect(lines).toContainEqual(expect.stringMatching(/^natfleet help \[COMMAND\]/));
    expect(lines).toContain('natfleet --version');
    expect(lines).toHaveLength(Object.keys(HELP).length + 2);
  });

  it('"What is here" names every folder of the tree, and only paths that exist', () => {
    const rows = table('What is here');
    const listed = rows.flatMap((r) => [...r[0]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!));
    for (const p of listed) expect([p, existsSync(join(ROOT, p))]).toEqual([p, true]);
    const tracked = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' });
    const folders = new Set(
      tracked
        .split('\n')
        .filter((f) => f.includes('/'))
        .map((f) => `${f.split('/')[0]}/`),
    );
    for (const f of folders) expect([f, listed.includes(f)]).toEqual([f, true]);
  });
});
