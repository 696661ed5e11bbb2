// ReplaceInstances: under the environment's lock, rolls zone by zone — launch from the launch
// template with the current AMI, wait for running + status ok (bounded), source/dest check off,
// move the EIP, prove the path (path.ts), switch the zone's routes to the new instance in one
// step, terminate the old one. A zone that fails goes to its standby gateway (none: back to its
// old instance), its new instance is terminated and the roll stops there.
import type { Environment } from '../config/schema.js';
import { instanceName, TAG } from '../names.js';
import type { Definition, Processor, State, States } from './asl.js';
import { hasFirst, pass, pollAgain, pollStart, task } from './asl.js';
import { instanceStatus } from './instance.js';
import {
  firstIs,
  gatewayAt,
  ifEip,
  instanceAt,
  instanceFilters,
  NOT_FOUND,
  NOT_FOUND_ARG,
  prologue,
  replaceTimeout,
  tablesStates,
  zoneEnd,
  zoneTable,
  type WorkflowOptions,
  type WorkflowRefs,
} from './common.js';
import { withHandoff } from './handoff.js';
import { pathCheck, PATH_CHECK } from './path.js';
import { locked } from './lock.js';
import { heldCheck, heldEnd } from './holds.js';
import { causeWithZones } from './report.js';

/** The states of one zone's roll, by phase. Every phase that can fail goes to Rollback. */
export const ROLL = {
  // launch
  old: 'Old',
  ami: 'Ami',
  launch: 'Launch',
  newEni: 'NewEni',
  // wait until ready
  poll: { start: 'WaitInit', count: 'Count', patience: 'Patience?', pause: 'Pause' },
  status: { status: 'Status', verdict: 'Ready?' },
  dead: 'Dead?',
  notRunning: 'NotRunning',
  tooSlow: 'TooSlow',
  // held meanwhile: the new instance away, the zone left on its gateway
  heldNow: 'HeldNow',
  heldEipBack: 'HeldEipBack?',
  heldMoveEipBack: 'HeldMoveEipBack',
  terminateHeld: 'TerminateHeld',
  heldAfter: 'HeldAfterSwitch',
  heldAfterError: 'HeldAfterSwitchError',
  rolledBackHeld: 'RolledBackHeld?',
  heldMidRoll: 'HeldMidRoll',
  // take over
  sourceDest: 'SourceDest',
  eip: 'Eip?',
  moveEip: 'MoveEip',
  switch: 'Switch',
  switchError: 'SwitchError',
  // retire the old instance
  retire: 'Retire?',
  oldIds: 'OldIds',
  terminate: 'Terminate',
  replaced: 'Replaced',
  terminateFailed: 'TerminateFailed',
  // roll back: the zone to its standby, then the new instance away
  rollback: 'Rollback',
  standby: 'Standby?',
  rollbackRoutes: 'RollbackRoutes',
  launched: 'Launched?',
  rollbackEipBack: 'RollbackEipBack?',
  rollbackMoveEipBack: 'RollbackMoveEipBack',
  terminateNew: 'TerminateNew',
  rolledBack: 'RolledBack',
  rollbackFailed: 'RollbackFailed',
  // no standby: back to the old instance when it still runs (ADR 0155)
  oldLeft: 'OldLeft?',
  oldNow: 'OldNow',
  oldRunning: 'OldRunning?',
  oldEni: 'OldEni',
  eipBack: 'EipBack?',
  moveEipBack: 'MoveEipBack',
  toOld: 'RollbackToOld',
  launchedOld: 'LaunchedOld?',
  terminateNewOld: 'TerminateNewOld',
  rolledBackOld: 'RolledBackToOld',
  noStandby: 'NoStandby',
} as const;

/** The new instance terminated; a failure to is kept at $.terminateError, not fatal. */
const terminateNew = (next: string): State => ({
  ...task('ec2', 'terminateInstances', { 'InstanceIds.$': 'States.Array($.new.id)' }, next),
  Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.terminateError', Next: next }],
});

/**
 * Primary egress: the zone's Elastic IP back on the old instance before the new one goes
 * (held meanwhile, or rolled back to the gateway). The roll moved it to the new instance for
 * the path check; left there it would go with the terminated instance, and a Fallback to the
 * old instance would find it without its public address. Best effort: without an old instance,
 * or if the call fails (kept at $.eipBackError), on to `next`. With floating egress the
 * handoff gives the address and its Elastic IP back itself.
 */
function eipToOld(choice: string, move: string, next: string): States {
  return {
    [choice]: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.eip', StringEquals: '', Next: next },
        hasFirst('$.old.r[0].Instances', move),
      ],
      Default: next,
    },
    [move]: {
      ...task(
        'ec2',
        'associateAddress',
        {
          'AllocationId.$': '$.eip',
          'InstanceId.$': '$.old.r[0].Instances[0].InstanceId',
          AllowReassociation: true,
        },
        next,
      ),
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.eipBackError', Next: next }],
    },
  };
}

/** A failure of the roll: $.error set as a task's Catch would, then Rollback. */
const fail = (error: string, cause: string): State =>
  pass({ Error: error, 'Cause.$': cause }, '$.error', ROLL.rollback);

/** The old instances (to retire later), the current AMI, one new instance and its ENI. */
function launch(env: Environment, refs: WorkflowRefs, next: string): States {
  const name = instanceName(env.name, '{}');
  const onError = ROLL.rollback;
  return {
    [ROLL.old]: task(
      'ec2',
      'describeInstances',
      { Filters: instanceFilters(env.name, ['pending', 'running', 'stopping', 'stopped']) },
      ROLL.ami,
      { ResultSelector: { 'r.$': '$.Reservations' }, ResultPath: '$.old', onError },
    ),
    [ROLL.ami]: task('ssm', 'getParameter', { Name: refs.amiParameter }, ROLL.launch, {
      ResultSelector: { 'id.$': '$.Parameter.Value' },
      ResultPath: '$.ami',
      onError,
    }),
    [ROLL.launch]: task(
      'ec2',
      'runInstances',
      {
        LaunchTemplate: {
          LaunchTemplateId: refs.launchTemplateId,
          Version: refs.launchTemplateVersion ?? '$Default',
        },
        'ImageId.$': '$.ami.id',
        'SubnetId.$': '$.publicSubnet',
        MinCount: 1,
        MaxCount: 1,
        // The same token on a retry: EC2 launches once.
        'ClientToken.$': "States.Hash(States.Format('{}/{}', $$.Execution.Id, $.zone), 'MD5')",
        TagSpecifications: [
          {
            ResourceType: 'instance',
            Tags: [
              { Key: TAG.environment, Value: env.name },
              { Key: TAG.role, Value: 'nat-instance' },
              { Key: TAG.zone, 'Value.$': '$.zone' },
              { Key: 'Name', 'Value.$': `States.Format('${name}', $.zone)` },
            ],
          },
        ],
      },
      ROLL.newEni,
      {
        ResultSelector: {
          'id.$': '$.Instances[0].InstanceId',
          'enis.$': '$.Instances[0].NetworkInterfaces',
        },
        ResultPath: '$.new',
        onError,
      },
    ),
    [ROLL.newEni]: pass(
      { 'eni.$': '$.new.enis[?(@.Attachment.DeviceIndex == 0)].NetworkInterfaceId' },
      '$.newEni',
      next,
    ),
  };
}

/** Polls the new instance until it is ready; one that stops or stays unready is a failure. */
function awaitReady(pollSeconds: number, maxPolls: number, next: string): States {
  return {
    ...pollStart(ROLL.poll, ROLL.status.status),
    ...instanceStatus(ROLL.status, '$.new.id', next, ROLL.dead, ROLL.rollback),
    [ROLL.dead]: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.status.s[0]', IsPresent: false, Next: ROLL.poll.count },
        {
          Or: ['stopping', 'stopped', 'shutting-down', 'terminated'].map((s) => ({
            Variable: '$.status.s[0].InstanceState.Name',
            StringEquals: s,
          })),
          Next: ROLL.notRunning,
        },
      ],
      Default: ROLL.poll.count,
    },
    [ROLL.notRunning]: fail(
      'InstanceNotRunning',
      "States.Format('new instance {} is {}', $.new.id, $.status.s[0].InstanceState.Name)",
    ),
    ...pollAgain(ROLL.poll, maxPolls, pollSeconds, ROLL.status.status, ROLL.tooSlow),
    [ROLL.tooSlow]: fail(
      'InstanceNotReady',
      `States.Format('new instance {} did not pass its status checks within ${pollSeconds * maxPolls} s', $.new.id)`,
    ),
  };
}

/** Source/dest check off, the zone's Elastic IP moved, the path proved (then on to `proved`,
 * which reads the hold again), the zone's routes on the new ENI. */
function takeOver(env: Environment, proved: string): States {
  const floating = env.instance.egress === 'floating';
  return {
    [ROLL.sourceDest]: task(
      'ec2',
      'modifyInstanceAttribute',
      { 'InstanceId.$': '$.new.id', SourceDestCheck: { Value: false } },
      ROLL.eip,
      { onError: ROLL.rollback },
    ),
    [ROLL.eip]: ifEip(ROLL.moveEip, PATH_CHECK.start),
    [ROLL.moveEip]: task(
      'ec2',
      'associateAddress',
      { 'AllocationId.$': '$.eip', 'InstanceId.$': '$.new.id', AllowReassociation: true },
      PATH_CHECK.start,
      { onError: ROLL.rollback },
    ),
    // The instance has its public address: its path is proved before the zone moves to it.
    ...pathCheck(env, '$.new.id', proved, ROLL.rollback),
    ...tablesStates(
      ROLL.switch,
      instanceAt('$.newEni.eni[0]', '$.new.id'),
      floating ? ROLL.retire : ROLL.heldAfter,
      ROLL.switchError,
    ),
    // A hold placed while the routes were written (after HeldNow read none) wins: the roll is
    // undone as a rollback does it, and the zone ends held (ADR 0177). With floating egress the
    // handoff goes on from the switch (handoff.ts), so these are not rendered.
    ...(floating
      ? {}
      : {
          // Unread after its retries: undone as any failure of the roll is.
          ...heldCheck(ROLL.heldAfter, ROLL.retire, ROLL.heldAfterError, ROLL.rollback),
          [ROLL.heldAfterError]: fail(
            'HeldDuringSwitch',
            "States.Format('held while its routes moved to {}', $.new.id)",
          ),
        }),
    [ROLL.switchError]: fail(
      'RouteChangeFailed',
      `States.Format('route changes to {} failed${NOT_FOUND}', $.new.id, ${NOT_FOUND_ARG})`,
    ),
  };
}

/** The old instances terminated; the zone is done either way (a failed terminate is said). */
function retireOld(): States {
  const onInstance = { 'instance.$': '$.new.id', 'target.$': '$.newEni.eni[0]', mode: 'instance' };
  return {
    [ROLL.retire]: {
      Type: 'Choice',
      Choices: [hasFirst('$.old.r', ROLL.oldIds)],
      Default: ROLL.replaced,
    },
    [ROLL.oldIds]: pass(
      { 'ids.$': '$.old.r[*].Instances[*].InstanceId' },
      '$.oldIds',
      ROLL.terminate,
    ),
    [ROLL.terminate]: task(
      'ec2',
      'terminateInstances',
      { 'InstanceIds.$': '$.oldIds.ids' },
      ROLL.replaced,
      { onError: ROLL.terminateFailed },
    ),
    [ROLL.replaced]: zoneEnd(
      'done',
      "States.Format('new NAT instance {} in service', $.new.id)",
      onInstance,
    ),
    [ROLL.terminateFailed]: zoneEnd(
      'done',
      "States.Format('new NAT instance {} in service; the old one could not be terminated: {}', $.new.id, $.error.Cause)",
      onInstance,
    ),
  };
}

/** From any failure ($.error set): the zone to its standby when that is available, else back
 * to its old instance when that still runs (ADR 0155), then the new instance (if one was
 * launched) terminated. The zone ends failed. */
function rollback(floating: boolean): States {
  return {
    [ROLL.rollback]: task(
      'ec2',
      'describeNatGateways',
      { 'NatGatewayIds.$': 'States.Array($.gateway)' },
      ROLL.standby,
      {
        ResultSelector: { 'gateways.$': '$.NatGateways' },
        ResultPath: '$.gw',
        onError: ROLL.oldLeft,
      },
    ),
    ...firstIs(
      ROLL.standby,
      '$.gw.gateways',
      { State: 'available' },
      ROLL.rollbackRoutes,
      ROLL.oldLeft,
    ),
    ...toOldInstance(),
    ...tablesStates(
      ROLL.rollbackRoutes,
      gatewayAt('$.gateway'),
      ROLL.launched,
      ROLL.rollbackFailed,
    ),
    [ROLL.launched]: {
      Type: 'Choice',
      Choices: [
        {
          Variable: '$.new.id',
          IsPresent: true,
          Next: floating ? ROLL.terminateNew : ROLL.rollbackEipBack,
        },
      ],
      Default: ROLL.rolledBack,
    },
    ...(floating
      ? {}
      : eipToOld(ROLL.rollbackEipBack, ROLL.rollbackMoveEipBack, ROLL.terminateNew)),
    [ROLL.terminateNew]: terminateNew(ROLL.rolledBackHeld),
    // Undone because a hold came during the switch (only primary egress reads it there): held.
    [ROLL.rolledBackHeld]: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.error.Error', StringEquals: 'HeldDuringSwitch', Next: ROLL.heldMidRoll },
      ],
      Default: ROLL.rolledBack,
    },
    [ROLL.rolledBack]: zoneEnd(
      'failed',
      "States.Format('{}: {}; the zone is on standby gateway {}', $.error.Error, $.error.Cause, $.gateway)",
      { mode: 'gateway', 'target.$': '$.gateway', 'error.$': '$.error.Error' },
    ),
    [ROLL.rollbackFailed]: zoneEnd(
      'failed',
      `States.Format('{}: {}; moving the zone back failed too${NOT_FOUND}, new instance left running', $.error.Error, $.error.Cause, ${NOT_FOUND_ARG})`,
      { 'error.$': '$.error.Error' },
    ),
    [ROLL.noStandby]: zoneEnd(
      'failed',
      "States.Format('{}: {}; standby gateway {} is not available and no old instance runs: routes and instances left as they are', $.error.Error, $.error.Cause, $.gateway)",
      { 'error.$': '$.error.Error' },
    ),
  };
}

/**
 * No standby to roll back to: the old instance is retired only after a zone succeeds, so while
 * it runs the zone goes back to it — its Elastic IP back on it first, then the zone's routes,
 * then the new instance terminated (no route is left on it). Neither: NoStandby.
 */
function toOldInstance(): States {
  const oldId = '$.oldNow.i[0].InstanceId';
  return {
    [ROLL.oldLeft]: {
      Type: 'Choice',
      Choices: [hasFirst('$.old.r', ROLL.oldNow)],
      Default: ROLL.noStandby,
    },
    [ROLL.oldNow]: task(
      'ec2',
      'describeInstances',
      { 'InstanceIds.$': '$.old.r[0].Instances[*].InstanceId' },
      ROLL.oldRunning,
      {
        ResultSelector: { 'i.$': '$.Reservations[*].Instances[*]' },
        ResultPath: '$.oldNow',
        onError: ROLL.noStandby,
      },
    ),
    ...firstIs(
      ROLL.oldRunning,
      '$.oldNow.i',
      { 'State.Name': 'running' },
      ROLL.oldEni,
      ROLL.noStandby,
    ),
    [ROLL.oldEni]: pass(
      {
        'eni.$':
          '$.oldNow.i[0].NetworkInterfaces[?(@.Attachment.DeviceIndex == 0)].NetworkInterfaceId',
      },
      '$.oldEni',
      ROLL.eipBack,
    ),
    [ROLL.eipBack]: {
      Type: 'Choice',
      Choices: [{ Variable: '$.eip', StringEquals: '', Next: ROLL.toOld }],
      Default: ROLL.moveEipBack,
    },
    [ROLL.moveEipBack]: task(
      'ec2',
      'associateAddress',
      { 'AllocationId.$': '$.eip', 'InstanceId.$': oldId, AllowReassociation: true },
      ROLL.toOld,
      { onError: ROLL.noStandby },
    ),
    ...tablesStates(
      ROLL.toOld,
      instanceAt('$.oldEni.eni[0]', oldId),
      ROLL.launchedOld,
      ROLL.rollbackFailed,
    ),
    [ROLL.launchedOld]: {
      Type: 'Choice',
      Choices: [{ Variable: '$.new.id', IsPresent: true, Next: ROLL.terminateNewOld }],
      Default: ROLL.rolledBackOld,
    },
    [ROLL.terminateNewOld]: {
      ...task(
        'ec2',
        'terminateInstances',
        { 'InstanceIds.$': 'States.Array($.new.id)' },
        ROLL.rolledBackOld,
      ),
      Catch: [
        { ErrorEquals: ['States.ALL'], ResultPath: '$.terminateError', Next: ROLL.rolledBackOld },
      ],
    },
    [ROLL.rolledBackOld]: zoneEnd(
      'failed',
      `States.Format('{}: {}; standby gateway {} is not available: the zone is back on its old instance {}', $.error.Error, $.error.Cause, $.gateway, ${oldId})`,
      {
        mode: 'instance',
        'target.$': '$.oldEni.eni[0]',
        'instance.$': oldId,
        'error.$': '$.error.Error',
      },
    ),
  };
}

/** One zone: launch → await ready → take over → retire the old; any failure → rollback. */
export function rollZone(
  env: Environment,
  refs: WorkflowRefs,
  pollSeconds: number,
  maxPolls: number,
): Processor {
  const floating = env.instance.egress === 'floating';
  return {
    StartAt: 'Held',
    // instance.egress floating: the connection handoff between take-over's steps (handoff.ts).
    States: withHandoff(
      env,
      {
        ...heldCheck('Held', ROLL.old, 'HeldZone'),
        HeldZone: heldEnd('not replaced'),
        ...launch(env, refs, ROLL.poll.start),
        ...awaitReady(pollSeconds, maxPolls, floating ? ROLL.heldNow : ROLL.sourceDest),
        // Held while the new instance came up or was checked: it does not take the zone. Read
        // as late as can be: right before the switch (with the handoff: before its copy).
        ...(floating
          ? heldCheck(ROLL.heldNow, ROLL.sourceDest, ROLL.terminateHeld)
          : {
              ...heldCheck(ROLL.heldNow, ROLL.switch, ROLL.heldEipBack),
              ...eipToOld(ROLL.heldEipBack, ROLL.heldMoveEipBack, ROLL.terminateHeld),
            }),
        [ROLL.terminateHeld]: terminateNew(ROLL.heldMidRoll),
        [ROLL.heldMidRoll]: heldEnd('held during the roll, its new instance terminated'),
        ...takeOver(env, ROLL.heldNow),
        ...retireOld(),
        ...rollback(floating),
      },
      ROLL,
    ),
  };
}

export function replaceDefinition(
  env: Environment,
  refs: WorkflowRefs,
  options: WorkflowOptions = {},
): Definition {
  const timeout = replaceTimeout(options);
  const poll = options.instancePollSeconds ?? 15;
  // Status polling ends well before the sanity timeout, so a slow zone is rolled back, not cut off.
  const maxPolls = Math.max(1, Math.floor((timeout * 0.6) / poll));
  return {
    Comment: `natfleet ${env.name}: ReplaceInstances — roll the NAT instances zone by zone`,
    ...locked('ReplaceInstances', env.name, {
      StartAt: 'Fleet',
      States: {
        ...prologue('ReplaceInstances', zoneTable(env, refs), 'RollInit'),
        RollInit: pass(
          { i: 0, 'n.$': 'States.ArrayLength($.chosen.zones)', done: {} },
          '$.roll',
          'More?',
        ),
        'More?': {
          Type: 'Choice',
          Choices: [{ Variable: '$.roll.i', NumericLessThanPath: '$.roll.n', Next: 'Pick' }],
          Default: 'Rolled',
        },
        Pick: pass(
          { 'z.$': 'States.Array(States.ArrayGetItem($.chosen.zones, $.roll.i))' },
          '$.cur',
          'RollZone',
        ),
        RollZone: {
          Type: 'Map',
          ItemsPath: '$.cur.z',
          MaxConcurrency: 1,
          ItemProcessor: rollZone(env, refs, poll, maxPolls),
          ResultPath: '$.last',
          Next: 'Record',
        },
        // done[zone] = result (a keyed object: ASL has no array append).
        Record: pass(
          {
            'i.$': 'States.MathAdd($.roll.i, 1)',
            'n.$': '$.roll.n',
            'done.$':
              'States.JsonMerge($.roll.done, States.StringToJson(States.Format(\'\\{"{}":{}\\}\', $.last[0].zone, States.JsonToString($.last[0]))), false)',
          },
          '$.roll',
          'ZoneOk?',
        ),
        'ZoneOk?': {
          Type: 'Choice',
          Choices: [{ Variable: '$.last[0].ok', BooleanEquals: false, Next: 'Stopped' }],
          Default: 'More?',
        },
        Stopped: pass(
          {
            'cause.$': causeWithZones(
              'ReplaceInstances stopped at {}: {}. Zones not reached are untouched',
              ['$.last[0].zone', '$.last[0].why'],
              '$.roll.done',
            ),
          },
          '$.report',
          'ZoneFailed',
        ),
        ZoneFailed: { Type: 'Fail', Error: 'ZoneFailed', CausePath: '$.report.cause' },
        Rolled: {
          Type: 'Pass',
          Parameters: {
            workflow: 'ReplaceInstances',
            'reason.$': '$.reason',
            'zones.$': '$.roll.done.*',
          },
          End: true,
        },
      },
    }),
  };
}
