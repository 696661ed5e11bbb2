// The per-zone report, written and read in one place. Each zone of a run ends in a record
// (zone, status, ok, why, …). A run that succeeds returns the records as `zones` in its
// output; a run that fails carries them as JSON at the end of its Fail Cause, after MARK. The
// CLI and the workflow action read the "why" column back from either (ADR 0062).
import type { Json } from '../cfn.js';
import type { State } from './asl.js';
import type { ExecutionResult } from './follow.js';

/** What comes between a cause's text and its per-zone report. */
export const MARK = 'per zone: ';

/** held: an operator holds the zone on its gateway; the run left it alone (not a failure). */
export type ZoneStatus = 'done' | 'held' | 'blocked' | 'failed';

/** The last state of a zone: its status, why (a JSONPath expression), and what else is known. */
export function zoneEnd(status: ZoneStatus, why: string, extra: Record<string, Json> = {}): State {
  return {
    Type: 'Pass',
    Parameters: {
      'zone.$': '$.zone',
      status,
      ok: status === 'done' || status === 'held',
      'why.$': why,
      ...extra,
    },
    End: true,
  };
}

/**
 * A States.Format expression for a Fail Cause: `text` (a States.Format template, its `{}`
 * filled from `args` in order), then MARK and the zone records at `zones` (a list, or an object
 * keyed by zone) as JSON. The report comes last so that the reader finds all of it.
 */
export function causeWithZones(text: string, args: string[], zones: string): string {
  const all = [...args, `States.JsonToString(${zones})`].join(', ');
  return `States.Format('${text}; ${MARK}{}', ${all})`;
}

/**
 * The report at the end of a cause. The text before it may quote errors that contain MARK, so
 * the first MARK after which the rest is whole JSON wins. Any case: ReplaceInstances deployed
 * before this module wrote ". Per zone: ".
 */
function reportIn(cause: string): unknown {
  for (const m of cause.matchAll(new RegExp(MARK, 'gi'))) {
    try {
      return JSON.parse(cause.slice(m.index + MARK.length));
    } catch {
      // not the report's mark: look further
    }
  }
  return undefined;
}

/** The zone records of a run: from its output, or from the report in a failure's cause. */
export function zoneRecords(result: ExecutionResult): { zone?: string; why?: string }[] {
  let zones: unknown = (result.output as { zones?: unknown } | undefined)?.zones;
  if (!zones && result.cause) zones = reportIn(result.cause);
  if (Array.isArray(zones)) return zones;
  return zones && typeof zones === 'object' ? Object.values(zones) : [];
}

/** Per zone, why it ended as it did. */
export function zoneReasons(result: ExecutionResult): Record<string, string> {
  const out: Record<string, string> = {};
  for (const z of zoneRecords(result)) if (z.zone && z.why) out[z.zone] = z.why;
  return out;
}
