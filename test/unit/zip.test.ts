// The checker zip: deterministic bytes (one content, one key) that a standard unzip reads back.
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256, zipDirectory } from '../../lib/deploy/zip.js';
import { checkerArtifact } from '../../lib/deploy/artifact.js';
import { tempDir } from '../helpers.js';

function fixture(extra = '') {
  const dir = tempDir('natfleet-zip-');
  mkdirSync(join(dir, 'lib'));
  writeFileSync(join(dir, 'index.js'), `export const handler = async () => "ok";${extra}\n`);
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
  writeFileSync(join(dir, 'lib', 'big.js'), 'x'.repeat(50_000));
  return dir;
}

describe('checker zip', () => {
  it('gives the same bytes for the same files, whatever their times', () => {
    const a = fixture();
    const b = fixture();
    utimesSync(join(b, 'index.js'), new Date('2001-01-01'), new Date('2001-01-01'));
    expect(sha256(zipDirectory(a))).toBe(sha256(zipDirectory(b)));
    expect(checkerArtifact(a).key).toBe(`checker/${sha256(zipDirectory(a))}.zip`);
  });

  it('gives a new key when a file changes', () => {
    expect(checkerArtifact(fixture()).key).not.toBe(checkerArtifact(fixture('//')).key);
  });

  it('is a zip that Python’s zipfile reads back intact', () => {
    const dir = fixture();
    const file = join(tempDir(), 'c.zip');
    writeFileSync(file, zipDirectory(dir));
    const out = execFileSync(
      'python3',
      [
        '-c',
        'import sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; ' +
          'print(",".join(f"{i.filename}:{i.file_size}" for i in z.infolist()))',
        file,
      ],
      { encoding: 'utf8' },
    );
    expect(out.trim()).toBe('index.js:41,lib/big.js:50000,package.json:18');
  });

  it('says what is wrong with a missing or empty folder', () => {
    expect(() => zipDirectory('/nonexistent/dist')).toThrow('/nonexistent/dist: no such directory');
    expect(() => zipDirectory(tempDir())).toThrow('empty directory, nothing to zip');
  });
});
