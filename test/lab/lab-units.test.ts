// The lab's pure parts: its options, its prerequisites, and how it reads the deployed
// definitions back from a template (as CloudFormation would fill them).
import { describe, expect, it } from '@jest/globals';
import { LabUsageError, parseLabArgs } from '../../lab/command.js';
import { missingPrerequisites, table, type Row } from '../../lab/lab.js';
import { machinesOf } from '../../lab/deployed.js';

describe('natfleet lab options', () => {
  it('defaults to every scenario, two zones, both profiles, one run', () => {
    expect(parseLabArgs({})).toEqual({
      zones: 2,
      faults: ['vanish', 'uplink', 'flush'],
      deadUrl: true,
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
      profiles: ['defaults'],
      runs: 4,
    });
  });

  it('names the option and what it expected', () => {
    const cases: [Parameters<typeof parseLabArgs>[0], string][] = [
      [{ zones: '4' }, 'lab: --zones: expected 1, 2 or 3, got "4"'],
      [{ zones: 'x' }, 'lab: --zones: expected 1, 2 or 3, got "x"'],
      [
        { scenario: 'outage:meteor' },
        'lab: --scenario: outage:meteor unknown; expected some of outage:vanish, outage:uplink, outage:flush, dead-url',
      ],
      [
        { scenario: ',' },
        'lab: --scenario: (none) unknown; expected some of outage:vanish, outage:uplink, outage:flush, dead-url',
      ],
      [{ profile: 'slow' }, 'lab: --profile: slow unknown; expected fast, defaults or both'],
      [{ runs: '0' }, 'lab: --runs: expected 1 to 20, got "0"'],
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
      { tool: 'moto_server', how: "pip install 'moto[server]'" },
    ]);
  });

  it('prints p50/p95 per fault and profile, and the other scenarios', () => {
    const outage = (fault: 'flush' | 'uplink', d: number, f: number): Row => ({
      scenario: 'outage',
      fault,
      profile: 'fast',
      zone: 'a',
      detectionMs: d,
      flowingMs: f,
      failedInZone: 3,
      failedElsewhere: 0,
      action: 'started',
      execution: 'x',
    });
    const t = table([
      outage('flush', 100, 200),
      outage('flush', 300, 400),
      outage('uplink', 50, 60),
      { scenario: 'dead-url', zone: 'b', rounds: 7, failovers: 0 },
    ]);
    expect(t.slice(2)).toEqual([
      '| zone outage: flush | fast | 2 | 100 / 300 | 200 / 400 | 3, 3 | 0 |',
      '| zone outage: uplink | fast | 1 | 50 / 50 | 60 / 60 | 3 | 0 |',
      '| one checker URL dead (zone b) | | 7 rounds | failovers: 0 | | | |',
    ]);
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
