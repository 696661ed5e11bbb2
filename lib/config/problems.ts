// A located configuration problem: which field, what was expected, what was found.
export interface Problem {
  /** JSON-pointer segments from the document root. */
  path: (string | number)[];
  expected: string;
  found: string;
  line?: number;
}

/** environments.prod.zones[1].publicSubnet */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out || '(top level)';
}

export function formatProblem(p: Problem): string {
  const where = p.line ? ` (line ${p.line})` : '';
  return `${formatPath(p.path)}: expected ${p.expected}, got ${p.found}${where}`;
}

/** How a found value reads in an error message. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return value.length ? `a list of ${value.length}` : 'an empty list';
  if (typeof value === 'object')
    return Object.keys(value).length ? 'a mapping' : 'an empty mapping';
  return JSON.stringify(value);
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: Problem[],
  ) {
    const n = problems.length;
    super(
      `${file}: ${n} problem${n === 1 ? '' : 's'}\n` +
        problems.map((p) => `  ${formatProblem(p)}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}
