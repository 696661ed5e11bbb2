// Fallback: each chosen zone whose NAT instance is running, passes its status checks, has its
// source/dest check off and passes the path check (path.ts) gets its route tables back on that
// instance; every other chosen zone is put (or kept) on its standby gateway, and the report
// says why.
import type { Environment } from '../config/schema.js';
import type { Definition, State, States } from './asl.js';
import { hasFirst, task } from './asl.js';
import { instanceStatus } from './instance.js';
import { pathCheck, PATH_CHECK } from './path.js';
import { locked } from './lock.js';
import { heldCheck, heldEnd } from './holds.js';
import {
  gatewayAt,
  gatewayFlow,
  instanceAt,
  instanceFilters,
  prologue,
  tablesStates,
  NOT_FOUND,
  NOT_FOUND_ARG,
  zoneEnd,
  zonesThenReport,
  zoneTable,
  type WorkflowRefs,
} from './common.js';

const why = (text: string, next = 'ToGateway'): State => ({
  Type: 'Pass',
  Parameters: text.startsWith('States.') ? { 'why.$': text } : { why: text },
  ResultPath: '$.note',
  Next: next,
});

export function fallbackDefinition(env: Environment, refs: WorkflowRefs): Definition {
  const states: States = {
    ...heldCheck('Held', 'FindInstance', 'HeldZone'),
    HeldZone: heldEnd('Fallback left it there'),
    FindInstance: task(
      'ec2',
      'describeInstances',
      { Filters: instanceFilters(env.name, ['running']) },
      'Running?',
      {
        ResultSelector: { 'r.$': '$.Reservations' },
        ResultPath: '$.found',
        onError: 'LookupFailed',
      },
    ),
    'Running?': {
      Type: 'Choice',
      Choices: [hasFirst('$.found.r', 'Candidate')],
      Default: 'NoInstance',
    },
    NoInstance: why('no running NAT instance'),
    Candidate: {
      Type: 'Pass',
      Parameters: {
        'id.$': '$.found.r[0].Instances[0].InstanceId',
        'check.$': '$.found.r[0].Instances[0].SourceDestCheck',
        'enis.$': '$.found.r[0].Instances[0].NetworkInterfaces',
      },
      ResultPath: '$.instance',
      Next: 'CheckOff?',
    },
    'CheckOff?': {
      Type: 'Choice',
      Choices: [{ Variable: '$.instance.check', BooleanEquals: false, Next: 'Status' }],
      Default: 'CheckOn',
    },
    CheckOn: why("States.Format('source/dest check is still on for {}', $.instance.id)"),
    ...instanceStatus(
      { status: 'Status', verdict: 'Healthy?' },
      '$.instance.id',
      'Target',
      'ChecksFailing',
      'LookupFailed',
    ),
    ChecksFailing: why("States.Format('status checks have not passed for {}', $.instance.id)"),
    Target: {
      Type: 'Pass',
      // Every instance has its primary interface (device index 0).
      Parameters: {
        'eni.$': '$.instance.enis[?(@.Attachment.DeviceIndex == 0)].NetworkInterfaceId',
      },
      ResultPath: '$.target',
      Next: PATH_CHECK.start,
    },
    ...pathCheck(env, '$.instance.id', 'HeldNow', 'PathFailed'),
    // Held while the instance was checked: the zone stays where the operator put it.
    ...heldCheck('HeldNow', 'ToInstance', 'HeldZone'),
    PathFailed: why("States.Format('path check failed: {}: {}', $.error.Error, $.error.Cause)"),
    ...tablesStates(
      'ToInstance',
      instanceAt('$.target.eni[0]', '$.instance.id'),
      'HeldAfter',
      'InstanceFailed',
    ),
    // A hold placed while the routes were written (after HeldNow read none): its Failover's own
    // route writes may have landed before these, so the zone goes back to its gateway. A hold
    // placed later is followed by its Failover's writes. Either way the hold wins (ADR 0177).
    ...heldCheck('HeldAfter', 'OnInstance', 'HeldAfterWhy', 'HeldAfterUnread'),
    HeldAfterWhy: why('held while Fallback moved it', 'HeldBack'),
    // The zone is on a proved instance; whether a hold came meanwhile is not known: said, and
    // left for the operator (natfleet status) rather than a second write on a guess.
    HeldAfterUnread: zoneEnd(
      'failed',
      "States.Format('on NAT instance {} (its path proved), but its hold could not be read again after the move: {}: {}; natfleet status shows it', $.instance.id, $.error.Error, $.error.Cause)",
      {
        mode: 'instance',
        'target.$': '$.target.eni[0]',
        'tables.$': '$.routes.tables',
      },
    ),
    ...tablesStates('HeldBack', gatewayAt('$.gateway'), 'HeldZone', 'ZoneFailed'),
    OnInstance: zoneEnd(
      'done',
      "States.Format('NAT instance {} is ready and its path proved: on it', $.instance.id)",
      {
        mode: 'instance',
        'target.$': '$.target.eni[0]',
        'tables.$': '$.routes.tables',
      },
    ),
    InstanceFailed: zoneEnd(
      'failed',
      `States.Format('NAT instance {} is ready, but a route change failed${NOT_FOUND}', $.instance.id, ${NOT_FOUND_ARG})`,
      {
        'tables.$': '$.routes.tables',
        'missing.$': '$.routes.missing',
      },
    ),
    LookupFailed: zoneEnd('failed', "States.Format('{}: {}', $.error.Error, $.error.Cause)"),
    ...gatewayFlow(),
  };
  return {
    Comment: `natfleet ${env.name}: Fallback — zones with a ready NAT instance back on it, the others on their standby`,
    TimeoutSeconds: 300,
    ...locked('Fallback', env.name, {
      StartAt: 'Fleet',
      States: {
        ...prologue('Fallback', zoneTable(env, refs), 'Zones'),
        ...zonesThenReport('Fallback', { StartAt: 'Held', States: states }),
      },
    }),
  };
}
