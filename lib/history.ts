// An upper bound of the events one execution of a state machine writes to its history, read
// from its definition: the costliest path through it, each state with the events Step Functions
// writes for its type, Map iterators once per item, and a loop as often as its counter lets it
// run. AWS ends an execution at 25,000 events (lib/limits.ts), so validate refuses a
// fleet whose bound is over before anything is created.
import type { Environment } from './config/schema.js';

interface State {
  Type: string;
  Next?: string;
  Default?: string;
  Choices?: { Next: string; Variable?: string; NumericGreaterThanEquals?: number }[];
  Catch?: { Next: string }[];
  Retry?: { MaxAttempts?: number }[];
  ItemsPath?: string;
  Iterator?: Graph;
  ItemProcessor?: Graph;
  Branches?: Graph[];
}
interface Graph {
  StartAt: string;
  States: Record<string, State>;
}

/**
 * History events per state entered, by type (Step Functions API Reference, HistoryEvent):
 * a Task is entered, scheduled, (submitted,) started, ends and is exited; each retry is
 * scheduled, started and fails again. A Map or Parallel is entered, started, ends and is exited;
 * each Map item adds an iteration started and ended.
 */
export const HISTORY_EVENTS = {
  task: 6,
  retry: 3,
  container: 4,
  mapItem: 2,
  other: 2,
  execution: 2,
} as const;

/** How many items each Map of natfleet's definitions iterates (by its ItemsPath), and the
 * counts a loop's counter runs up to (by the path it is compared with). */
function itemsOf(env: Environment): Record<string, number> {
  const zones = env.zones.length;
  const tables = Math.max(...env.zones.map((z) => z.routeTables.length));
  return {
    '$.zones': zones,
    '$.fleet.table': zones,
    '$.chosen.zones': zones,
    '$.found.tables': tables,
    '$.routeTables': tables, // the zone's configured tables (those EC2 did not return, named)
    // ReplaceInstances rolls the chosen zones one at a time: a loop counted up to their number.
    '$.roll.n': zones,
    '$.cur.z': 1, // the one zone picked (States.Array of one item)
  };
}

const successors = (s: State): string[] => [
  ...(s.Next ? [s.Next] : []),
  ...(s.Default ? [s.Default] : []),
  ...(s.Choices ?? []).map((c) => c.Next),
  ...(s.Catch ?? []).map((c) => c.Next),
];

/** The states of each loop (strongly connected component with a cycle), Tarjan's way. */
function loops(g: Graph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  let n = 0;
  const visit = (v: string) => {
    index.set(v, n);
    low.set(v, n++);
    stack.push(v);
    on.add(v);
    for (const w of successors(g.States[v]!)) {
      if (!g.States[w]) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      for (;;) {
        const w = stack.pop()!;
        on.delete(w);
        scc.push(w);
        if (w === v) break;
      }
      const self = successors(g.States[v]!).includes(v);
      if (scc.length > 1 || self) out.push(scc);
    }
  };
  for (const v of Object.keys(g.States)) if (!index.has(v)) visit(v);
  return out;
}

type Rule = { Variable?: string } & Record<string, unknown>;

/**
 * The most times a loop runs: a Choice in it compares a counter that a state of the loop adds
 * one to (States.MathAdd, asl.ts pollAgain and the lock's attempts) with a constant.
 */
function loopVisits(
  g: Graph,
  scc: string[],
  items: Record<string, number>,
  where: string,
  uncounted?: number,
): number {
  const text = scc.map((n) => JSON.stringify(g.States[n])).join('');
  for (const name of scc) {
    for (const c of (g.States[name]!.Choices ?? []) as Rule[]) {
      if (!c.Variable || !text.includes(`States.MathAdd(${c.Variable}, 1)`)) continue;
      for (const op of [
        'NumericGreaterThanEquals',
        'NumericLessThan',
        'NumericGreaterThan',
        'NumericLessThanEquals',
      ]) {
        if (typeof c[op] === 'number') return (c[op] as number) + 1;
        const path = c[`${op}Path`];
        if (typeof path === 'string' && items[path] !== undefined) return items[path] + 1;
      }
    }
  }
  // `uncounted`: the runs of a cycle that counts nothing at all (one with a counter no Choice
  // compares is still an error).
  if (uncounted !== undefined && !text.includes('States.MathAdd(')) return uncounted;
  throw new Error(`${where}: the loop through ${scc.sort().join(', ')} has no counter bounding it`);
}

/** A poll's reset (pollStart: a Pass setting its counter to 0) starts an inner loop afresh. */
const isReset = (s: State & { Result?: unknown }) =>
  s.Type === 'Pass' &&
  typeof s.Result === 'object' &&
  s.Result !== null &&
  Object.values(s.Result).includes(0);

/**
 * A loop's events: its runs times its states. A loop holding polls of its own (the roll of the
 * zones, each with its status and command polls) counts each inner poll loop as often as its
 * counter allows, inside each run of the outer one: the inner loops are what is left cyclic
 * once the polls' resets are taken out.
 */
function loopCost(
  g: Graph,
  scc: string[],
  items: Record<string, number>,
  where: string,
  cost1: (name: string) => number,
): number {
  const sum = (names: string[]) => names.reduce((t, n) => t + cost1(n), 0);
  const resets = scc.filter((n) => isReset(g.States[n]!));
  if (resets.length === 0) return loopVisits(g, scc, items, where) * sum(scc);
  // Without the resets (loops() follows only edges to states it is given) the cycles left are
  // the inner loops. A cycle no counter bounds is, inside a roll, a detour a flag takes once
  // (floating egress: the path check after the handoff's final delta passes the switch's
  // states a second time): counted twice.
  const rest = scc.filter((n) => !resets.includes(n));
  const inner = loops({
    StartAt: g.StartAt,
    States: Object.fromEntries(rest.map((n) => [n, g.States[n]!])),
  });
  const innerStates = new Set(inner.flat());
  const outer = scc.filter((n) => !innerStates.has(n));
  const runs = (l: string[]) => loopVisits(g, l, items, where, 2);
  const innerCost = inner.reduce((t, l) => t + runs(l) * sum(l), 0);
  return runs(outer) * (sum(outer) + innerCost);
}

/**
 * The longest path from StartAt: each loop collapsed into one step that costs its states' sum
 * times its runs, then the costliest way through (branches and catches are alternatives).
 */
function graphBound(g: Graph, items: Record<string, number>, where: string): number {
  const component = new Map<string, number>();
  const cost: number[] = [];
  const members: string[][] = [];
  const cost1 = (name: string) => stateBound(g.States[name]!, items, `${where} ${name}`);
  for (const scc of loops(g)) {
    for (const n of scc) component.set(n, members.length);
    cost.push(loopCost(g, scc, items, where, cost1));
    members.push(scc);
  }
  for (const n of Object.keys(g.States)) {
    if (component.has(n)) continue;
    component.set(n, members.length);
    cost.push(cost1(n));
    members.push([n]);
  }
  const longest = new Map<number, number>();
  const from = (c: number): number => {
    const known = longest.get(c);
    if (known !== undefined) return known;
    let next = 0;
    for (const m of members[c]!) {
      for (const w of successors(g.States[m]!)) {
        const d = component.get(w);
        if (d !== undefined && d !== c) next = Math.max(next, from(d));
      }
    }
    longest.set(c, cost[c]! + next);
    return cost[c]! + next;
  };
  return from(component.get(g.StartAt)!);
}

function stateBound(s: State, items: Record<string, number>, where: string): number {
  switch (s.Type) {
    case 'Task': {
      if (!items[RETRIES]) return HISTORY_EVENTS.task;
      const retries = (s.Retry ?? []).reduce((n, r) => n + (r.MaxAttempts ?? 3), 0);
      return HISTORY_EVENTS.task + retries * HISTORY_EVENTS.retry;
    }
    case 'Map': {
      const n = items[s.ItemsPath ?? ''];
      if (n === undefined)
        throw new Error(`${where}: no known item count for the Map over ${s.ItemsPath}`);
      const inner = s.ItemProcessor ?? s.Iterator!;
      return (
        HISTORY_EVENTS.container + n * (HISTORY_EVENTS.mapItem + graphBound(inner, items, where))
      );
    }
    case 'Parallel':
      return (
        HISTORY_EVENTS.container +
        (s.Branches ?? []).reduce((t, b) => t + graphBound(b, items, where), 0)
      );
    default:
      return HISTORY_EVENTS.other;
  }
}

/** Key of the item counts that says whether every Task's retries are counted too. */
const RETRIES = '(retries)';

/**
 * The most history events one execution of `definition` can write for this environment. With
 * `retries` every Task also retries as often as its Retry allows (3 events each); without, every
 * Task succeeds or fails on its first attempt — the bound validate holds fleets to.
 */
export function historyBound(
  env: Environment,
  definition: unknown,
  options: { name?: string; retries?: boolean } = {},
): number {
  const items = { ...itemsOf(env), [RETRIES]: options.retries ? 1 : 0 };
  return (
    HISTORY_EVENTS.execution + graphBound(definition as Graph, items, options.name ?? 'definition')
  );
}
