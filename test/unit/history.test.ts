// The execution history bound read from a definition (lib/history.ts), on small definitions
// whose events can be counted by hand.
import { describe, expect, it } from '@jest/globals';
import { HISTORY_EVENTS as E, historyBound } from '../../lib/history.js';
import type { Environment } from '../../lib/config/schema.js';

const env = (zones: number, tables: number) =>
  ({
    zones: Array.from({ length: zones }, (_, i) => ({
      availabilityZone: `eu-west-1${'abc'[i]}`,
      routeTables: Array.from({ length: tables }, (_, j) => `rtb-${i}${j}`),
    })),
  }) as unknown as Environment;

const task = (next?: string) => ({ Type: 'Task', ...(next ? { Next: next } : { End: true }) });

describe('the execution history bound', () => {
  it('takes the costlier of two branches, not both', () => {
    const def = {
      StartAt: 'Which?',
      States: {
        'Which?': { Type: 'Choice', Choices: [{ Next: 'A' }], Default: 'B' },
        A: task('A2'),
        A2: task(),
        B: task(),
      },
    };
    expect(historyBound(env(1, 1), def)).toBe(E.execution + E.other + 2 * E.task);
  });

  it('counts a Map iterator once per item: zones, and route tables per zone', () => {
    const tables = { StartAt: 'Move', States: { Move: task() } };
    const def = {
      StartAt: 'Zones',
      States: {
        Zones: {
          Type: 'Map',
          ItemsPath: '$.zones',
          Iterator: {
            StartAt: 'Tables',
            States: {
              Tables: { Type: 'Map', ItemsPath: '$.found.tables', Iterator: tables, End: true },
            },
          },
          End: true,
        },
      },
    };
    const perZone = E.container + 7 * (E.mapItem + E.task);
    expect(historyBound(env(3, 7), def)).toBe(
      E.execution + E.container + 3 * (E.mapItem + perZone),
    );
    // Zones with fewer tables are bounded by the zone with the most.
    expect(historyBound(env(3, 7), def)).toBeGreaterThan(historyBound(env(3, 6), def));
  });

  it('runs a poll loop as often as its counter allows, and retries only when asked', () => {
    const def = {
      StartAt: 'Poll',
      States: {
        Poll: { Type: 'Task', Next: 'Count', Retry: [{ ErrorEquals: ['X'], MaxAttempts: 2 }] },
        Count: {
          Type: 'Pass',
          Parameters: { 'polls.$': 'States.MathAdd($.wait.polls, 1)' },
          Next: 'Enough?',
        },
        'Enough?': {
          Type: 'Choice',
          Choices: [{ Variable: '$.wait.polls', NumericGreaterThanEquals: 4, Next: 'Done' }],
          Default: 'Pause',
        },
        Pause: { Type: 'Wait', Seconds: 5, Next: 'Poll' },
        Done: { Type: 'Succeed' },
      },
    };
    const loop = 5 * (E.task + 3 * E.other);
    expect(historyBound(env(1, 1), def)).toBe(E.execution + loop + E.other);
    expect(historyBound(env(1, 1), def, { retries: true })).toBe(
      E.execution + loop + 5 * 2 * E.retry + E.other,
    );
  });

  it('refuses a loop nothing bounds, and a Map over items it cannot count', () => {
    const loop = {
      StartAt: 'A',
      States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', Next: 'A' } },
    };
    expect(() => historyBound(env(1, 1), loop, { name: 'M' })).toThrow(
      'M: the loop through A, B has no counter bounding it',
    );
    const map = {
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          ItemsPath: '$.other',
          Iterator: { StartAt: 'X', States: { X: task() } },
          End: true,
        },
      },
    };
    expect(() => historyBound(env(1, 1), map)).toThrow(
      'no known item count for the Map over $.other',
    );
  });
});
