// A deterministic zip of a directory: sorted entries, fixed timestamps, so the same files always
// give the same bytes and the same content hash (the checker's S3 key).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';

/** 1980-01-01 00:00 in DOS time and date: the zip epoch. */
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

function filesOf(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => relative(dir, join(d.parentPath, d.name)).split(sep).join('/'))
    .sort();
}

interface Shared {
  crc: number;
  packed: number;
  size: number;
  name: number;
}

/** Version needed, flags, method, time, date, CRC, sizes and name length, from `at`. */
function writeShared(b: Buffer, at: number, f: Shared): void {
  b.writeUInt16LE(20, at); // version needed
  b.writeUInt16LE(0x0800, at + 2); // UTF-8 names
  b.writeUInt16LE(8, at + 4); // deflate
  b.writeUInt16LE(DOS_TIME, at + 6);
  b.writeUInt16LE(DOS_DATE, at + 8);
  b.writeUInt32LE(f.crc, at + 10);
  b.writeUInt32LE(f.packed, at + 14);
  b.writeUInt32LE(f.size, at + 18);
  b.writeUInt16LE(f.name, at + 22);
}

export function zipDirectory(dir: string): Buffer {
  let stat;
  try {
    stat = statSync(dir);
  } catch {
    throw new Error(`${dir}: no such directory`);
  }
  if (!stat.isDirectory()) throw new Error(`${dir}: not a directory`);
  const names = filesOf(dir);
  if (names.length === 0) throw new Error(`${dir}: empty directory, nothing to zip`);
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const name of names) {
    const data = readFileSync(join(dir, name));
    const packed = deflateRawSync(data, { level: 9 });
    const nameBytes = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    // The local header and the central entry share these fields; the entry has 2 bytes more before.
    const shared = { crc, packed: packed.length, size: data.length, name: nameBytes.length };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    writeShared(local, 4, shared);
    locals.push(local, nameBytes, packed);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, so the mode below counts
    writeShared(entry, 6, shared);
    entry.writeUInt32LE((0o100644 << 16) >>> 0, 38); // a regular file, rw-r--r--
    entry.writeUInt32LE(offset, 42);
    central.push(entry, nameBytes);
    offset += local.length + nameBytes.length + packed.length;
  }
  const dirBytes = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(names.length, 8);
  end.writeUInt16LE(names.length, 10);
  end.writeUInt32LE(dirBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dirBytes, end]);
}

export const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
