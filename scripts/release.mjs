// Prepares a release of natfleet in a local clone (docs/releasing.md):
//   node scripts/release.mjs X.Y.Z [--repo DIR] [--date YYYY-MM-DD]
// 1. refuses unless the tree is clean, X.Y.Z is untagged and not below the current version, and CHANGELOG.md has entries
//    under "## Unreleased";
// 2. sets the version (package.json, package-lock.json, lib/version.ts, the schema URL of
//    examples/natfleet.yml), turns "Unreleased" into "X.Y.Z — date", rebuilds the bundles and
//    checks them (scripts/build.mjs, then --check), commits "Release vX.Y.Z", tags vX.Y.Z;
// 3. pins examples/ and docs/gitops.md to that tag's full commit (`@<sha> # vX.Y.Z`) in a
//    second commit, and moves the major tag vX to the release;
// 4. prints the push commands. It pushes nothing: what it did stays local until you push.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const repo = resolve(option('--repo') ?? new URL('..', import.meta.url).pathname);
const date = option('--date') ?? new Date().toISOString().slice(0, 10);
const [version, ...extra] = args;

function fail(message) {
  console.error(`release: ${message}`);
  process.exit(1);
}

const git = (...a) =>
  execFileSync('git', a, { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
const read = (f) => readFileSync(join(repo, f), 'utf8');
const write = (f, text) => writeFileSync(join(repo, f), text);
const SEMVER = /^(\d+)\.(\d+)\.(\d+)$/;
const greater = (a, b) => {
  const [x, y] = [a, b].map((v) => SEMVER.exec(v).slice(1).map(Number));
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] > y[i];
  return false;
};

// The pin of one of natfleet's actions: owner/name/actions/<action>@<40 hex> # <comment>.
const PIN = /(natfleet\/natfleet\/actions\/[\w-]+)@[0-9a-f]{40}(?: #[^\n]*)?/g;
const SCHEMA_URL =
  /(https:\/\/raw\.githubusercontent\.com\/natfleet\/natfleet\/)v\d+\.\d+\.\d+(\/schema\/)/g;

if (!version || extra.length > 0 || !SEMVER.test(version)) {
  fail(
    `usage: node scripts/release.mjs X.Y.Z [--repo DIR] [--date YYYY-MM-DD]; got "${args.join(' ')}"`,
  );
}
const tag = `v${version}`;
const major = `v${version.split('.')[0]}`;

// 1. Refuse before changing anything.
if (git('status', '--porcelain')) {
  fail('the working tree has uncommitted changes: commit or stash them first; nothing was changed');
}
if (git('tag', '--list', tag)) fail(`tag ${tag} exists already; nothing was changed`);
const pkg = JSON.parse(read('package.json'));
// The current version itself may be released once (the first release, 0.1.0, was never tagged).
if (version !== pkg.version && !greater(version, pkg.version)) {
  fail(`${version} is not greater than the current version ${pkg.version}; nothing was changed`);
}
const changelog = read('CHANGELOG.md');
const unreleased = /^## Unreleased\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(changelog);
if (!unreleased || !/^\s*[-*] /m.test(unreleased[1])) {
  fail(
    'CHANGELOG.md has no entries under "## Unreleased": say what this release changes; nothing was changed',
  );
}

if (new RegExp(`^## ${version.replace(/\./g, '\\.')}\\b`, 'm').test(changelog)) {
  fail(`CHANGELOG.md has a section ${version} already; nothing was changed`);
}

// 2. The release commit.
pkg.version = version;
write('package.json', JSON.stringify(pkg, null, 2) + '\n');
if (existsSync(join(repo, 'package-lock.json'))) {
  const lock = JSON.parse(read('package-lock.json'));
  lock.version = version;
  if (lock.packages?.['']) lock.packages[''].version = version;
  write('package-lock.json', JSON.stringify(lock, null, 2) + '\n');
}
write(
  'lib/version.ts',
  read('lib/version.ts').replace(/VERSION = '[^']*'/, `VERSION = '${version}'`),
);
write(
  'CHANGELOG.md',
  changelog.replace(/^## Unreleased\n/m, `## Unreleased\n\n## ${version} — ${date}\n`),
);
if (existsSync(join(repo, 'examples/natfleet.yml'))) {
  write('examples/natfleet.yml', read('examples/natfleet.yml').replace(SCHEMA_URL, `$1${tag}$2`));
}
const run = (what, cmd, a) => {
  try {
    execFileSync(cmd, a, { cwd: repo, stdio: ['ignore', 'inherit', 'inherit'] });
  } catch {
    // The tree was clean before: put it back exactly.
    git('checkout', '--', '.');
    git('clean', '-fdq');
    fail(`${what} failed: the release was not made and the tree is as it was`);
  }
};
run('rebuilding the bundles', process.execPath, ['scripts/build.mjs']);
run('checking the bundles against the sources', process.execPath, ['scripts/build.mjs', '--check']);
git('add', '-A');
git('commit', '-q', '-m', `Release ${tag}`);
git('tag', '-a', tag, '-m', `natfleet ${tag}`);
const commit = git('rev-list', '-n', '1', tag);

// 3. The examples pin the release; the major tag moves to it.
const pinned = [];
const targets = ['docs/gitops.md', 'README.md'];
const examples = join(repo, 'examples');
if (existsSync(examples)) {
  for (const f of readdirSync(examples, { recursive: true })) {
    if (/\.ya?ml$/.test(f)) targets.push(join('examples', f));
  }
}
for (const f of targets) {
  if (!existsSync(join(repo, f))) continue;
  const before = read(f);
  const after = before.replace(PIN, `$1@${commit} # ${tag}`);
  if (after !== before) {
    write(f, after);
    pinned.push(f);
  }
}
if (pinned.length > 0) {
  git('add', ...pinned);
  git('commit', '-q', '-m', `Examples pin ${tag} (${commit.slice(0, 12)})`);
}
git('tag', '-f', '-a', major, '-m', `natfleet ${tag}`, commit);

// 4. What to push.
const branch = git('rev-parse', '--abbrev-ref', 'HEAD');
console.log(`released ${tag} at ${commit}; ${major} moved to it; ${pinned.length} file(s) pinned.`);
console.log('Push it (the major tag moves, hence --force for that one only):');
console.log(`  git push origin ${branch} ${tag}`);
console.log(`  git push --force origin ${major}`);
console.log(`Then publish the release notes: the "${version}" section of CHANGELOG.md.`);
