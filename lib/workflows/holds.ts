// The hold in the definitions (ADR 0111): Failover writes it when its input asks; Fallback and
// ReplaceInstances read it per zone and skip a held zone. See lib/holds.ts.
import { HOLD_TAG } from '../holds.js';
import type { States } from './asl.js';
import { pass, task } from './asl.js';
import { zoneEnd } from './report.js';

/**
 * Failover with `hold: { by }` in its input: the hold tags on every table of the chosen zones,
 * before any route moves (a run that reads them after this sees the hold). A failed hold does
 * not stop the failover; the output says so.
 */
export function holdStates(next: string): States {
  return {
    'Hold?': {
      Type: 'Choice',
      Choices: [{ Variable: '$.hold.by', IsPresent: true, Next: 'Hold' }],
      Default: next,
    },
    Hold: {
      ...task(
        'ec2',
        'createTags',
        {
          'Resources.$': '$.chosen.zones[*].routeTables[*]',
          Tags: [
            { Key: HOLD_TAG.reason, 'Value.$': '$.reason' },
            { Key: HOLD_TAG.by, 'Value.$': '$.hold.by' },
            { Key: HOLD_TAG.at, 'Value.$': '$$.Execution.StartTime' },
          ],
        },
        next,
      ),
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.holdError', Next: next }],
    },
  };
}

/**
 * State `name`: is any of the zone's tables ($.routeTables) held? Held → `held`, else `free`.
 * The tag-key filter answers an empty list when none is, which every executor reads safely.
 * A read that fails after its retries goes to `onError` ($.error) when given; without it the
 * run fails there, which is right before any route is written and wrong after (ADR 0177).
 */
export function heldCheck(name: string, free: string, held: string, onError?: string): States {
  return {
    [name]: task(
      'ec2',
      'describeRouteTables',
      {
        Filters: [
          { Name: 'route-table-id', 'Values.$': '$.routeTables' },
          { Name: 'tag-key', Values: [HOLD_TAG.reason] },
        ],
      },
      `${name}?`,
      {
        ResultSelector: {
          'tables.$': '$.RouteTables',
          'count.$': 'States.ArrayLength($.RouteTables)',
        },
        ResultPath: '$.held',
        ...(onError ? { onError } : {}),
      },
    ),
    [`${name}?`]: {
      Type: 'Choice',
      Choices: [{ Variable: '$.held.count', NumericGreaterThan: 0, Next: `${name}Tags` }],
      Default: free,
    },
    [`${name}Tags`]: pass({ 'tags.$': '$.held.tables[0].Tags' }, '$.held', held),
  };
}

/** The end of a held zone: skipped, ok, and the hold's tags in the report. */
export const heldEnd = (what: string) =>
  zoneEnd(
    'held',
    `States.Format('held on its standby gateway: ${what}; natfleet release lifts the hold')`,
    {
      'hold.$': '$.held.tags',
    },
  );
