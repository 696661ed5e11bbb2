// Bundles every entry point with ncc into its committed dist/ and writes the JSON Schemas.
// --check rebuilds into a scratch folder and fails when anything differs from what is committed.
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const check = process.argv.includes('--check');
const ncc = join(root, 'node_modules/.bin/ncc');

function entries() {
  const out = [{ src: 'cli/main.ts', dist: 'cli/dist' }];
  for (const name of readdirSync(join(root, 'actions')).sort()) {
    if (existsSync(join(root, 'actions', name, 'src/main.ts'))) {
      out.push({ src: `actions/${name}/src/main.ts`, dist: `actions/${name}/dist` });
    }
  }
  if (existsSync(join(root, 'checker/src/handler.ts'))) {
    // The Lambda runtime provides the AWS SDK v3: keep it out of the checker's bundle.
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const sdk = Object.keys(pkg.dependencies).filter((d) => d.startsWith('@aws-sdk/'));
    out.push({ src: 'checker/src/handler.ts', dist: 'checker/dist', external: sdk });
  }
  return out;
}

function files(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => relative(dir, join(d.parentPath, d.name)))
    .sort();
}

function differences(a, b) {
  const names = new Set([...files(a), ...files(b)]);
  return [...names].filter((n) => {
    const pa = join(a, n);
    const pb = join(b, n);
    return !existsSync(pa) || !existsSync(pb) || !readFileSync(pa).equals(readFileSync(pb));
  });
}

const scratch = mkdtempSync(join(tmpdir(), 'natfleet-build-'));
const stale = [];
try {
  for (const e of entries()) {
    const out = join(scratch, e.dist);
    const started = Date.now();
    const external = (e.external ?? []).flatMap((x) => ['-e', x]);
    const args = ['build', join(root, e.src), '-o', out, '--license', 'licenses.txt', '-q'];
    execFileSync(ncc, [...args, ...external], {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const target = join(root, e.dist);
    if (check) {
      for (const f of differences(out, target)) stale.push(join(e.dist, f));
    } else {
      rmSync(target, { recursive: true, force: true });
      cpSync(out, target, { recursive: true });
    }
    console.log(`${check ? 'checked' : 'built'} ${e.dist} (${Date.now() - started} ms)`);
  }
  // The JSON Schemas of natfleet.yml and of the record, state/<env>.json.
  for (const [file, args] of [
    ['natfleet.schema.json', []],
    ['natfleet-state.schema.json', ['--state']],
  ]) {
    const schema = execFileSync(process.execPath, [
      join(scratch, 'cli/dist/index.js'),
      'schema',
      ...args,
    ]);
    const schemaPath = join(root, 'schema', file);
    if (check) {
      if (!existsSync(schemaPath) || !readFileSync(schemaPath).equals(schema)) {
        stale.push(`schema/${file}`);
      }
    } else {
      writeFileSync(schemaPath, schema);
      console.log(`wrote schema/${file}`);
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
if (stale.length > 0) {
  console.error(
    `The committed bundles differ from the sources (${stale.length} file(s)):\n` +
      stale.map((f) => `  ${f}`).join('\n') +
      '\nRun "npm run build" and commit the result.',
  );
  process.exit(1);
}
