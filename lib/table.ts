// Tables for terminals (aligned text) and for job summaries and pull requests (Markdown).
export type Row = string[];

export function textTable(header: Row, rows: Row[], indent = '  '): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const numeric = header.map(
    (_, i) => rows.length > 0 && rows.every((r) => /^[-$\d.,% —]*$/.test(r[i] ?? '')),
  );
  const line = (r: Row) =>
    indent +
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export function markdownTable(header: Row, rows: Row[]): string {
  const esc = (c: string) => c.replace(/\|/g, '\\|');
  const line = (r: Row) => `| ${r.map(esc).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export const usd = (n: number | undefined) =>
  n === undefined
    ? '—'
    : `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
