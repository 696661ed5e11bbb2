// Comparing two records: what changed in the fleet (drift), the before → after table a pull
// request shows, and whether the recorded image is due for a rebuild.
import { markdownTable, usd } from '../table.js';
import { pricesFor } from '../cost/regions.js';
import type { RouteRecord, StateRecord, ZoneRecord } from './schema.js';

export interface Difference {
  /** e.g. zones.eu-west-1a.routeTables.rtb-0123….target */
  path: string;
  before?: string;
  after?: string;
}

/** Fields that say when and why, not what the fleet looks like: never drift. */
const META = new Set(['$schema', 'recordedAt', 'reason', 'run', 'gatewayTime']);

function flatten(value: unknown, prefix: string, out: Map<string, string>) {
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (value !== undefined) {
    out.set(prefix, String(value));
  }
}

function fleetFields(r: StateRecord | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (r) for (const [k, v] of Object.entries(r)) if (!META.has(k)) flatten(v, k, out);
  return out;
}

/** Every fleet field whose value differs; empty when the fleet is as recorded. */
export function differences(before: StateRecord | undefined, after: StateRecord): Difference[] {
  const a = fleetFields(before);
  const b = fleetFields(after);
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  return paths
    .filter((p) => a.get(p) !== b.get(p))
    .map((p) => ({
      path: p,
      ...(a.has(p) ? { before: a.get(p) } : {}),
      ...(b.has(p) ? { after: b.get(p) } : {}),
    }));
}

const arrow = (a: string, b: string) => (a === b ? a : `${a} → ${b}`);
const dash = '—';

function routeText(r: RouteRecord | undefined): string {
  if (!r) return dash;
  return r.blackhole ? `${r.target} (blackhole)` : r.target;
}

function zoneRow(zone: string, a: ZoneRecord | undefined, b: ZoneRecord | undefined): string[] {
  const tables = [
    ...new Set([...Object.keys(a?.routeTables ?? {}), ...Object.keys(b?.routeTables ?? {})]),
  ].sort();
  const routes = tables
    .map((t) => `${t}: ${arrow(routeText(a?.routeTables[t]), routeText(b?.routeTables[t]))}`)
    .join('<br>');
  return [
    zone,
    arrow(modeText(a), modeText(b)),
    arrow(a?.instance?.instanceId ?? dash, b?.instance?.instanceId ?? dash),
    arrow(a?.instance?.amiId ?? dash, b?.instance?.amiId ?? dash),
    routes || dash,
  ];
}

/** The zone's mode, and who holds it there. */
function modeText(z: StateRecord['zones'][string] | undefined): string {
  if (!z) return dash;
  return z.hold ? `${z.mode} (held by ${z.hold.by}: ${z.hold.reason})` : z.mode;
}

/** Markdown: the image line and one row per zone, each changed cell as before → after. */
export function changeTable(before: StateRecord | undefined, after: StateRecord): string {
  const zones = [
    ...new Set([...Object.keys(before?.zones ?? {}), ...Object.keys(after.zones)]),
  ].sort();
  const image = arrow(before?.image?.amiId ?? dash, after.image?.amiId ?? dash);
  const version = after.image?.version ? ` (${after.image.name ?? ''} ${after.image.version})` : '';
  return [
    `**Image:** ${image}${version}`,
    '',
    markdownTable(
      ['zone', 'mode', 'instance', 'AMI', 'route targets'],
      zones.map((z) => zoneRow(z, before?.zones[z], after.zones[z])),
    ),
  ].join('\n');
}

/** A short line for a title: which zones changed mode, or what else changed. */
export function changeSummary(diffs: Difference[]): string {
  const modes = diffs
    .filter((d) => /^zones\.[^.]+\.mode$/.test(d.path))
    .map((d) => `${d.path.split('.')[1]} ${d.before ?? 'new'} → ${d.after ?? 'gone'}`);
  if (modes.length > 0) return modes.join(', ');
  const zones = [
    ...new Set(diffs.filter((d) => d.path.startsWith('zones.')).map((d) => d.path.split('.')[1])),
  ];
  const parts = [
    ...(diffs.some((d) => d.path.startsWith('image.')) ? ['image changed'] : []),
    ...(zones.length ? [`${zones.join(', ')} changed`] : []),
  ];
  return parts.join(', ') || 'record changed';
}

export function gatewayTimeText(r: StateRecord): string {
  const t = r.gatewayTime;
  if (!t) return 'No earlier record: time on the gateways is counted from this one on.';
  const p = pricesFor(r.region);
  return (
    `Since the last record (${t.since}): ${t.zoneHours} zone-hours on a NAT gateway, ` +
    `${usd(t.usd)} at $${p.natGateway.perHour}/h (${p.region} list price), ` +
    `plus $${p.natGateway.perGB} per GB the gateways processed.`
  );
}

/** Days since the record's image was built; due when ≥ rebuildEveryDays or unknown. */
export function imageDue(
  record: StateRecord | undefined,
  rebuildEveryDays: number,
  now: Date,
): { ageDays?: number; due: boolean } {
  const built = record?.image?.buildDate;
  if (!built) return { due: true };
  const ageDays = Math.floor((now.getTime() - Date.parse(built)) / 86_400_000);
  return { ageDays, due: ageDays >= rebuildEveryDays };
}
