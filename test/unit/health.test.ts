// The health command's words on failure are bounded: the report carries them (ADR 0150).
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HEALTH_OUTPUT_BYTES, healthCommands, healthRequest } from '../../lib/health.js';
import { tempDir } from '../helpers.js';

function run(testNat: string) {
  const dir = tempDir('natfleet-health-');
  const path = join(dir, 'test-nat');
  writeFileSync(path, `#!/bin/bash\n${testNat}\n`);
  chmodSync(path, 0o755);
  writeFileSync(join(dir, 'curl'), '#!/bin/sh\nexit 7\n');
  chmodSync(join(dir, 'curl'), 0o755);
  return spawnSync('bash', ['-c', healthCommands(['http://a.example'], path).join('\n')], {
    env: { PATH: `${dir}:/usr/bin:/bin` },
    encoding: 'utf8',
    // stdin not a socket: bash reads no ~/.bashrc then (it does for a "remote shell").
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

describe('the health command', () => {
  it.each([
    ['a long test-nat failure', 5000],
    ['a short one', 5],
  ])('%s: stderr is the tail of its output and the verdict, bounded', (_, lines) => {
    const r = run(`for i in $(seq 1 ${lines}); do echo "line $i of test-nat"; done; exit 3`);
    expect(r.status).toBe(1);
    expect(r.stderr.length).toBeLessThanOrEqual(HEALTH_OUTPUT_BYTES + '\ntest-nat failed\n'.length);
    expect(r.stderr).toMatch(new RegExp(`line ${lines} of test-nat\\ntest-nat failed\\n$`));
    if (lines < 10) expect(r.stderr).toContain('line 1 of test-nat\n');
  });

  it('a URL that does not answer says so, curl’s own noise left out', () => {
    const r = run('exit 0');
    expect([r.status, r.stderr]).toEqual([1, 'no URL answered from the instance\n']);
  });

  it('is sent as plain AWS-RunShellScript with its bounds', () => {
    expect(healthRequest(['http://a.example'])).toEqual({
      DocumentName: 'AWS-RunShellScript',
      TimeoutSeconds: 60,
      Parameters: {
        commands: healthCommands(['http://a.example']),
        executionTimeout: ['30'],
      },
    });
  });
});
