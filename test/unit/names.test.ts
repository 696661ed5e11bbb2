import { describe, expect, it } from '@jest/globals';
import * as names from '../../lib/names.js';

// The longest environment name the schema allows and a long zone name.
const ENV = 'abcdefghijklmnop';
const AZ = 'ap-southeast-2a';

describe('names', () => {
  it('derives every name from the environment and zone', () => {
    expect(names.stackName('prod', 'fleet')).toBe('natfleet-prod-fleet');
    expect(names.stateMachineName('prod', 'Failover')).toBe('natfleet-prod-Failover');
    expect(names.stateMachineLogGroup('prod', 'Maintenance')).toBe(
      '/natfleet/prod/states/Maintenance',
    );
    expect(names.checkerFunctionName('prod', 'eu-west-1a')).toBe(
      'natfleet-prod-checker-eu-west-1a',
    );
    expect(names.checkerLogGroup('prod', 'eu-west-1a')).toBe(
      '/aws/lambda/natfleet-prod-checker-eu-west-1a',
    );
    expect(names.amiParameter('prod')).toBe('/natfleet/prod/ami');
    expect(names.stateBranch('prod')).toBe('natfleet/state/prod');
    expect(names.stateFile('prod')).toBe('state/prod.json');
  });

  it('stays within AWS length limits for the longest names allowed', () => {
    expect(names.checkerFunctionName(ENV, AZ).length).toBeLessThanOrEqual(64); // Lambda
    for (const wf of names.WORKFLOWS)
      expect(names.stateMachineName(ENV, wf).length).toBeLessThanOrEqual(80);
    for (const s of names.STACKS) expect(names.stackName(ENV, s).length).toBeLessThanOrEqual(128);
    const bucket = names.artifactsBucket(ENV, '123456789012', 'ap-southeast-2');
    expect(bucket.length).toBeLessThanOrEqual(63);
    expect(bucket).toMatch(/^[a-z0-9][a-z0-9-]*[a-z0-9]$/);
  });

  it('tags every resource with environment and role, and zonal ones with their zone', () => {
    expect(names.tags('prod', 'checker', 'eu-west-1a', 'n')).toEqual([
      { Key: 'natfleet:environment', Value: 'prod' },
      { Key: 'natfleet:role', Value: 'checker' },
      { Key: 'natfleet:zone', Value: 'eu-west-1a' },
      { Key: 'Name', Value: 'n' },
    ]);
    expect(names.tags('prod', 'artifacts').map((t) => t.Key)).toEqual([
      'natfleet:environment',
      'natfleet:role',
    ]);
  });

  it('writes every time in a name one way, and every state machine ARN one way', () => {
    const at = new Date('2026-11-23T08:40:05.678Z');
    expect(names.compactTime(at)).toBe('20261123T084005Z');
    expect(names.failoverExecutionName('eu-west-1a', at)).toBe(
      'natfleet-failover-eu-west-1a-20261123T084005Z',
    );
    expect(names.executionName('Fallback', 'cli', at)).toMatch(
      /^Fallback-cli-20261123T084005Z-[a-z0-9]{1,4}$/,
    );
    expect(names.stateMachineArn('cn-north-1', '123456789012', 'prod', 'Failover', 'aws-cn')).toBe(
      'arn:aws-cn:states:cn-north-1:123456789012:stateMachine:natfleet-prod-Failover',
    );
    expect(names.stateMachineArnSub('prod', 'Maintenance')).toBe(
      'arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:natfleet-prod-Maintenance',
    );
  });
});
