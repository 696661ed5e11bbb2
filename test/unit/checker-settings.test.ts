import { describe, expect, it } from '@jest/globals';
import { readSettings, checkerVariables, VAR } from '../../lib/checker/settings.js';
import { zoneMode } from '../../lib/checker/mode.js';
import { exampleEnv } from '../helpers.js';

const ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:natfleet-prod-Failover';
const base = {
  NATFLEET_ENVIRONMENT: 'prod',
  NATFLEET_ZONE: 'eu-west-1a',
  NATFLEET_URLS: 'https://checkip.amazonaws.com, http://example.com/x',
  NATFLEET_ROUTE_TABLES: 'rtb-0123456789abcdef0,rtb-0123456789abcdef1',
  NATFLEET_FAILOVER_ARN: ARN,
};

const problemsOf = (vars: Record<string, string | undefined>) => {
  try {
    readSettings(vars);
  } catch (e) {
    return (e as { problems: string[] }).problems;
  }
  throw new Error('expected the settings to be refused');
};

describe('checker settings', () => {
  it('takes the schema defaults for what is not set', () => {
    expect(readSettings(base)).toEqual({
      environment: 'prod',
      zone: 'eu-west-1a',
      urls: ['https://checkip.amazonaws.com', 'http://example.com/x'],
      intervalSeconds: 1,
      timeoutSeconds: 1,
      unhealthyThreshold: 3,
      probeSeconds: 64,
      routeTables: ['rtb-0123456789abcdef0', 'rtb-0123456789abcdef1'],
      failoverArn: ARN,
      autoFallback: false,
      healthyMinutes: 10,
    });
  });

  it('names every bad variable, with what was expected and what was found', () => {
    const problems = problemsOf({
      ...base,
      NATFLEET_ZONE: undefined,
      NATFLEET_URLS: 'https://ok.example,ftp://nope',
      NATFLEET_INTERVAL_SECONDS: '0',
      NATFLEET_UNHEALTHY_THRESHOLD: '2.5',
      NATFLEET_FAILOVER_ARN: 'arn:aws:lambda:eu-west-1:123456789012:function:x',
      NATFLEET_AUTO_FALLBACK: 'yes',
    });
    expect(problems).toEqual([
      'NATFLEET_ZONE: expected an availability zone name (e.g. eu-west-1a), got ""',
      'NATFLEET_URLS: expected comma-separated http:// or https:// URLs (no IPv6 literals, no user:password@), got "https://ok.example,ftp://nope"',
      'NATFLEET_INTERVAL_SECONDS: expected a whole number from 1 to 30, got "0"',
      'NATFLEET_UNHEALTHY_THRESHOLD: expected a whole number from 1 to 100, got "2.5"',
      'NATFLEET_FAILOVER_ARN: expected a state machine ARN, got "arn:aws:lambda:eu-west-1:123456789012:function:x"',
      'NATFLEET_AUTO_FALLBACK: expected true or false, got "yes"',
    ]);
    expect(() => readSettings({})).toThrow(
      /the checker is NOT checking:\n {2}- NATFLEET_ENVIRONMENT/,
    );
  });

  it('refuses IPv6 literals, a timeout longer than the interval, and auto-fallback without its ARN', () => {
    expect(problemsOf({ ...base, NATFLEET_URLS: 'http://[2001:db8::1]/' })[0]).toMatch(
      /^NATFLEET_URLS/,
    );
    expect(
      problemsOf({ ...base, NATFLEET_INTERVAL_SECONDS: '2', NATFLEET_TIMEOUT_SECONDS: '3' }),
    ).toEqual([
      'NATFLEET_TIMEOUT_SECONDS: expected at most NATFLEET_INTERVAL_SECONDS (2), got "3"',
    ]);
    expect(problemsOf({ ...base, NATFLEET_AUTO_FALLBACK: 'true' })).toEqual([
      'NATFLEET_FALLBACK_ARN: expected a state machine ARN (required when auto-fallback is on), got ""',
    ]);
  });

  it('reads back exactly what the checker stack would set for a zone', () => {
    const env = exampleEnv('prod');
    const zone = env.zones[0]!;
    const vars = checkerVariables(env, zone.availabilityZone, { failover: ARN });
    const s = readSettings(vars);
    expect(s.zone).toBe(zone.availabilityZone);
    expect(s.routeTables).toEqual(zone.routeTables);
    expect(s.urls).toEqual(env.checker.urls);
    expect(s.intervalSeconds).toBe(env.checker.intervalSeconds);
    expect(Object.keys(vars).every((k) => Object.values(VAR).includes(k as never))).toBe(true);
    expect(() => checkerVariables(env, 'xx-nowhere-1z', { failover: ARN })).toThrow('has no zone');
  });
});

describe('zone mode', () => {
  const T = ['rtb-1', 'rtb-2'];
  const nat = { natGatewayId: 'nat-1', state: 'active' as const };
  const eni = { networkInterfaceId: 'eni-1', state: 'active' as const };
  it('is gateway only when every table sends 0.0.0.0/0 to an active NAT gateway', () => {
    const tables = (a: object | undefined, b: object | undefined) => [
      { routeTableId: 'rtb-1', ...(a ? { defaultRoute: a } : {}) },
      { routeTableId: 'rtb-2', ...(b ? { defaultRoute: b } : {}) },
    ];
    expect(zoneMode(T, tables(nat, nat) as never)).toBe('gateway');
    expect(zoneMode(T, tables(nat, eni) as never)).toBe('instance');
    expect(zoneMode(T, tables(nat, undefined) as never)).toBe('instance');
    expect(zoneMode(T, tables(nat, { ...nat, state: 'blackhole' }) as never)).toBe('instance');
    expect(zoneMode(T, tables(nat, nat).slice(0, 1) as never)).toBe('instance');
  });
});
