// ReplaceInstances: a singleton that rolls zone by zone — launch from the launch template with
// the current AMI, wait for running + status ok (bounded), source/dest check off, move the EIP,
// switch the zone's routes to the new instance in one step, terminate the old one. A zone that
// fails goes to its standby gateway, its new instance is terminated and the roll stops there.
import type { Environment } from '../config/schema.js';
import { instanceName, TAG } from '../names.js';
import type { Definition, State, States } from './asl.js';
import { hasFirst, pass, task } from './asl.js';
import {
  firstIs,
  gatewayAt,
  instanceAt,
  instanceFilters,
  prologue,
  tablesStates,
  zoneEnd,
  zoneTable,
  type WorkflowOptions,
  type WorkflowRefs,
} from './common.js';
import { singleton } from './singleton.js';
import { causeWithZones } from './report.js';

const fail = (error: string, cause: string): State =>
  pass({ Error: error, 'Cause.$': cause }, '$.error', 'Rollback');

function rollZone(
  env: Environment,
  refs: WorkflowRefs,
  pollSeconds: number,
  maxPolls: number,
): States {
  const name = instanceName(env.name, '{}');
  return {
    Old: task(
      'ec2',
      'describeInstances',
      { Filters: instanceFilters(env.name, ['pending', 'running', 'stopping', 'stopped']) },
      'Ami',
      { ResultSelector: { 'r.$': '$.Reservations' }, ResultPath: '$.old', onError: 'Rollback' },
    ),
    Ami: task('ssm', 'getParameter', { Name: refs.amiParameter }, 'Launch', {
      ResultSelector: { 'id.$': '$.Parameter.Value' },
      ResultPath: '$.ami',
      onError: 'Rollback',
    }),
    Launch: task(
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
      'NewEni',
      {
        ResultSelector: {
          'id.$': '$.Instances[0].InstanceId',
          'enis.$': '$.Instances[0].NetworkInterfaces',
        },
        ResultPath: '$.new',
        onError: 'Rollback',
      },
    ),
    NewEni: pass(
      { 'eni.$': '$.new.enis[?(@.Attachment.DeviceIndex == 0)].NetworkInterfaceId' },
      '$.newEni',
      'WaitInit',
    ),
    WaitInit: { Type: 'Pass', Result: { polls: 0 }, ResultPath: '$.wait', Next: 'Status' },
    Status: task(
      'ec2',
      'describeInstanceStatus',
      { 'InstanceIds.$': 'States.Array($.new.id)', IncludeAllInstances: true },
      'Ready?',
      {
        ResultSelector: { 's.$': '$.InstanceStatuses' },
        ResultPath: '$.status',
        onError: 'Rollback',
      },
    ),
    ...firstIs(
      'Ready?',
      '$.status.s',
      {
        'InstanceState.Name': 'running',
        'InstanceStatus.Status': 'ok',
        'SystemStatus.Status': 'ok',
      },
      'SourceDest',
      'Dead?',
    ),
    'Dead?': {
      Type: 'Choice',
      Choices: [
        { Variable: '$.status.s[0]', IsPresent: false, Next: 'Count' },
        {
          Or: ['stopping', 'stopped', 'shutting-down', 'terminated'].map((s) => ({
            Variable: '$.status.s[0].InstanceState.Name',
            StringEquals: s,
          })),
          Next: 'NotRunning',
        },
      ],
      Default: 'Count',
    },
    NotRunning: fail(
      'InstanceNotRunning',
      "States.Format('new instance {} is {}', $.new.id, $.status.s[0].InstanceState.Name)",
    ),
    Count: pass({ 'polls.$': 'States.MathAdd($.wait.polls, 1)' }, '$.wait', 'Patience?'),
    'Patience?': {
      Type: 'Choice',
      Choices: [{ Variable: '$.wait.polls', NumericGreaterThanEquals: maxPolls, Next: 'TooSlow' }],
      Default: 'Pause',
    },
    Pause: { Type: 'Wait', Seconds: pollSeconds, Next: 'Status' },
    TooSlow: fail(
      'InstanceNotReady',
      `States.Format('new instance {} did not pass its status checks within ${pollSeconds * maxPolls} s', $.new.id)`,
    ),
    SourceDest: task(
      'ec2',
      'modifyInstanceAttribute',
      { 'InstanceId.$': '$.new.id', SourceDestCheck: { Value: false } },
      'Eip?',
      { onError: 'Rollback' },
    ),
    'Eip?': {
      Type: 'Choice',
      Choices: [{ Variable: '$.eip', StringEquals: '', Next: 'Switch' }],
      Default: 'MoveEip',
    },
    MoveEip: task(
      'ec2',
      'associateAddress',
      { 'AllocationId.$': '$.eip', 'InstanceId.$': '$.new.id', AllowReassociation: true },
      'Switch',
      { onError: 'Rollback' },
    ),
    ...tablesStates('Switch', instanceAt('$.newEni.eni[0]', '$.new.id'), 'Retire?', 'SwitchError'),
    SwitchError: fail(
      'RouteChangeFailed',
      "States.Format('route changes to {} failed: {}', $.new.id, States.JsonToString($.routes.tables))",
    ),
    'Retire?': { Type: 'Choice', Choices: [hasFirst('$.old.r', 'OldIds')], Default: 'Replaced' },
    OldIds: pass({ 'ids.$': '$.old.r[*].Instances[*].InstanceId' }, '$.oldIds', 'Terminate'),
    Terminate: task('ec2', 'terminateInstances', { 'InstanceIds.$': '$.oldIds.ids' }, 'Replaced', {
      onError: 'TerminateFailed',
    }),
    Replaced: zoneEnd('done', "States.Format('new NAT instance {} in service', $.new.id)", {
      'instance.$': '$.new.id',
      'target.$': '$.newEni.eni[0]',
      mode: 'instance',
    }),
    TerminateFailed: zoneEnd(
      'done',
      "States.Format('new NAT instance {} in service; the old one could not be terminated: {}', $.new.id, $.error.Cause)",
      { 'instance.$': '$.new.id', 'target.$': '$.newEni.eni[0]', mode: 'instance' },
    ),
    // Rollback: the zone to its standby, then the new instance away.
    Rollback: task(
      'ec2',
      'describeNatGateways',
      { 'NatGatewayIds.$': 'States.Array($.gateway)' },
      'Standby?',
      {
        ResultSelector: { 'gateways.$': '$.NatGateways' },
        ResultPath: '$.gw',
        onError: 'NoStandby',
      },
    ),
    ...firstIs('Standby?', '$.gw.gateways', { State: 'available' }, 'RollbackRoutes', 'NoStandby'),
    ...tablesStates('RollbackRoutes', gatewayAt('$.gateway'), 'Launched?', 'RollbackFailed'),
    'Launched?': {
      Type: 'Choice',
      Choices: [{ Variable: '$.new.id', IsPresent: true, Next: 'TerminateNew' }],
      Default: 'RolledBack',
    },
    TerminateNew: {
      ...task(
        'ec2',
        'terminateInstances',
        { 'InstanceIds.$': 'States.Array($.new.id)' },
        'RolledBack',
      ),
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.terminateError', Next: 'RolledBack' }],
    },
    RolledBack: zoneEnd(
      'failed',
      "States.Format('{}: {}; the zone is on standby gateway {}', $.error.Error, $.error.Cause, $.gateway)",
      { mode: 'gateway', 'target.$': '$.gateway', 'error.$': '$.error.Error' },
    ),
    RollbackFailed: zoneEnd(
      'failed',
      "States.Format('{}: {}; moving the zone to its standby failed too, new instance left running', $.error.Error, $.error.Cause)",
      { 'error.$': '$.error.Error' },
    ),
    NoStandby: zoneEnd(
      'failed',
      "States.Format('{}: {}; standby gateway {} is not available, routes and instances left as they are', $.error.Error, $.error.Cause, $.gateway)",
      { 'error.$': '$.error.Error' },
    ),
  };
}

export function replaceDefinition(
  env: Environment,
  refs: WorkflowRefs,
  options: WorkflowOptions = {},
): Definition {
  const timeout = options.replaceTimeoutSeconds ?? 900;
  const poll = options.instancePollSeconds ?? 15;
  // Status polling ends well before the sanity timeout, so a slow zone is rolled back, not cut off.
  const maxPolls = Math.max(1, Math.floor((timeout * 0.6) / poll));
  return {
    Comment: `natfleet ${env.name}: ReplaceInstances — roll the NAT instances zone by zone`,
    StartAt: 'Singleton',
    TimeoutSeconds: timeout,
    States: {
      ...singleton('ReplaceInstances', 'Fleet'),
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
        ItemProcessor: { StartAt: 'Old', States: rollZone(env, refs, poll, maxPolls) },
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
  };
}
