// The execution history limit (25,000 events, lib/limits.ts) for the largest fleet: the
// workflows run in-process against moto with the most route tables a zone may serve, their
// state entries are counted, and the count is turned into an upper bound of AWS's history
// events — at most 5 per state entered (a Task: entered, scheduled, started, succeeded,
// exited) plus 2 per Map iteration (at most one per state entered) — then scaled to the most
// zones natfleet.yml accepts (zones run in parallel Map iterations of one execution).
import { describe, expect, it } from '@jest/globals';
import { FLEET_BOUNDS } from '../../lib/config/schema.js';
import { AWS_LIMITS } from '../../lib/limits.js';
import { worldPerTest, ZONES } from '../workflows-world.js';

const EVENTS_PER_ENTRY = 5 + 2;

describe('the largest fleet’s executions', () => {
  const world = worldPerTest();

  it('stay within the execution history limit for every workflow', async () => {
    const w = await world({ tablesPerZone: FLEET_BOUNDS.routeTablesPerZone });
    expect(w.env.zones[0]!.routeTables).toHaveLength(FLEET_BOUNDS.routeTablesPerZone);
    const bound: Record<string, number> = {};
    for (const [wf, input] of [
      ['Failover', { reason: 'drill' }],
      ['Fallback', { reason: 'recovered' }],
      ['ReplaceInstances', { reason: 'patch' }],
      ['Maintenance', { reason: 'image due' }],
    ] as const) {
      const e = await w.run(wf, input);
      expect(e.r.status).toBe('SUCCEEDED');
      const entries = e.events.filter((x) => x.kind === 'entered').length;
      // Scaled from this world's zones to the most zones natfleet.yml accepts.
      bound[wf] = Math.ceil((entries * EVENTS_PER_ENTRY * FLEET_BOUNDS.zones) / ZONES.length);
    }
    for (const [wf, events] of Object.entries(bound)) {
      expect({ wf, events, fits: events <= AWS_LIMITS.executionHistory.max }).toEqual({
        wf,
        events,
        fits: true,
      });
    }
  });
});
