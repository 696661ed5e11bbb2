import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasTool } from '../../lab/topology.js';
import { ROOT } from '../helpers.js';

const dir = join(ROOT, 'imagebuilder/scripts');
const scripts = readdirSync(dir).filter((f) => f.endsWith('.sh'));

describe('image scripts', () => {
  it('are strict bash', () => {
    expect(scripts.length).toBeGreaterThanOrEqual(5);
    for (const f of scripts) {
      const text = readFileSync(join(dir, f), 'utf8');
      if (f === 'natfleet-lib.sh') expect(text).toMatch(/^# shellcheck shell=bash/);
      else expect(text).toMatch(/^#!\/usr\/bin\/env bash\n(#.*\n)*set -euo pipefail\n/);
    }
  });

  const required = process.env.NATFLEET_LAB_REQUIRED === '1';
  const available = hasTool('shellcheck');
  if (!available && !required)
    console.warn('shellcheck is not installed: image scripts not linted');
  (available || required ? it : it.skip)('are shellcheck-clean', () => {
    const r = spawnSync('shellcheck', ['--format=gcc', ...scripts], { cwd: dir, encoding: 'utf8' });
    if (r.error) throw new Error(`shellcheck could not run: ${r.error.message}`);
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });
});
