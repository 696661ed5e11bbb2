// The NAT image's Image Builder components: the documents in imagebuilder/ with every
// `natfleet-embed:FILE` value replaced by that file's text, so each document carries its
// scripts and the image stack needs no bucket. The lab runs the very same script files.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

export const COMPONENTS = ['enable-nat', 'harden-nat', 'test-nat'] as const;
export type ComponentName = (typeof COMPONENTS)[number];

/** Image Builder's limit on an inline component document (AWS::ImageBuilder::Component Data). */
export const COMPONENT_DATA_LIMIT = 16_000;
const EMBED = /^natfleet-embed:(.+)$/;

export interface ComponentDocument {
  name: ComponentName;
  description: string;
  /** The document, scripts embedded, as Image Builder takes it (YAML). */
  data: string;
  /** The files embedded, relative to imagebuilder/. */
  embedded: string[];
}

/** Where imagebuilder/ is: beside lib/ in the repository (NATFLEET_IMAGEBUILDER_DIR wins). */
export function imagebuilderDir(): string {
  return (
    process.env.NATFLEET_IMAGEBUILDER_DIR ??
    fileURLToPath(new URL('../../imagebuilder/', import.meta.url))
  );
}

function embed(node: unknown, dir: string, embedded: string[]): unknown {
  if (typeof node === 'string') {
    const m = EMBED.exec(node);
    if (!m) return node;
    embedded.push(m[1]!);
    return readFileSync(join(dir, m[1]!), 'utf8');
  }
  if (Array.isArray(node)) return node.map((n) => embed(n, dir, embedded));
  if (node && typeof node === 'object')
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, embed(v, dir, embedded)]));
  return node;
}

/** One component's document with its scripts embedded. */
export function componentDocument(name: ComponentName, dir = imagebuilderDir()): ComponentDocument {
  const source = parse(readFileSync(join(dir, `${name}.yml`), 'utf8')) as Record<string, unknown>;
  if (source.name !== name)
    throw new Error(`${name}.yml: name is ${String(source.name)}, expected ${name}`);
  const embedded: string[] = [];
  const doc = embed(source, dir, embedded);
  const data = stringify(doc, { lineWidth: 0 });
  if (data.includes('{{'))
    throw new Error(
      `${name}: "{{" would be read as an Image Builder variable; keep it out of the scripts`,
    );
  if (data.length > COMPONENT_DATA_LIMIT)
    throw new Error(
      `${name}: document is ${data.length} characters, Image Builder takes at most ${COMPONENT_DATA_LIMIT}`,
    );
  return { name, description: String(source.description), data, embedded };
}

export const componentDocuments = (dir?: string) =>
  COMPONENTS.map((c) => componentDocument(c, dir));
