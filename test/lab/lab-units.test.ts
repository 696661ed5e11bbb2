// The lab's pure parts: its options, its prerequisites, and how it reads the deployed
// definitions back from a template (as CloudFormation would fill them).
import { describe, expect, it } from '@jest/globals';
import { LabUsageError, parseLabArgs } from '../../lab/command.js';
import {
  aptPackages,
  labWaits,
  missedTargets,
  missingPrerequisites,
  table,
  type MaintenanceRow,
  type Row,
} from '../../lab/lab.js';
import type { ZoneTraffic } from '../../lab/traffic.js';
import { bootAwareEc2 } from '../../lab/image-builder.js';
import type { BootState } from '../../lab/reconciler.js';
import { machinesOf } from '../../lab/deployed.js';

describe('natfleet lab options', () => {
  it('defaults to every scenario, two zones, both profiles, one run', () => {
    expect(parseLabArgs({})).toEqual({
      zones: 2,
      faults: ['vanish', 'uplink', 'flush'],
      deadUrl: true,
      fallback: true,
      maintenance: true,
      maintenanceFailedBuild: true,
      maintenanceHold: true,
      egress: ['primary'],
      datapath: 3,
      profiles: ['fast', 'defaults'],
      runs: 1,
      keep: false,
      json: false,
    });
    expect(
      parseLabArgs({ zones: '3', scenario: 'outage:uplink', profile: 'defaults', runs: '4' }),
    ).toMatchObject({
      zones: 3,
      faults: ['uplink'],
      deadUrl: false,
      maintenance: false,
      datapath: 0,
      profiles: ['defaults'],
      runs: 4,
    });
    expect(parseLabArgs({ scenario: 'maintenance, datapath', zones: '1' })).toMatchObject({
      zones: 1,
      faults: [],
      deadUrl: false,
      fallback: false,
      maintenance: true,
      maintenanceFailedBuild: false,
      datapath: 3,
    });
  });

  it('names the option and what it expected', () => {
    const cases: [Parameters<typeof parseLabArgs>[0], string][] = [
      [{ zones: '4' }, 'lab: --zones: expected 1, 2 or 3, got "4"'],
      [{ zones: 'x' }, 'lab: --zones: expected 1, 2 or 3, got "x"'],
      [
        { scenario: 'outage:meteor' },
        'lab: --scenario: outage:meteor unknown; expected some of outage:vanish, outage:uplink, outage:flush, dead-url, fallback, maintenance, maintenance:failed-build, maintenance:hold, datapath',
      ],
      [
        { scenario: ',' },
        'lab: --scenario: (none) unknown; expected some of outage:vanish, outage:uplink, outage:flush, dead-url, fallback, maintenance, maintenance:failed-build, maintenance:hold, datapath',
      ],
      [{ profile: 'slow' }, 'lab: --profile: slow unknown; expected fast, defaults or both'],
      [{ runs: '0' }, 'lab: --runs: expected 1 to 20, got "0"'],
      [{ egress: 'elastic' }, 'lab: --egress: expected primary, floating or both, got "elastic"'],
    ];
    for (const [args, message] of cases) {
      expect(() => parseLabArgs(args)).toThrow(LabUsageError);
      expect(() => parseLabArgs(args)).toThrow(message);
    }
  });

  it('lists each missing prerequisite with how to get it', () => {
    expect(missingPrerequisites(() => true, true)).toEqual([]);
    const missing = missingPrerequisites((t) => !['iperf3', 'moto_server'].includes(t), false);
    expect(missing).toEqual([
      { tool: 'root', how: 'run it with sudo' },
      { tool: 'iperf3', how: 'apt-get install iperf3' },
      { tool: 'moto_server', how: 'python3 -m pip install "moto[server]==5.2.1"' },
    ]);
    // Every tool the lab needs is named with its package.
    const all = missingPrerequisites(() => false, true);
    expect(all.map((m) => m.tool)).toEqual(
      expect.arrayContaining(['ip', 'nft', 'iptables', 'iperf3', 'curl', 'jq', 'moto_server']),
    );
    // --install: each Debian package once, nothing for what pip provides or root.
    expect(aptPackages(missing)).toEqual(['iperf3']);
    expect(aptPackages(all).sort()).toEqual([
      'curl',
      'iperf3',
      'iproute2',
      'iptables',
      'jq',
      'nftables',
    ]);
    for (const m of all) expect(m.how).toMatch(/^(apt-get install|python3 -m pip install) \S+/);
  });

  it('prints p50/p95 per fault and profile, and the other scenarios', () => {
    const outage = (fault: 'flush' | 'uplink', d: number, f: number, phaseMs = 30_000): Row => ({
      scenario: 'outage',
      fault,
      profile: 'fast',
      zone: 'a',
      phaseMs,
      detectionMs: d,
      flowingMs: f,
      failedInZone: 3,
      failedElsewhere: 0,
      action: 'started',
      execution: 'x',
    });
    const t = table([
      outage('flush', 100, 200),
      outage('flush', 300, 400, 59_000),
      outage('uplink', 50, 60, 1_000),
      { scenario: 'dead-url', zone: 'b', rounds: 7, failovers: 0 },
    ]);
    expect(t.slice(2)).toEqual([
      '| zone outage: flush | fast | 2 | 100 / 300 | 200 / 400 | 3, 3 | 0 |',
      '| zone outage: uplink | fast | 1 | 50 / 50 | 60 / 60 | 3 | 0 |',
      '| zone outage at 0–4 s (hand-over) | fast | 1 | 50 / 50 | 60 / 60 | 3 | 0 |',
      '| zone outage at 4–55 s (mid-minute) | fast | 1 | 100 / 100 | 200 / 200 | 3 | 0 |',
      '| zone outage at 55–60 s (last 5 s) | fast | 1 | 300 / 300 | 400 / 400 | 3 | 0 |',
      '',
      '| scenario | runs | measured | target |',
      '| --- | --- | --- | --- |',
      '| one checker URL dead (zone b) | 7 rounds | failovers: 0 | 0 failovers |',
    ]);
  });

  const zone = (name: string, newFailed: number, reset: number): ZoneTraffic => ({
    zone: name,
    newTotal: 120,
    newFailed,
    established: 3,
    reset,
    paused: 0,
    maxPauseMs: 150,
    errors: [],
  });
  const maintenance = (over: Partial<MaintenanceRow> = {}): MaintenanceRow => ({
    scenario: 'maintenance',
    egress: 'primary',
    held: [],
    broken: [],
    routes: { a: 'nat', b: 'nat' },
    instances: { a: 'i-a2', b: 'i-b2' },
    at: 0,
    failBuild: false,
    zones: ['a', 'b'],
    build: 'AVAILABLE',
    buildMs: 9_000,
    exitCode: 0,
    execution: 'x',
    durationMs: 21_500,
    replaced: ['a', 'b'],
    traffic: [zone('a', 0, 3), zone('b', 0, 2)],
    ...over,
  });

  it('prints maintenance per zone: new connections failed, established ones reset', () => {
    const [line] = table([maintenance()]).filter((l) => l.includes('maintenance'));
    expect(line).toBe(
      '| maintenance, primary egress: image build → rolling replacement → fallback (zones a, b) | 1 | build AVAILABLE in 9.0 s; duration 21.5 s; exit 0; zones replaced 2 of 2; new connections failed: a 0/120, b 0/120; established connections reset: a 3/3, b 2/3; longest pause of an established connection: a 150 ms, b 150 ms | 0 new connections failed |',
    );
  });

  it('prints runs of one egress mode as one line (counts summed, times median), modes apart', () => {
    const runs = [
      maintenance({
        egress: 'floating',
        durationMs: 30_000,
        traffic: [zone('a', 0, 0), zone('b', 0, 0)],
      }),
      maintenance({
        egress: 'floating',
        durationMs: 20_000,
        traffic: [zone('a', 1, 0), zone('b', 0, 0)],
      }),
      maintenance({
        egress: 'floating',
        durationMs: 25_000,
        traffic: [zone('a', 0, 0), zone('b', 0, 1)],
      }),
      maintenance(),
    ];
    const lines = table(runs).filter((l) => l.includes('maintenance'));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('| maintenance, floating egress: ');
    expect(lines[0]).toContain('| 3 (counts summed, times median) |');
    expect(lines[0]).toContain('duration 25.0 s; exit 0, 0, 0; zones replaced 2, 2, 2 of 2');
    expect(lines[0]).toContain('new connections failed: a 1/360, b 0/360');
    expect(lines[0]).toContain('established connections reset: a 0/9, b 1/9');
    expect(lines[0]).toContain('| 0 new connections failed, 0 established reset |');
    expect(lines[1]).toContain('| maintenance, primary egress: ');
    expect(missedTargets(runs)).toEqual([
      'maintenance: 1 new connection(s) failed',
      'maintenance (floating egress): 1 established connection(s) reset',
    ]);
  });

  it('a held zone must end on its gateway, not replaced; the others replaced', () => {
    const held = maintenance({ held: ['a'], replaced: ['b'], routes: { a: 'gateway', b: 'nat' } });
    expect(missedTargets([held])).toEqual([]);
    const [line] = table([held]).filter((l) => l.includes('maintenance'));
    expect(line).toContain('zone a held by an operator');
    expect(line).toContain('routes at the end: a gateway, b nat');
    expect(line).toContain('| held zone on its gateway to the end, the others replaced |');
    expect(missedTargets([{ ...held, routes: { a: 'nat', b: 'nat' } }])).toEqual([
      'maintenance: held zone(s) a left the gateway',
    ]);
    expect(missedTargets([{ ...held, replaced: [] }])).toEqual([
      'maintenance: exit 0, 0 of 1 zone(s) replaced',
    ]);
  });

  it('misses a target for a lost new connection, a changed fleet after a failed build, a false failover', () => {
    expect(missedTargets([maintenance()])).toEqual([]);
    expect(missedTargets([maintenance({ traffic: [zone('a', 2, 0), zone('b', 1, 0)] })])).toEqual([
      'maintenance: 3 new connection(s) failed',
    ]);
    expect(missedTargets([maintenance({ exitCode: 1, replaced: ['a'] })])).toEqual([
      'maintenance: exit 1, 1 of 2 zone(s) replaced',
    ]);
    const failed = maintenance({ failBuild: true, build: 'FAILED', exitCode: 1, replaced: [] });
    expect(missedTargets([failed])).toEqual([]);
    expect(missedTargets([{ ...failed, replaced: ['b'] }])).toEqual([
      'maintenance with a failed build: the fleet changed or the run succeeded',
    ]);
    expect(missedTargets([{ scenario: 'dead-url', zone: 'b', rounds: 5, failovers: 1 }])).toEqual([
      'dead URL: 1 false failover(s)',
    ]);
    const fallback: Row = {
      scenario: 'fallback',
      zone: 'a',
      fault: 'flush',
      backMs: 900,
      traffic: zone('a', 1, 3),
    };
    expect(missedTargets([fallback])).toEqual(['fallback: 1 new connection(s) failed']);
  });

  it('polls real boots and builds at the lab clock, every other Wait at the fast one', () => {
    expect(labWaits('natfleet-lab-ReplaceInstances', 'Pause')).toBe(1_000);
    expect(labWaits('natfleet-lab-Maintenance', 'PollWait')).toBe(3_000);
    expect(labWaits('natfleet-lab-Maintenance', 'Pause')).toBeUndefined();
    expect(labWaits('natfleet-lab-Fallback', 'PollWait')).toBeUndefined();
    // The path check's polls wait on test-nat running in the instance, in both workflows.
    expect(labWaits('natfleet-lab-Fallback', 'PathCheckedPause')).toBe(1_000);
    expect(labWaits('natfleet-lab-ReplaceInstances', 'PathCheckedPause')).toBe(1_000);
  });
});

describe('status checks while the lab boots an instance', () => {
  class DescribeInstanceStatusCommand {}
  class DescribeInstancesCommand {}
  const status = (id: string, state = 'running') => ({
    InstanceId: id,
    InstanceState: { Name: state },
    InstanceStatus: { Status: 'ok' },
    SystemStatus: { Status: 'ok' },
  });
  const moto = {
    send: async (c: unknown) =>
      c instanceof DescribeInstanceStatusCommand
        ? {
            InstanceStatuses: [
              status('i-up'),
              status('i-boot'),
              status('i-bad'),
              status('i-new'),
              status('i-off', 'stopped'),
            ],
          }
        : { Reservations: [] },
  };
  const states: Record<string, BootState> = {
    'i-up': 'booted',
    'i-boot': 'booting',
    'i-bad': 'failed',
  };
  const ec2 = bootAwareEc2(moto, (id) => states[id]);

  it('says initializing until the namespace booted, impaired when its boot failed', async () => {
    const out = (await ec2.send(new DescribeInstanceStatusCommand())) as {
      InstanceStatuses: ReturnType<typeof status>[];
    };
    const by = Object.fromEntries(
      out.InstanceStatuses.map((s) => [
        s.InstanceId,
        `${s.InstanceStatus.Status}/${s.SystemStatus.Status}`,
      ]),
    );
    expect(by).toEqual({
      'i-up': 'ok/ok',
      'i-boot': 'initializing/initializing',
      'i-bad': 'impaired/ok',
      'i-new': 'initializing/initializing',
      'i-off': 'ok/ok',
    });
    expect(await ec2.send(new DescribeInstancesCommand())).toEqual({ Reservations: [] });
  });
});

describe('the deployed definitions, read back', () => {
  const template = {
    Resources: {
      AStateMachine: {
        Type: 'AWS::StepFunctions::StateMachine',
        Properties: {
          StateMachineName: 'natfleet-x-A',
          Definition: {
            StartAt: 'S',
            States: {
              S: {
                Type: 'Pass',
                Result: { g: '${Gw}', b: '${B}', p: '${P}', q: '${Q}' },
                End: true,
              },
            },
          },
          DefinitionSubstitutions: {
            Gw: { Ref: 'GatewayParam' },
            B: { Ref: 'BStateMachine' },
            P: {
              'Fn::Sub':
                'arn:${AWS::Partition}:imagebuilder:${AWS::Region}:${AWS::AccountId}:image-pipeline/p',
            },
            Q: { 'Fn::GetAtt': ['BStateMachine', 'Arn'] },
          },
        },
      },
      BStateMachine: {
        Type: 'AWS::StepFunctions::StateMachine',
        Properties: {
          StateMachineName: 'natfleet-x-B',
          DefinitionString: '{"StartAt":"T","States":{"T":{"Type":"Succeed"}}}',
        },
      },
      Role: { Type: 'AWS::IAM::Role' },
    },
  };

  it('fills Ref, Fn::Sub and Fn::GetAtt as CloudFormation does', () => {
    const [a, b] = machinesOf(
      template,
      { GatewayParam: 'nat-0123456789abcdef0' },
      'eu-west-2',
      '210987654321',
    );
    expect(a!.arn).toBe('arn:aws:states:eu-west-2:210987654321:stateMachine:natfleet-x-A');
    expect(a!.definition.States.S!.Result).toEqual({
      g: 'nat-0123456789abcdef0',
      b: 'arn:aws:states:eu-west-2:210987654321:stateMachine:natfleet-x-B',
      p: 'arn:aws:imagebuilder:eu-west-2:210987654321:image-pipeline/p',
      q: 'arn:aws:states:eu-west-2:210987654321:stateMachine:natfleet-x-B',
    });
    expect(b!.definition).toEqual({ StartAt: 'T', States: { T: { Type: 'Succeed' } } });
  });

  it('says which substitution it cannot resolve', () => {
    expect(() => machinesOf(template, {}, 'eu-west-1', '123456789012')).toThrow(
      'AStateMachine.DefinitionSubstitutions.Gw: Ref GatewayParam names nothing the lab can resolve',
    );
  });
});
