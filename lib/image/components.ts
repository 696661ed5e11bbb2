// The NAT image's Image Builder components: the documents in imagebuilder/ with every
// `natfleet-embed:FILE` value replaced by that file's text (`natfleet-embed-gzip:FILE …`: the
// gzip of the file, or of several as one archive, base64-encoded, for scripts past the document
// size limit; the document unpacks it),
// so each document carries its scripts and the image stack needs no bucket. The lab runs the
// very same script files.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { basename, join } from 'node:path';
import { parse, stringify } from 'yaml';

export const COMPONENTS = ['enable-nat', 'harden-nat', 'install-test-nat', 'test-nat'] as const;
export type ComponentName = (typeof COMPONENTS)[number];

/** Image Builder's limit on an inline component document (AWS::ImageBuilder::Component Data). */
export const COMPONENT_DATA_LIMIT = 16_000;
const EMBED = /^natfleet-embed(-gzip)?:(.+)$/;

export interface ComponentDocument {
  name: ComponentName;
  description: string;
  /** The document, scripts embedded, as Image Builder takes it (YAML). */
  data: string;
  /** The files embedded, relative to imagebuilder/, in document order. */
  embedded: string[];
  /** Those of them embedded as base64 of their gzip. */
  gzipped: string[];
  /** Per embedding value, in document order, the files it carries (several: an archive). */
  values: string[][];
}

// Each file by a literal path, so that ncc copies it into the bundles that render stacks.
const read = (url: URL) => readFileSync(url, 'utf8');
const FILES: Record<string, () => string> = {
  'enable-nat.yml': () => read(new URL('../../imagebuilder/enable-nat.yml', import.meta.url)),
  'harden-nat.yml': () => read(new URL('../../imagebuilder/harden-nat.yml', import.meta.url)),
  'install-test-nat.yml': () =>
    read(new URL('../../imagebuilder/install-test-nat.yml', import.meta.url)),
  'test-nat.yml': () => read(new URL('../../imagebuilder/test-nat.yml', import.meta.url)),
  'scripts/natfleet-lib.sh': () =>
    read(new URL('../../imagebuilder/scripts/natfleet-lib.sh', import.meta.url)),
  'scripts/nat-boot.sh': () =>
    read(new URL('../../imagebuilder/scripts/nat-boot.sh', import.meta.url)),
  'scripts/nat-handoff.sh': () =>
    read(new URL('../../imagebuilder/scripts/nat-handoff.sh', import.meta.url)),
  'scripts/enable-nat.sh': () =>
    read(new URL('../../imagebuilder/scripts/enable-nat.sh', import.meta.url)),
  'scripts/harden-nat.sh': () =>
    read(new URL('../../imagebuilder/scripts/harden-nat.sh', import.meta.url)),
  'scripts/test-nat.sh': () =>
    read(new URL('../../imagebuilder/scripts/test-nat.sh', import.meta.url)),
};

/** Reads a file of imagebuilder/: from `dir` when given (tests), else the shipped copy. */
function reader(dir?: string): (rel: string) => string {
  if (dir) return (rel) => readFileSync(join(dir, rel), 'utf8');
  return (rel) => {
    const f = FILES[rel];
    if (!f) throw new Error(`imagebuilder/${rel} is not listed in lib/image/components.ts`);
    return f();
  };
}

/** A file's gzip as base64; fixed header (no name, mtime 0) so the same text gives the same
 * document, and so the same content version. */
export const gzipBase64 = (text: string) => gzipSync(text, { level: 9 }).toString('base64');

/** Several files as one text, so one gzip compresses their shared words once: each file after
 * a line `#natfleet-file NAME LINES`. The document splits it again with awk (enable-nat.yml). */
export function archive(files: [name: string, text: string][]): string {
  return files
    .map(([name, text]) => {
      if (!text.endsWith('\n'))
        throw new Error(`${name}: an archived file must end with a newline`);
      return `#natfleet-file ${name} ${text.split('\n').length - 1}\n${text}`;
    })
    .join('');
}

type Seen = Pick<ComponentDocument, 'embedded' | 'gzipped' | 'values'>;

function embed(node: unknown, file: (rel: string) => string, seen: Seen): unknown {
  if (typeof node === 'string') {
    const m = EMBED.exec(node);
    if (!m) return node;
    const rels = m[2]!.split(' ').filter(Boolean);
    seen.embedded.push(...rels);
    seen.values.push(rels);
    if (!m[1] && rels.length > 1)
      throw new Error(`${node}: several files need natfleet-embed-gzip (an archive)`);
    if (!m[1]) return file(rels[0]!);
    seen.gzipped.push(...rels);
    if (rels.length === 1) return gzipBase64(file(rels[0]!));
    return gzipBase64(archive(rels.map((r) => [basename(r), file(r)])));
  }
  if (Array.isArray(node)) return node.map((n) => embed(n, file, seen));
  if (node && typeof node === 'object')
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, embed(v, file, seen)]));
  return node;
}

/** One component's document with its scripts embedded. */
export function componentDocument(name: ComponentName, dir?: string): ComponentDocument {
  const file = reader(dir);
  const source = parse(file(`${name}.yml`)) as Record<string, unknown>;
  if (source.name !== name)
    throw new Error(`${name}.yml: name is ${String(source.name)}, expected ${name}`);
  const seen: Seen = { embedded: [], gzipped: [], values: [] };
  const doc = embed(source, file, seen);
  const data = stringify(doc, { lineWidth: 0, indentSeq: false }); // compact: the size limit
  if (data.includes('{{'))
    throw new Error(
      `${name}: "{{" would be read as an Image Builder variable; keep it out of the scripts`,
    );
  if (data.length > COMPONENT_DATA_LIMIT)
    throw new Error(
      `${name}: document is ${data.length} characters, Image Builder takes at most ${COMPONENT_DATA_LIMIT}`,
    );
  return { name, description: String(source.description), data, ...seen };
}

export const componentDocuments = (dir?: string) =>
  COMPONENTS.map((c) => componentDocument(c, dir));
