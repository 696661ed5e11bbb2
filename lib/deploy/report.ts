// A deploy report as Markdown (pull-request comment, job summary) and as terminal lines.
import { markdownTable, textTable } from '../table.js';
import { planCommentMarker } from '../names.js';
import type { ResourceChange } from './changeset.js';
import type { DeployReport, StackReport } from './deploy.js';

/** Replacement is the change people must not miss: it deletes and recreates a resource. */
export function replacementNote(c: ResourceChange): string {
  if (c.replacement === 'True') return '⚠️ **REPLACEMENT**';
  if (c.replacement === 'Conditional') return '⚠️ **may be replaced**';
  return '';
}

const summaryLine = (s: StackReport) => {
  const counts = ['Add', 'Modify', 'Remove']
    .map((a) => [a, s.changes.filter((c) => c.action === a).length] as const)
    .filter(([, n]) => n > 0)
    .map(([a, n]) => `${n} ${a.toLowerCase()}`);
  const replaced = s.changes.filter((c) => c.replacement === 'True').length;
  if (replaced) counts.push(`**${replaced} replaced**`);
  return counts.join(', ') || '—';
};

export function reportMarkdown(r: DeployReport): string {
  const title =
    r.mode === 'plan'
      ? `natfleet plan — ${r.environment}`
      : `natfleet apply — ${r.environment}: ${r.ok ? 'done' : 'FAILED'}`;
  const out: string[] = [`### ${title}`, ''];
  if (r.error) out.push(`> [!CAUTION]`, ...r.error.split('\n').map((l) => `> ${l}`), '');
  for (const w of r.warnings) out.push(`> [!WARNING]`, `> ${w}`, '');
  out.push(
    markdownTable(
      ['stack', 'change set', 'result', 'changes'],
      r.stacks.map((s) => [s.name, s.type ?? '—', s.outcome, summaryLine(s)]),
    ),
    '',
  );
  for (const s of r.stacks.filter((x) => x.changes.length > 0)) {
    out.push(
      `<details${s.changes.some((c) => c.replacement === 'True') ? ' open' : ''}><summary>${s.name}</summary>`,
      '',
      markdownTable(
        ['action', 'resource', 'type', 'replacement'],
        s.changes.map((c) => [c.action, c.logicalId, c.type, replacementNote(c)]),
      ),
      '',
      '</details>',
      '',
    );
  }
  for (const s of r.stacks.filter((x) => x.failures?.length)) {
    out.push(
      `**${s.name}** ended ${s.status}:`,
      '',
      markdownTable(
        ['resource', 'type', 'status', 'reason'],
        s.failures!.map((f) => [f.logicalId, f.type, f.status, f.reason]),
      ),
      '',
    );
  }
  if (r.checker) {
    const u = r.checker.uploaded;
    out.push(
      `Checker code: \`${r.checker.key}\`${u === true ? ' (uploaded)' : u === false ? ' (unchanged)' : ''}`,
      '',
    );
  }
  return out.join('\n');
}

/** The pull-request comment: the report under the environment's hidden marker. */
export function planComment(r: DeployReport): string {
  return `${planCommentMarker(r.environment)}\n${reportMarkdown(r)}`;
}

export function reportText(r: DeployReport): string[] {
  const out = [
    textTable(
      ['stack', 'type', 'result', 'changes'],
      r.stacks.map((s) => [s.name, s.type ?? '-', s.outcome, summaryLine(s).replace(/\*/g, '')]),
    ),
  ];
  for (const s of r.stacks.filter((x) => x.changes.length > 0)) {
    out.push(`${s.name}:`);
    for (const c of s.changes) {
      const rep = replacementNote(c).replace(/\*|⚠️/gu, '').trim();
      out.push(`  ${c.action.padEnd(7)} ${c.logicalId} (${c.type})${rep ? `  !! ${rep}` : ''}`);
    }
  }
  for (const w of r.warnings) out.push(`warning: ${w}`);
  if (r.error) out.push(`error: ${r.error}`);
  return out;
}

/** Every stack output as one flat map: "<stack kind>-<output key>". */
export function flatOutputs(r: DeployReport): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of r.stacks)
    for (const [k, v] of Object.entries(s.outputs)) out[`${s.kind}-${k}`] = v;
  return out;
}
