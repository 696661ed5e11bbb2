// scripts/release.mjs in a scratch git repository shaped like natfleet (its own fake build, so
// the test does not bundle): the tags, the pins, the versions, and every refusal.
import { describe, expect, it } from '@jest/globals';
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempDir } from '../helpers.js';

const ZERO = '0'.repeat(40);
const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Release Test',
  GIT_AUTHOR_EMAIL: 'release@example.com',
  GIT_COMMITTER_NAME: 'Release Test',
  GIT_COMMITTER_EMAIL: 'release@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};

// A build that writes dist/ from src/ and, with --check, fails when they differ; FAIL_CHECK in
// the tree makes the check fail as stale bundles would.
const FAKE_BUILD = `import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
const want = readFileSync('src/main.txt', 'utf8').toUpperCase();
if (process.argv.includes('--check')) {
  if (existsSync('FAIL_CHECK') || readFileSync('dist/main.txt', 'utf8') !== want) process.exit(1);
} else { mkdirSync('dist', { recursive: true }); writeFileSync('dist/main.txt', want); }
`;

function files(dir: string, over: Record<string, string> = {}) {
  const all: Record<string, string> = {
    'package.json': JSON.stringify({ name: 'natfleet', version: '0.1.0' }, null, 2) + '\n',
    'package-lock.json':
      JSON.stringify(
        { name: 'natfleet', version: '0.1.0', packages: { '': { version: '0.1.0' } } },
        null,
        2,
      ) + '\n',
    'lib/version.ts': "export const VERSION = '0.1.0';\n",
    'CHANGELOG.md':
      '# Changelog\n\n## Unreleased\n\n### Added\n\n- a thing\n\n## 0.1.0 — 2026-12-01\n\nFirst.\n',
    'src/main.txt': 'hello\n',
    'dist/main.txt': 'HELLO\n',
    'scripts/build.mjs': FAKE_BUILD,
    'examples/natfleet.yml':
      '# yaml-language-server: $schema=https://raw.githubusercontent.com/natfleet/natfleet/v0.1.0/schema/natfleet.schema.json\nenvironments: {}\n',
    'examples/workflows/deploy.yml': [
      'steps:',
      `  - uses: natfleet/natfleet/actions/validate@${ZERO} # natfleet: replace with the release commit you adopt`,
      `  - uses: natfleet/natfleet/actions/deploy@${'a'.repeat(40)} # v0.0.9`,
      '  - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0',
      '',
    ].join('\n'),
    'docs/gitops.md': `pin: natfleet/natfleet/actions/record-state@${ZERO} # natfleet: replace\n`,
    ...over,
  };
  for (const [f, text] of Object.entries(all)) {
    mkdirSync(join(dir, f, '..'), { recursive: true });
    writeFileSync(join(dir, f), text);
  }
}

function scratch(over: Record<string, string> = {}) {
  const dir = tempDir('natfleet-release-');
  const git = (...a: string[]) =>
    execFileSync('git', a, { cwd: dir, env: GIT_ENV, encoding: 'utf8' }).trim();
  git('init', '-q', '-b', 'main');
  files(dir, over);
  git('add', '-A');
  git('commit', '-q', '-m', 'start');
  const release = (...a: string[]) =>
    spawnSync(
      process.execPath,
      [join(ROOT, 'scripts/release.mjs'), ...a, '--repo', dir, '--date', '2026-12-24'],
      { env: GIT_ENV, encoding: 'utf8' },
    );
  return { dir, git, release, read: (f: string) => readFileSync(join(dir, f), 'utf8') };
}

describe('scripts/release.mjs', () => {
  it('tags vX.Y.Z and moves vX to it, then pins the examples to its full commit', () => {
    const s = scratch();
    const r = s.release('0.2.0');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const commit = s.git('rev-list', '-n', '1', 'v0.2.0');
    expect(commit).toMatch(/^[0-9a-f]{40}$/);
    expect(s.git('rev-list', '-n', '1', 'v0')).toBe(commit);
    expect(s.git('cat-file', '-t', 'v0.2.0')).toBe('tag'); // annotated, as GitHub's releases
    expect(s.git('log', '-1', '--format=%s', 'v0.2.0')).toBe('Release v0.2.0');
    // The tagged commit carries the version everywhere and a dated changelog section.
    const at = (f: string) => s.git('show', `v0.2.0:${f}`);
    expect(JSON.parse(at('package.json')).version).toBe('0.2.0');
    const lock = JSON.parse(at('package-lock.json'));
    expect([lock.version, lock.packages[''].version]).toEqual(['0.2.0', '0.2.0']);
    expect(at('lib/version.ts')).toContain("VERSION = '0.2.0'");
    expect(at('CHANGELOG.md')).toMatch(
      /## Unreleased\n\n## 0\.2\.0 — 2026-12-24\n\n### Added\n\n- a thing/,
    );
    expect(at('examples/natfleet.yml')).toContain('/natfleet/natfleet/v0.2.0/schema/');
    // The commit after it pins every natfleet action, and nothing else, to the release.
    expect(s.git('log', '-1', '--format=%s')).toBe(`Examples pin v0.2.0 (${commit.slice(0, 12)})`);
    const wf = s.read('examples/workflows/deploy.yml');
    expect(wf).toContain(`natfleet/natfleet/actions/validate@${commit} # v0.2.0\n`);
    expect(wf).toContain(`natfleet/natfleet/actions/deploy@${commit} # v0.2.0\n`);
    expect(wf).toContain('actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0');
    expect(s.read('docs/gitops.md')).toContain(`record-state@${commit} # v0.2.0\n`);
    expect(s.git('status', '--porcelain')).toBe('');
    expect(r.stdout).toContain('git push origin main v0.2.0');
    expect(r.stdout).toContain('git push --force origin v0');

    // The next release moves the major tag on and re-pins from the previous release.
    writeFileSync(
      join(s.dir, 'CHANGELOG.md'),
      s.read('CHANGELOG.md').replace('## Unreleased\n', '## Unreleased\n\n- another\n'),
    );
    s.git('commit', '-qam', 'more');
    const again = s.release('0.3.0');
    expect(again.status).toBe(0);
    const next = s.git('rev-list', '-n', '1', 'v0.3.0');
    expect(s.git('rev-list', '-n', '1', 'v0')).toBe(next);
    expect(s.read('examples/workflows/deploy.yml')).toContain(`validate@${next} # v0.3.0\n`);
    expect(s.read('examples/workflows/deploy.yml')).not.toContain(commit);
  });

  it('releases the current version when it was never tagged (the first release)', () => {
    const s = scratch({ 'CHANGELOG.md': '# Changelog\n\n## Unreleased\n\n### Added\n\n- all\n' });
    const r = s.release('0.1.0');
    expect(r.status).toBe(0);
    const commit = s.git('rev-list', '-n', '1', 'v0.1.0');
    expect(s.read('examples/workflows/deploy.yml')).toContain(`validate@${commit} # v0.1.0\n`);
    expect(s.git('show', 'v0.1.0:CHANGELOG.md')).toContain('## 0.1.0 — 2026-12-24\n\n### Added');
  });

  it('a new major version gets its own major tag; the old one stays', () => {
    const s = scratch();
    expect(s.release('0.2.0').status).toBe(0);
    const old = s.git('rev-list', '-n', '1', 'v0');
    writeFileSync(
      join(s.dir, 'CHANGELOG.md'),
      s.read('CHANGELOG.md').replace('## Unreleased\n', '## Unreleased\n\n- breaking\n'),
    );
    s.git('commit', '-qam', 'breaking');
    expect(s.release('1.0.0').status).toBe(0);
    expect(s.git('rev-list', '-n', '1', 'v0')).toBe(old);
    expect(s.git('rev-list', '-n', '1', 'v1')).toBe(s.git('rev-list', '-n', '1', 'v1.0.0'));
  });

  it('refuses, changing nothing, when it cannot make a good release', () => {
    const cases: [string, (s: ReturnType<typeof scratch>) => void, string, string][] = [
      ['not a version', () => undefined, '2.0', 'usage: node scripts/release.mjs X.Y.Z'],
      ['released', (s) => s.git('tag', 'v0.1.0'), '0.1.0', 'tag v0.1.0 exists already'],
      ['in the changelog', () => undefined, '0.1.0', 'has a section 0.1.0 already'],
      ['older', () => undefined, '0.0.5', 'is not greater than the current version 0.1.0'],
      [
        'dirty tree',
        (s) => writeFileSync(join(s.dir, 'src/main.txt'), 'changed\n'),
        '0.2.0',
        'uncommitted changes',
      ],
      ['tag exists', (s) => s.git('tag', 'v0.2.0'), '0.2.0', 'tag v0.2.0 exists already'],
      [
        'empty changelog',
        (s) => {
          writeFileSync(join(s.dir, 'CHANGELOG.md'), '# Changelog\n\n## Unreleased\n\n## 0.1.0\n');
          s.git('commit', '-qam', 'empty');
        },
        '0.2.0',
        'no entries under "## Unreleased"',
      ],
      [
        'stale bundles',
        (s) => {
          writeFileSync(join(s.dir, 'FAIL_CHECK'), '');
          s.git('add', 'FAIL_CHECK');
          s.git('commit', '-qm', 'fail the check');
        },
        '0.2.0',
        'checking the bundles against the sources failed: the release was not made',
      ],
    ];
    for (const [what, arrange, version, message] of cases) {
      const s = scratch();
      arrange(s);
      const head = s.git('rev-parse', 'HEAD');
      const tags = s.git('tag', '--list');
      const status = s.git('status', '--porcelain');
      const r = s.release(version);
      expect([what, r.status, r.stderr]).toEqual([what, 1, expect.stringContaining(message)]);
      expect([what, s.git('rev-parse', 'HEAD')]).toEqual([what, head]);
      expect([what, s.git('tag', '--list')]).toEqual([what, tags]);
      expect([what, s.git('status', '--porcelain')]).toEqual([what, status]);
    }
  });
});
