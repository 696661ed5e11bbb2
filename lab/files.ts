// Files the lab rewrites while its servers read them (instance metadata, the study's site and
// DNS modes). Written whole and renamed into place: a reader sees the old content or the new,
// never a half-written file (a NAT's script asking for its mac while the lab moves an address
// once got an empty reply when the metadata server choked on one).
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function replaceFile(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/** What internet.mjs serves as instance metadata to a caller address. */
export interface ImdsInstance {
  mac: string;
  cidrs: string[];
  v1?: boolean;
  ipv4s?: string[];
}

export const imdsFile = (dir: string) => join(dir, 'imds.json');

export const writeImdsTable = (dir: string, table: Record<string, ImdsInstance>) =>
  replaceFile(imdsFile(dir), JSON.stringify(table));
