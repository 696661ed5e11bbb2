// Runs a TypeScript script of this repository: bundles it with ncc into a scratch folder (the
// project is ESM, NodeNext), then runs the bundle with the remaining arguments.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const [script, ...args] = process.argv.slice(2);
if (!script) {
  console.error('usage: node scripts/run-ts.mjs FILE.ts [ARGS…]');
  process.exit(2);
}
const out = mkdtempSync(join(tmpdir(), 'natfleet-run-'));
try {
  execFileSync(
    join(root, 'node_modules/.bin/ncc'),
    ['build', join(root, script), '-o', out, '-q'],
    {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const r = spawnSync(process.execPath, [join(out, 'index.js'), ...args], { stdio: 'inherit' });
  process.exitCode = r.status ?? 1;
} finally {
  rmSync(out, { recursive: true, force: true });
}
