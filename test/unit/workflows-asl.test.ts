import { describe, expect, it } from '@jest/globals';
import { createRequire } from 'node:module';
import { workflowDefinitions, type WorkflowRefs } from '../../lib/workflows/index.js';
import { WORKFLOWS } from '../../lib/names.js';
import { ROLL, rollZone } from '../../lib/workflows/replace.js';
import type { States } from '../../lib/workflows/asl.js';
import { exampleEnv } from '../helpers.js';

const validate = createRequire(import.meta.url)('asl-validator') as (
  d: unknown,
  o?: object,
) => { isValid: boolean; errors: { message: string; path?: string }[] };

const refs = (zones: string[]): WorkflowRefs => ({
  gateways: Object.fromEntries(zones.map((z, i) => [z, `nat-0000000000000000${i}`])),
  launchTemplateId: 'lt-00000000000000001',
  amiParameter: '/natfleet/prod/ami',
  imagePipelineArn:
    'arn:aws:imagebuilder:eu-west-1:123456789012:image-pipeline/natfleet-prod-image',
  replaceInstancesArn:
    'arn:aws:states:eu-west-1:123456789012:stateMachine:natfleet-prod-ReplaceInstances',
  fallbackArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:natfleet-prod-Fallback',
});

function walk(v: unknown, visit: (k: string, v: unknown) => void) {
  if (Array.isArray(v)) v.forEach((x) => walk(x, visit));
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) {
      visit(k, x);
      walk(x, visit);
    }
}

describe('workflow definitions', () => {
  for (const name of ['prod', 'staging'] as const) {
    const env = exampleEnv(name);
    const defs = workflowDefinitions(env, refs(env.zones.map((z) => z.availabilityZone)));

    it(`${name}: all four pass asl-validator`, () => {
      expect(Object.keys(defs)).toEqual([...WORKFLOWS]);
      for (const [wf, d] of Object.entries(defs)) {
        const r = validate(structuredClone(d));
        expect({ wf, errors: r.errors.map((e) => JSON.stringify(e)) }).toEqual({ wf, errors: [] });
        expect(r.isValid).toBe(true);
      }
    });

    it(`${name}: SDK integrations only, JSONPath only`, () => {
      for (const d of Object.values(defs)) {
        walk(d, (k, v) => {
          if (k === 'Resource')
            expect(v).toMatch(
              /^arn:aws:states:::(aws-sdk:(ec2|ssm|sfn|imagebuilder):[a-z][A-Za-z]+|states:startExecution\.sync:2)$/,
            );
          expect(k).not.toBe('QueryLanguage');
          if (typeof v === 'string') expect(v).not.toMatch(/^\{%/);
        });
      }
    });
  }
});

/** Every state a state can go to next: Next, Default, each Choice and each Catch. */
function targets(state: States[string]): string[] {
  const out: string[] = [];
  if (typeof state.Next === 'string') out.push(state.Next);
  if (typeof state.Default === 'string') out.push(state.Default);
  for (const c of (state.Choices ?? []) as { Next: string }[]) out.push(c.Next);
  for (const c of (state.Catch ?? []) as { Next: string }[]) out.push(c.Next);
  return out;
}

function reachable(states: States, from: string): Set<string> {
  const seen = new Set<string>();
  const todo = [from];
  while (todo.length > 0) {
    const s = todo.pop()!;
    if (seen.has(s)) continue;
    seen.add(s);
    todo.push(...targets(states[s]!));
  }
  return seen;
}

describe('the roll of one zone (ReplaceInstances)', () => {
  const env = exampleEnv('prod');
  const roll = rollZone(env, refs(env.zones.map((z) => z.availabilityZone)), 15, 36);
  const states = roll.States;

  it('goes only to states it has, and every state is reached from the start', () => {
    for (const [name, state] of Object.entries(states)) {
      for (const t of targets(state))
        expect({ from: name, to: t, exists: t in states }).toEqual({
          from: name,
          to: t,
          exists: true,
        });
    }
    expect([...reachable(states, roll.StartAt)].sort()).toEqual(Object.keys(states).sort());
    // The hold is read first: a held zone is not rolled.
    expect(roll.StartAt).toBe('Held');
  });

  it('rolls back from every step that can fail before the zone is in service, and only from those', () => {
    const into = (t: string) =>
      Object.entries(states)
        .filter(([, s]) => targets(s).includes(t))
        .map(([n]) => n)
        .sort();
    expect(into(ROLL.rollback)).toEqual(
      [
        'Ami',
        // A hold placed while the routes moved, or that read failing for good: undone as a
        // rollback does it (ADR 0177).
        'HeldAfterSwitch',
        'HeldAfterSwitchError',
        'Launch',
        'MoveEip',
        'NotRunning',
        'Old',
        // The path check: not delivered, failed, unreadable, too slow (ADR 0150).
        'PathCheck',
        'PathCheckedFailed',
        'PathCheckedStatus',
        'PathCheckedTooSlow',
        'SourceDest',
        'Status',
        'SwitchError',
        'TooSlow',
      ].sort(),
    );
    // Once the routes are on the new instance nothing rolls back: retiring the old one ends done.
    const afterSwitch = reachable(states, ROLL.retire);
    expect(afterSwitch.has(ROLL.rollback)).toBe(false);
    // Rollback ends the zone failed, wherever it goes; held when a hold undid it (ADR 0177).
    const ends = [...reachable(states, ROLL.rollback)].filter((n) => states[n]!.End === true);
    expect(ends.sort()).toEqual(
      [
        ROLL.noStandby,
        ROLL.rollbackFailed,
        ROLL.rolledBack,
        ROLL.rolledBackOld,
        ROLL.heldMidRoll,
      ].sort(),
    );
    for (const n of ends)
      expect((states[n]!.Parameters as { status: string }).status).toBe(
        n === ROLL.heldMidRoll ? 'held' : 'failed',
      );
  });
});
