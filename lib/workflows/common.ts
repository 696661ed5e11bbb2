// What the four workflows share: the refs the stacks supply, the zone table baked into each
// definition, the input prologue (reason, zone choice) and the "point a route table at a
// target" sub-machine with its before/after report.
import type { Json } from '../cfn.js';
import type { Environment } from '../config/schema.js';
import { TAG, type WorkflowName } from '../names.js';
import type { Target } from '../fleet.js';
import { BLACKHOLE, DEFAULT_ROUTE, ROUTE_FIELDS, ROUTE_RULE, type MatchClause } from '../routes.js';
import { hasFirst, pass, task, type Processor, type State, type States } from './asl.js';
import { causeWithZones, zoneEnd } from './report.js';

export { zoneEnd } from './report.js';

/**
 * Ids and ARNs the stacks supply. In a template they are `${Name}` placeholders filled by
 * DefinitionSubstitutions; in tests and the lab they are the real ids.
 */
export interface WorkflowRefs {
  /** The standby NAT gateway of each zone (in shared mode the same id for every zone). */
  gateways: Record<string, string>;
  /** The Elastic IP allocation each zone's NAT instance carries, where one is configured. */
  eipAllocations?: Record<string, string>;
  launchTemplateId: string;
  /** Launch template version to launch from (default $Default). */
  launchTemplateVersion?: string;
  /** Name of the SSM parameter that holds the current NAT AMI id. */
  amiParameter: string;
  imagePipelineArn: string;
  replaceInstancesArn: string;
  fallbackArn: string;
}

export interface WorkflowOptions {
  /** ReplaceInstances sanity timeout (default 15 min). */
  replaceTimeoutSeconds?: number;
  /** Maintenance timeout (default 90 min). */
  maintenanceTimeoutSeconds?: number;
  /** Seconds between polls of a new instance's status (default 15). */
  instancePollSeconds?: number;
  /** Seconds between polls of an image build (default 60). */
  imagePollSeconds?: number;
}

/** ReplaceInstances' sanity timeout: its own, and what Maintenance allows its child. */
export const replaceTimeout = (options: WorkflowOptions) => options.replaceTimeoutSeconds ?? 900;

/** The input every workflow takes. */
export interface WorkflowInput {
  zones?: string[];
  reason?: string;
}

/** One zone as the definitions know it. */
export interface ZoneEntry {
  zone: string;
  routeTables: string[];
  gateway: string;
  publicSubnet: string;
  /** '' when the zone has no Elastic IP of its own. */
  eip: string;
  [k: string]: Json;
}

export function zoneTable(env: Environment, refs: WorkflowRefs): ZoneEntry[] {
  return env.zones.map((z) => {
    const gateway = refs.gateways[z.availabilityZone];
    if (!gateway) throw new Error(`workflow refs: no standby gateway for ${z.availabilityZone}`);
    return {
      zone: z.availabilityZone,
      routeTables: [...z.routeTables],
      gateway,
      publicSubnet: z.publicSubnet,
      eip: refs.eipAllocations?.[z.availabilityZone] ?? z.eipAllocation ?? '',
    };
  });
}

/** What EC2 answers a CreateRoute when the table has a default route already. */
export const ROUTE_EXISTS = 'Ec2.RouteAlreadyExistsException';

/** Blank route fields merged under the observed default route so a Choice can read any of them. */
const NONE = '-';
const FIELDS = [...Object.keys(ROUTE_FIELDS), 'State'];
const BLANK = Object.fromEntries(FIELDS.map((f) => [f, NONE]));

/**
 * Where tablesStates finds its target in the zone's state: a JSONPath per value the route rule
 * reads (lib/routes.ts) — a standby gateway's id, or a NAT instance's primary ENI and its id.
 */
export type TargetAt =
  | { kind: 'gateway'; at: { natGatewayId: string } }
  | { kind: 'instance'; at: { eniId: string; instanceId: string } };

export const gatewayAt = (natGatewayId: string): TargetAt => ({
  kind: 'gateway',
  at: { natGatewayId },
});
export const instanceAt = (eniId: string, instanceId: string): TargetAt => ({
  kind: 'instance',
  at: { eniId, instanceId },
});

/** For a zone end's States.Format after tablesStates failed: which tables were not found or
 * not changed, and why (no JSON in a why: it ends up inside the report's JSON). */
export const NOT_FOUND = '{}';
export const NOT_FOUND_ARG = '$.routes.note';

/** One clause of the route rule as a Choice rule over $.current.route and $.target. */
function matchRule(c: MatchClause, next: string): State {
  const equal = {
    Variable: `$.current.route.${c.route}`,
    StringEqualsPath: `$.target.${c.target}`,
  };
  if (!c.absent) return { ...equal, Next: next };
  return {
    And: [equal, { Variable: `$.current.route.${c.absent}`, StringEquals: NONE }],
    Next: next,
  };
}

/** A Choice: on to `withEip` when the zone has an Elastic IP of its own ($.eip), else `without`. */
export const ifEip = (withEip: string, without: string): State => ({
  Type: 'Choice',
  Choices: [{ Variable: '$.eip', StringEquals: '', Next: without }],
  Default: withEip,
});

/** A Choice: on to `yes` when `path` is present, else `no`. */
export const ifPresent = (path: string, yes: string, no: string): State => ({
  Type: 'Choice',
  Choices: [{ Variable: path, IsPresent: true, Next: yes }],
  Default: no,
});

/** Filters that find a zone's NAT instances (zone from $.zone) in the given states. */
export function instanceFilters(env: string, states: string[]): Json {
  return [
    { Name: `tag:${TAG.environment}`, Values: [env] },
    { Name: `tag:${TAG.role}`, Values: ['nat-instance'] },
    { Name: `tag:${TAG.zone}`, 'Values.$': 'States.Array($.zone)' },
    { Name: 'instance-state-name', Values: states },
  ];
}

/**
 * Input handling every workflow starts with: a default reason, the zone table, the chosen zones
 * (all when `zones` is absent), a refusal of unknown zones before anything changes, and an early
 * successful end for an empty list. Leaves the chosen zone entries at $.chosen.zones.
 */
export function prologue(wf: WorkflowName, table: ZoneEntry[], next: string): States {
  return {
    Fleet: {
      Type: 'Pass',
      Result: { all: table.map((z) => z.zone), table },
      ResultPath: '$.fleet',
      Next: 'Reason?',
    },
    'Reason?': {
      Type: 'Choice',
      Choices: [{ Variable: '$.reason', IsPresent: true, Next: 'Zones?' }],
      Default: 'NoReason',
    },
    NoReason: { Type: 'Pass', Result: 'none given', ResultPath: '$.reason', Next: 'Zones?' },
    'Zones?': {
      Type: 'Choice',
      Choices: [{ Variable: '$.zones', IsPresent: true, Next: 'Empty?' }],
      Default: 'AllZones',
    },
    AllZones: { Type: 'Pass', InputPath: '$.fleet.all', ResultPath: '$.zones', Next: 'Empty?' },
    'Empty?': {
      Type: 'Choice',
      Choices: [hasFirst('$.zones', 'CheckZones')],
      Default: 'NothingToDo',
    },
    CheckZones: {
      Type: 'Map',
      ItemsPath: '$.zones',
      ItemSelector: {
        'zone.$': '$$.Map.Item.Value',
        'all.$': '$.fleet.all',
        'known.$': 'States.ArrayContains($.fleet.all, $$.Map.Item.Value)',
      },
      ItemProcessor: {
        StartAt: 'Known?',
        States: {
          'Known?': {
            Type: 'Choice',
            Choices: [{ Variable: '$.known', BooleanEquals: true, Next: 'KnownZone' }],
            Default: 'UnknownZone',
          },
          KnownZone: { Type: 'Pass', Result: true, End: true },
          UnknownZone: pass(
            {
              'cause.$':
                "States.Format('unknown zone {}: this environment has {}; nothing was changed', $.zone, States.JsonToString($.all))",
            },
            '$.report',
            'RejectZone',
          ),
          RejectZone: { Type: 'Fail', Error: 'UnknownZone', CausePath: '$.report.cause' },
        },
      },
      ResultPath: null,
      Next: 'Choose',
    },
    Choose: {
      Type: 'Map',
      ItemsPath: '$.fleet.table',
      ItemSelector: {
        'chosen.$': 'States.ArrayContains($.zones, $$.Map.Item.Value.zone)',
        'entry.$': '$$.Map.Item.Value',
      },
      ItemProcessor: { StartAt: 'Entry', States: { Entry: { Type: 'Pass', End: true } } },
      // Not empty: at least one zone was listed and every listed zone is known.
      ResultSelector: { 'zones.$': '$[?(@.chosen == true)].entry' },
      ResultPath: '$.chosen',
      Next: next,
    },
    NothingToDo: {
      Type: 'Pass',
      Parameters: {
        workflow: wf,
        'reason.$': '$.reason',
        result: 'no zones chosen: nothing to do',
        zones: [],
      },
      End: true,
    },
  };
}

/**
 * Per route table: read the default route; leave it when the route rule says it is on the
 * target, else replace or create it (the rule's `write` field). `kind` is the target's.
 */
export function pointTable(p: string, kind: Target['kind']): Processor {
  const rule = ROUTE_RULE[kind];
  const out = (action: string, extra: Record<string, Json> = {}): State => ({
    Type: 'Pass',
    Parameters: {
      'zone.$': '$.zone',
      'table.$': '$.table',
      action,
      'to.$': '$.targetId',
      ...extra,
    },
    End: true,
  });
  const route = (verb: 'replaceRoute' | 'createRoute', next: string) =>
    task(
      'ec2',
      verb,
      {
        'RouteTableId.$': '$.table',
        DestinationCidrBlock: DEFAULT_ROUTE,
        [`${rule.write.route}.$`]: '$.targetId',
      },
      next,
      { onError: `${p}Failed` },
    );
  // Another run created the default route between our read and our write: replace it, and say
  // so (ADR 0111). Any other error still fails the table.
  const create = route('createRoute', `${p}Created`);
  create.Catch = [
    { ErrorEquals: [ROUTE_EXISTS], ResultPath: '$.raced', Next: `${p}RaceReplace` },
    ...(create.Catch as Json[]),
  ];
  return {
    StartAt: `${p}Default`,
    States: {
      // Wildcards only in Parameters, intrinsics only on plain paths (as AWS allows). Every VPC
      // route table has its local route, so the list is never empty.
      [`${p}Default`]: pass(
        { 'dests.$': '$.found.routes[*].DestinationCidrBlock' },
        '$.has',
        `${p}DefaultCheck`,
      ),
      [`${p}DefaultCheck`]: pass(
        { 'exists.$': `States.ArrayContains($.has.dests, '${DEFAULT_ROUTE}')` },
        '$.has',
        `${p}HasRoute?`,
      ),
      [`${p}HasRoute?`]: {
        Type: 'Choice',
        Choices: [{ Variable: '$.has.exists', BooleanEquals: true, Next: `${p}Pick` }],
        Default: `${p}Create`,
      },
      [`${p}Pick`]: pass(
        { 'def.$': `$.found.routes[?(@.DestinationCidrBlock == '${DEFAULT_ROUTE}')]` },
        '$.found',
        `${p}Current`,
      ),
      [`${p}Current`]: pass(
        { 'route.$': 'States.JsonMerge($.blank, States.ArrayGetItem($.found.def, 0), false)' },
        '$.current',
        `${p}Right?`,
      ),
      [`${p}Right?`]: {
        Type: 'Choice',
        Choices: [
          { Variable: '$.current.route.State', StringEquals: BLACKHOLE, Next: `${p}Replace` },
          ...rule.match.map((c) => matchRule(c, `${p}Unchanged`)),
        ],
        Default: `${p}Replace`,
      },
      [`${p}Replace`]: route('replaceRoute', `${p}Replaced`),
      [`${p}Create`]: create,
      [`${p}RaceReplace`]: route('replaceRoute', `${p}RaceReplaced`),
      [`${p}RaceReplaced`]: out('replaced', { concurrent: 'the route was created meanwhile' }),
      [`${p}Replaced`]: out('replaced', {
        from: Object.fromEntries(FIELDS.map((f) => [`${f}.$`, `$.current.route.${f}`])),
      }),
      [`${p}Created`]: out('created'),
      [`${p}Unchanged`]: out('unchanged'),
      [`${p}Failed`]: out('failed', { 'error.$': '$.error.Error', 'cause.$': '$.error.Cause' }),
    },
  };
}

/**
 * States `name`: one DescribeRouteTables for the zone's tables, then a Map pointing each at the
 * target found at `target`; on to `done`, or to `failed` when a table was not found or could
 * not be changed. Leaves $.routes.tables (what happened per table) and $.routes.missing (the
 * zone's tables EC2 no longer has, e.g. deleted since the config was written).
 */
export function tablesStates(name: string, target: TargetAt, done: string, failed: string): States {
  const values = Object.entries(target.at);
  const written = ROUTE_RULE[target.kind].write.target;
  return {
    [name]: task(
      'ec2',
      'describeRouteTables',
      // A filter, not RouteTableIds: a missing table is reported, not fatal to the others.
      { Filters: [{ Name: 'route-table-id', 'Values.$': '$.routeTables' }] },
      `${name}Found?`,
      {
        ResultSelector: {
          'tables.$': '$.RouteTables',
          'count.$': 'States.ArrayLength($.RouteTables)',
        },
        ResultPath: '$.found',
        onError: `${name}Unreadable`,
      },
    ),
    [`${name}Unreadable`]: {
      Type: 'Pass',
      Parameters: {
        tables: [],
        missing: [],
        'error.$': '$.error',
        'note.$': "States.Format('; the route tables could not be read: {}', $.error.Error)",
      },
      ResultPath: '$.routes',
      Next: failed,
    },
    [`${name}Found?`]: {
      Type: 'Choice',
      Choices: [{ Variable: '$.found.count', NumericGreaterThan: 0, Next: `${name}Each` }],
      Default: `${name}NoneFound`,
    },
    [`${name}NoneFound`]: pass(
      {
        tables: [],
        'missing.$': '$.routeTables',
        'note.$':
          "States.Format('; none of the {} route tables found, first {}', States.ArrayLength($.routeTables), States.ArrayGetItem($.routeTables, 0))",
      },
      '$.routes',
      failed,
    ),
    [`${name}Each`]: {
      Type: 'Map',
      ItemsPath: '$.found.tables',
      ItemSelector: {
        'zone.$': '$.zone',
        'table.$': '$$.Map.Item.Value.RouteTableId',
        found: { 'routes.$': '$$.Map.Item.Value.Routes' },
        'targetId.$': (target.at as Record<string, string>)[written]!,
        target: Object.fromEntries(values.map(([k, path]) => [`${k}.$`, path])),
        blank: BLANK,
      },
      ItemProcessor: pointTable(name, target.kind),
      ResultSelector: { 'tables.$': '$', 'actions.$': '$[*].action', 'ids.$': '$[*].table' },
      ResultPath: '$.routes',
      Next: `${name}Verdict`,
    },
    [`${name}Verdict`]: pass(
      {
        'failed.$': "States.ArrayContains($.routes.actions, 'failed')",
        'wanted.$': 'States.ArrayLength($.routeTables)',
      },
      '$.verdict',
      `${name}AllFound?`,
    ),
    [`${name}AllFound?`]: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.verdict.wanted', NumericEqualsPath: '$.found.count', Next: `${name}Whole` },
      ],
      Default: `${name}Missing`,
    },
    [`${name}Whole`]: pass(
      { 'tables.$': '$.routes.tables', 'actions.$': '$.routes.actions', missing: [], note: '' },
      '$.routes',
      `${name}Failed?`,
    ),
    // The zone's tables EC2 did not return, named in the report (ASL has no set difference;
    // reached only when one is missing, as an empty filter result is an error).
    [`${name}Missing`]: {
      Type: 'Map',
      ItemsPath: '$.routeTables',
      ItemSelector: {
        'table.$': '$$.Map.Item.Value',
        'found.$': 'States.ArrayContains($.routes.ids, $$.Map.Item.Value)',
      },
      ItemProcessor: {
        StartAt: `${name}Seen`,
        States: { [`${name}Seen`]: { Type: 'Pass', End: true } },
      },
      ResultSelector: { 'ids.$': '$[?(@.found == false)].table' },
      ResultPath: '$.gone',
      Next: `${name}Partial`,
    },
    [`${name}Partial`]: pass(
      {
        'tables.$': '$.routes.tables',
        'actions.$': '$.routes.actions',
        'missing.$': '$.gone.ids',
        'note.$':
          "States.Format('; {} of {} route tables not found, first {}', States.ArrayLength($.gone.ids), $.verdict.wanted, States.ArrayGetItem($.gone.ids, 0))",
      },
      '$.routes',
      failed,
    ),
    [`${name}Failed?`]: {
      Type: 'Choice',
      Choices: [{ Variable: '$.verdict.failed', BooleanEquals: true, Next: `${name}Which` }],
      Default: done,
    },
    // Reached only when a table failed, so the filters are not empty.
    [`${name}Which`]: pass(
      {
        'ids.$': "$.routes.tables[?(@.action == 'failed')].table",
        'errors.$': "$.routes.tables[?(@.action == 'failed')].error",
      },
      '$.bad',
      `${name}FailedNote`,
    ),
    [`${name}FailedNote`]: pass(
      {
        'tables.$': '$.routes.tables',
        'actions.$': '$.routes.actions',
        missing: [],
        'note.$':
          "States.Format('; {} of {} route tables not changed, first {}: {}', States.ArrayLength($.bad.ids), $.verdict.wanted, States.ArrayGetItem($.bad.ids, 0), States.ArrayGetItem($.bad.errors, 0))",
      },
      '$.routes',
      failed,
    ),
  };
}

/**
 * A guard on a list that may be empty, then whether its (single) element has every field at the
 * wanted value. The test goes through States.ArrayContains over `list[*].field` rather than a
 * Choice on `list[0].field`, which some executors read as a list.
 */
export function firstIs(
  name: string,
  list: string,
  fields: Record<string, string>,
  yes: string,
  no: string,
): States {
  const keys = Object.keys(fields);
  return {
    [name]: { Type: 'Choice', Choices: [hasFirst(list, `${name}Test`)], Default: no },
    // Wildcards only in Parameters, intrinsics only on plain paths (as AWS allows).
    [`${name}Test`]: pass(
      Object.fromEntries(keys.map((f, i) => [`f${i}.$`, `${list}[*].${f}`])),
      '$.test',
      `${name}Check`,
    ),
    [`${name}Check`]: pass(
      Object.fromEntries(
        keys.map((f, i) => [`c${i}.$`, `States.ArrayContains($.test.f${i}, '${fields[f]}')`]),
      ),
      '$.test',
      `${name}Verdict`,
    ),
    [`${name}Verdict`]: {
      Type: 'Choice',
      Choices: [
        {
          And: keys.map((_, i) => ({ Variable: `$.test.c${i}`, BooleanEquals: true })),
          Next: yes,
        },
      ],
      Default: no,
    },
  };
}

/**
 * The zone's tables to its standby gateway when that gateway is available; `$.note.why` says
 * why the zone goes there. Ends the zone with status done, blocked or failed.
 */
export function gatewayFlow(): States {
  return {
    ToGateway: task(
      'ec2',
      'describeNatGateways',
      { 'NatGatewayIds.$': 'States.Array($.gateway)' },
      'Available?',
      { ResultSelector: { 'gateways.$': '$.NatGateways' }, ResultPath: '$.gw', onError: 'Blocked' },
    ),
    ...firstIs('Available?', '$.gw.gateways', { State: 'available' }, 'GatewayTables', 'Blocked'),
    ...tablesStates('GatewayTables', gatewayAt('$.gateway'), 'OnGateway', 'ZoneFailed'),
    OnGateway: zoneEnd(
      'done',
      "States.Format('{}: on standby gateway {}', $.note.why, $.gateway)",
      {
        mode: 'gateway',
        'target.$': '$.gateway',
        'tables.$': '$.routes.tables',
      },
    ),
    Blocked: zoneEnd(
      'blocked',
      "States.Format('{}, but standby gateway {} is not available: routes left as they are', $.note.why, $.gateway)",
    ),
    ZoneFailed: zoneEnd(
      'failed',
      `States.Format('{}, but not every route table was found and changed${NOT_FOUND}', $.note.why, ${NOT_FOUND_ARG})`,
      {
        'tables.$': '$.routes.tables',
        'missing.$': '$.routes.missing',
      },
    ),
  };
}

/** Zones in parallel, then the report: success when every zone is done, else a failure whose cause is the report. */
export function zonesThenReport(wf: WorkflowName, zone: Processor): States {
  return {
    Zones: {
      Type: 'Map',
      ItemsPath: '$.chosen.zones',
      ItemProcessor: zone,
      ResultSelector: { 'zones.$': '$', 'oks.$': '$[*].ok' },
      ResultPath: '$.result',
      Next: 'Verdict',
    },
    Verdict: pass(
      { 'incomplete.$': 'States.ArrayContains($.result.oks, false)' },
      '$.verdict',
      'AllDone?',
    ),
    'AllDone?': {
      Type: 'Choice',
      Choices: [{ Variable: '$.verdict.incomplete', BooleanEquals: true, Next: 'Incomplete' }],
      Default: 'Report',
    },
    Incomplete: pass(
      {
        'cause.$': causeWithZones(`${wf} incomplete`, [], '$.result.zones'),
      },
      '$.report',
      'NotDone',
    ),
    NotDone: { Type: 'Fail', Error: 'ZonesNotDone', CausePath: '$.report.cause' },
    Report: {
      Type: 'Pass',
      Parameters: { workflow: wf, 'reason.$': '$.reason', 'zones.$': '$.result.zones' },
      End: true,
    },
  };
}
