// The execution history limit (25,000 events, lib/limits.ts) for the largest fleet. validate
// holds each workflow to a bound read from its definition (lib/history.ts); here the workflows
// run in-process against moto with the most route tables a zone may serve, the history events
// each run would write are counted from its states, and the bound must never be under them.
import { describe, expect, it } from '@jest/globals';
import { FLEET_BOUNDS } from '../../lib/config/schema.js';
import { AWS_LIMITS } from '../../lib/limits.js';
import { HISTORY_EVENTS, historyBound } from '../../lib/history.js';
import { workflowsStack } from '../../cloudformation/workflows.js';
import type { Json } from '../../lib/cfn.js';
import { worldPerTest } from '../workflows-world.js';

interface AnyState {
  Type: string;
  StartAt?: string;
  States?: Record<string, AnyState>;
  Iterator?: AnyState;
  ItemProcessor?: AnyState;
  Branches?: AnyState[];
}

/** Every state of a definition (Map iterators and Parallel branches included), by name. */
function statesOf(g: AnyState, out = new Map<string, AnyState>()): Map<string, AnyState> {
  for (const [name, s] of Object.entries(g.States ?? {})) {
    out.set(name, s);
    for (const inner of [s.Iterator, s.ItemProcessor, ...(s.Branches ?? [])])
      if (inner) statesOf(inner, out);
  }
  return out;
}

/** The events a run wrote, from its entered states, retries and Map items (lib/history.ts). */
function recorded(definition: AnyState, events: { kind: string; state: string }[]): number {
  const states = statesOf(definition);
  const starts = new Set(
    [...states.values()].flatMap((s) => {
      const inner = s.ItemProcessor ?? s.Iterator;
      return s.Type === 'Map' && inner?.StartAt ? [inner.StartAt] : [];
    }),
  );
  let n = HISTORY_EVENTS.execution;
  for (const e of events) {
    if (e.kind === 'retried') n += HISTORY_EVENTS.retry;
    if (e.kind !== 'entered') continue;
    const type = states.get(e.state)?.Type;
    n +=
      type === 'Task'
        ? HISTORY_EVENTS.task
        : type === 'Map' || type === 'Parallel'
          ? HISTORY_EVENTS.container
          : HISTORY_EVENTS.other;
    if (starts.has(e.state)) n += HISTORY_EVENTS.mapItem;
  }
  return n;
}

describe('the largest fleet’s executions', () => {
  const world = worldPerTest();

  it('never write more history than the bound validate holds them to, which fits the limit', async () => {
    const w = await world({ tablesPerZone: FLEET_BOUNDS.routeTablesPerZone });
    expect(w.env.zones[0]!.routeTables).toHaveLength(FLEET_BOUNDS.routeTablesPerZone);
    const resources = workflowsStack(w.env).template.Resources;
    const rows: { wf: string; recorded: number; bound: number }[] = [];
    for (const [wf, input] of [
      ['Failover', { reason: 'drill' }],
      ['Fallback', { reason: 'recovered' }],
      ['ReplaceInstances', { reason: 'patch' }],
      ['Maintenance', { reason: 'image due' }],
    ] as const) {
      const definition = resources[`${wf}StateMachine`]!.Properties!.Definition as Json;
      const e = await w.run(wf, input);
      expect(e.r.status).toBe('SUCCEEDED');
      const bound = historyBound(w.env, definition, {
        retries: e.events.some((x) => x.kind === 'retried'),
      });
      rows.push({ wf, recorded: recorded(definition as unknown as AnyState, e.events), bound });
    }
    for (const r of rows) {
      expect({ ...r, under: r.bound < r.recorded }).toEqual({ ...r, under: false });
      expect(r.bound).toBeLessThanOrEqual(AWS_LIMITS.executionHistory.max);
    }
  });
});
