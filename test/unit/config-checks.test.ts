// The value rules validate and the checker share (lib/config/checks.ts).
import { describe, expect, it } from '@jest/globals';
import { probeUrlProblem, regionProblem, vpcCidrProblem } from '../../lib/config/checks.js';
import { readSettings, VAR } from '../../lib/checker/settings.js';

describe('VPC ranges', () => {
  it.each([
    '10.0.0.0/8',
    '10.20.0.0/16',
    '172.16.0.0/12',
    '172.31.255.0/24',
    '192.168.0.0/16',
    '100.64.0.0/10',
    '100.127.0.0/16',
  ])('accepts the private range %s', (c) => expect(vpcCidrProblem(c)).toBeUndefined());
  it.each([
    ['999.999.999.999/99', 'four numbers 0–255'],
    ['10.0.0.0/33', 'four numbers 0–255'],
    ['010.0.0.0/16', 'four numbers 0–255'],
    ['10.0.0.1/16', 'no host bits set'],
    ['0.0.0.0/0', 'never 0.0.0.0/0'],
    ['172.32.0.0/16', 'a private range'],
    ['100.128.0.0/16', 'a private range'],
    ['8.8.8.0/24', 'a private range'],
  ])('refuses %s: expected %s', (c, why) => expect(vpcCidrProblem(c)).toContain(why));
  it('takes a public range only when allowed, and never 0.0.0.0/0', () => {
    expect(vpcCidrProblem('203.0.113.0/24', true)).toBeUndefined();
    expect(vpcCidrProblem('0.0.0.0/0', true)).toContain('never 0.0.0.0/0');
  });
});

describe('probe URLs: validate refuses exactly what the checker refuses', () => {
  const checkerTakes = (url: string) => {
    try {
      readSettings({
        [VAR.environment]: 'prod',
        [VAR.zone]: 'eu-west-1a',
        [VAR.urls]: url,
        [VAR.routeTables]: 'rtb-0123456789abcdef0',
        [VAR.failoverArn]:
          'arn:aws:states:eu-west-1:123456789012:stateMachine:natfleet-prod-Failover',
      });
      return true;
    } catch {
      return false;
    }
  };
  it.each([
    ['https://checkip.amazonaws.com', true],
    ['http://203.0.113.7:8080/x?y=z', true],
    ['https://[2001:db8::1]/', false],
    ['https://example.com/a,b', false],
    ['https://u:p@example.com/', false],
    ['ftp://example.com/', false],
    ['not a url', false],
  ] as const)('%s → %s', (url, ok) => {
    expect(probeUrlProblem(url) === undefined).toBe(ok);
    expect(checkerTakes(url)).toBe(ok);
  });
});

describe('regions', () => {
  it('knows the regions and refuses a made-up one', () => {
    expect(regionProblem('eu-west-1')).toBeUndefined();
    expect(regionProblem('ap-southeast-7')).toBeUndefined();
    expect(regionProblem('us-east-9')).toContain('a known AWS region');
  });
});
