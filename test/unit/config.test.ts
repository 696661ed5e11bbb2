import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { environment, loadConfig, parseConfig } from '../../lib/config/load.js';
import { ConfigError, formatPath, formatProblem } from '../../lib/config/problems.js';
import { architectureOf, environmentView, RULES, ruleProblems } from '../../lib/config/rules.js';
import { parse } from 'yaml';
import { EXAMPLE, exampleText, tempDir } from '../helpers.js';

function problems(text: string): string[] {
  try {
    parseConfig(text, 'test.yml');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems.map(formatProblem);
  }
  throw new Error('expected the configuration to be rejected');
}

const zone = (az: string, n: number, rtb = `rtb-0cc0000000000000${n}`) => `
      - availabilityZone: ${az}
        publicSubnet: subnet-0aa0000000000000${n}
        privateSubnet: subnet-0bb0000000000000${n}
        routeTables: [${rtb}]`;

/** A valid one-environment config; `patch` rewrites parts of it. */
function config(over: Partial<Record<'gateway' | 'zones' | 'checker' | 'extra', string>> = {}) {
  return `version: 1
environments:
  prod:
    accountId: "123456789012"
    region: eu-west-1
    vpcId: vpc-0a1b2c3d4e5f60718
    vpcCidrs: [10.20.0.0/16]
    instance: { type: t4g.small }
    gateway: ${over.gateway ?? '{ subnet: subnet-0aa00000000000001 }'}
    zones:${over.zones ?? zone('eu-west-1a', 1) + zone('eu-west-1b', 2)}
    checker: ${over.checker ?? '{ urls: [https://checkip.amazonaws.com] }'}
${over.extra ?? ''}`;
}

describe('loading natfleet.yml', () => {
  it('accepts the annotated example', () => {
    const c = loadConfig(EXAMPLE);
    expect(Object.keys(c.environments)).toEqual(['prod', 'staging']);
    expect(c.environments.prod!.zones).toHaveLength(3);
  });

  it('fills every default', () => {
    const env = parseConfig(config()).environments.prod!;
    expect(env.name).toBe('prod');
    expect(env.instance.architecture).toBe('arm64');
    expect(env.image).toEqual({ rebuildEveryDays: 14, keep: 3 });
    expect(env.gateway.mode).toBe('shared');
    expect(env.checker).toEqual({
      urls: ['https://checkip.amazonaws.com'],
      intervalSeconds: 1,
      timeoutSeconds: 1,
      unhealthyThreshold: 3,
      autoFallback: false,
      healthyMinutes: 10,
      stepFunctionsEndpoint: 'create',
    });
  });

  it('reports five different mistakes as five located problems', () => {
    const text = exampleText()
      .replace('subnet-0aa00000000000002', 'sub-123') // zones[1].publicSubnet
      .replace('accountId: "123456789012"', 'accountId: "1234"')
      .replace('architecture: arm64', 'architecture: arm')
      .replace('unhealthyThreshold: 3', 'unhealthyThreshold: 0')
      .replace('[rtb-0cc00000000000003]', '[rtb-0cc00000000000001]');
    expect(problems(text)).toEqual([
      'environments.prod.accountId: expected a 12-digit AWS account id, got "1234" (line 10)',
      'environments.prod.instance.architecture: expected CPU architecture: arm64 | x86_64, got "arm" (line 17)',
      'environments.prod.zones[1].publicSubnet: expected a subnet id (subnet-…), got "sub-123" (line 35)',
      'environments.prod.zones[2].routeTables[0]: expected each route table in one zone only (first at environments.prod.zones[0].routeTables[0]), got "rtb-0cc00000000000001" (line 42)',
      'environments.prod.checker.unhealthyThreshold: expected consecutive failed rounds before failover (≥ 1), got 0 (line 50)',
    ]);
  });

  it('names a missing field and an unknown one', () => {
    const text = config({ extra: '    flavour: vanilla\n' }).replace(
      '    vpcId: vpc-0a1b2c3d4e5f60718\n',
      '',
    );
    expect(problems(text)).toEqual([
      'environments.prod.vpcId: expected a VPC id (vpc-…), got nothing (line 4)',
      expect.stringMatching(
        /^environments\.prod\.flavour: expected one of the settings accountId, .*, got an unknown setting \(line 19\)$/,
      ),
    ]);
  });

  it('suggests the setting a misspelt key meant, at any depth, and only a close one', () => {
    const cases: [string, string, string][] = [
      [
        '{ urls: [https://a.example], unhealthyTreshold: 3 }',
        'checker.unhealthyTreshold',
        'unhealthyThreshold',
      ],
      [
        '{ urls: [https://a.example], intervalsecond: 3 }',
        'checker.intervalsecond',
        'intervalSeconds',
      ],
      ['{ urls: [https://a.example], autoFalback: true }', 'checker.autoFalback', 'autoFallback'],
    ];
    for (const [checker, path, meant] of cases) {
      expect(problems(config({ checker }))).toEqual([
        expect.stringMatching(
          new RegExp(
            `^environments\\.prod\\.${path.replace('.', '\\.')}: expected one of the settings urls, .*, got an unknown setting; did you mean ${meant}\\? \\(line \\d+\\)$`,
          ),
        ),
      ]);
    }
    // One level up: the environment's own keys, and the document's.
    expect(problems(config({ extra: '    notification: {}\n' }))[0]).toContain(
      'got an unknown setting; did you mean notifications?',
    );
    expect(problems(config().replace('environments:', 'enviroments:'))).toContainEqual(
      expect.stringContaining(
        'enviroments: expected one of the settings $schema, version, environments, got an unknown setting; did you mean environments?',
      ),
    );
    // Nothing close: no guess.
    expect(problems(config({ extra: '    flavour: vanilla\n' }))[0]).not.toContain('did you mean');
  });

  it('says a string setting was read as a number or boolean because it was not quoted', () => {
    const cases: [string, string, string][] = [
      [
        'accountId: "123456789012"',
        'accountId: 123456789012',
        'got 123456789012 unquoted, which YAML reads as a number: write it in quotes, "123456789012"',
      ],
      // A leading zero is lost in the number: the message quotes what was written.
      [
        'accountId: "123456789012"',
        'accountId: 012345678901',
        'got 012345678901 unquoted, which YAML reads as a number (12345678901): write it in quotes, "012345678901"',
      ],
      [
        'instance: { type: t4g.small }',
        'instance: { type: 1e3 }',
        'got 1e3 unquoted, which YAML reads as a number (1000): write it in quotes, "1e3"',
      ],
      [
        'region: eu-west-1',
        'region: true',
        'got true unquoted, which YAML reads as true or false: write it in quotes, "true"',
      ],
    ];
    for (const [from, to, found] of cases) {
      const [p, ...more] = problems(config().replace(from, to));
      expect(more).toEqual([]);
      expect(p).toContain(`expected `);
      expect(p).toContain(found);
    }
    expect(
      problems(config().replace('accountId: "123456789012"', 'accountId: 123456789012')),
    ).toEqual([
      'environments.prod.accountId: expected a 12-digit AWS account id, got 123456789012 unquoted, which YAML reads as a number: write it in quotes, "123456789012" (line 4)',
    ]);
  });

  it('suggests the environment meant', () => {
    const c = parseConfig(config());
    expect(() => environment(c, 'prdo')).toThrow(
      'unknown environment "prdo" (did you mean prod?): the configuration defines prod',
    );
  });

  it('rejects repeated zones, subnets and zones outside the region', () => {
    const zones =
      zone('eu-west-1a', 1) +
      zone('eu-west-1a', 2) +
      zone('us-east-1c', 1, 'rtb-0cc00000000000009');
    expect(problems(config({ zones }))).toEqual([
      'environments.prod.zones[1].availabilityZone: expected each zone once (first at environments.prod.zones[0].availabilityZone), got "eu-west-1a" (line 15)',
      'environments.prod.zones[2].availabilityZone: expected a zone of region eu-west-1, got "us-east-1c" (line 19)',
      'environments.prod.zones[2].publicSubnet: expected each subnet once (first at environments.prod.zones[0].publicSubnet), got "subnet-0aa00000000000001" (line 20)',
      'environments.prod.zones[2].privateSubnet: expected each subnet once (first at environments.prod.zones[0].privateSubnet), got "subnet-0bb00000000000001" (line 21)',
    ]);
  });

  it('requires the shared gateway in one of the public subnets', () => {
    expect(problems(config({ gateway: '{ subnet: subnet-0aa00000000000009 }' }))).toEqual([
      'environments.prod.gateway.subnet: expected one of the zones’ public subnets (subnet-0aa00000000000001, subnet-0aa00000000000002), got "subnet-0aa00000000000009" (line 9)',
    ]);
    expect(problems(config({ gateway: '{}' }))).toEqual([
      'environments.prod.gateway.subnet: expected the shared gateway’s public subnet (or natGatewayId to adopt one), got nothing (line 9)',
    ]);
    expect(() =>
      parseConfig(config({ gateway: '{ natGatewayId: nat-0123456789abcdef0 }' })),
    ).not.toThrow();
  });

  it('keeps shared and per-zone gateway settings apart', () => {
    const perZone = config({ gateway: '{ mode: per-zone, subnet: subnet-0aa00000000000001 }' });
    expect(problems(perZone)).toEqual([
      expect.stringMatching(
        /^environments\.prod\.gateway\.subnet: expected no gateway\.subnet with gateway\.mode per-zone/,
      ),
    ]);
    const zonal = zone('eu-west-1a', 1) + '\n        natGatewayId: nat-0123456789abcdef0';
    expect(problems(config({ zones: zonal }))).toEqual([
      expect.stringMatching(
        /^environments\.prod\.zones\[0\]\.natGatewayId: expected no per-zone gateway with gateway\.mode shared/,
      ),
    ]);
    expect(() =>
      parseConfig(config({ gateway: '{ mode: per-zone }', zones: zonal })),
    ).not.toThrow();
  });

  it('takes a regional standby with no subnet, or adopts one for every zone', () => {
    const regional = parseConfig(config({ gateway: '{ mode: regional }' })).environments.prod!;
    expect(regional.gateway).toEqual({ mode: 'regional' });
    const adopted = parseConfig(
      config({ gateway: '{ mode: regional, natGatewayId: nat-0fedcba9876543210 }' }),
    ).environments.prod!;
    expect(adopted.gateway.natGatewayId).toBe('nat-0fedcba9876543210');
  });

  it('rejects a subnet or a zone’s own gateway beside a regional standby, each at its place', () => {
    const zonal =
      zone('eu-west-1a', 1) +
      '\n        natGatewayId: nat-0123456789abcdef0' +
      zone('eu-west-1b', 2) +
      '\n        natGatewayId: nat-0123456789abcdef1';
    expect(
      problems(
        config({ gateway: '{ mode: regional, subnet: subnet-0aa00000000000001 }', zones: zonal }),
      ),
    ).toEqual([
      'environments.prod.gateway.subnet: expected no gateway.subnet with gateway.mode regional (a regional gateway sits in no subnet), got "subnet-0aa00000000000001" (line 9)',
      'environments.prod.zones[0].natGatewayId: expected no per-zone gateway with gateway.mode regional (one regional gateway serves every zone: use gateway.natGatewayId), got "nat-0123456789abcdef0" (line 15)',
      'environments.prod.zones[1].natGatewayId: expected no per-zone gateway with gateway.mode regional (one regional gateway serves every zone: use gateway.natGatewayId), got "nat-0123456789abcdef1" (line 20)',
    ]);
    expect(problems(config({ gateway: '{ mode: regionl }' }))).toEqual([
      expect.stringMatching(
        /^environments\.prod\.gateway\.mode: expected standby gateway mode: shared \| per-zone \| regional, got "regionl"/,
      ),
    ]);
  });

  it('matches the architecture to the instance type', () => {
    const text = config().replace(
      '{ type: t4g.small }',
      '{ type: t4g.small, architecture: x86_64 }',
    );
    expect(problems(text)).toEqual([
      'environments.prod.instance.architecture: expected arm64 for instance type t4g.small, got "x86_64" (line 8)',
    ]);
    expect(problems(config().replace('{ type: t4g.small }', '{ type: c6in.large }'))).toEqual([
      'environments.prod.instance.architecture: expected x86_64 for instance type c6in.large, got "arm64" (the default) (line 8)',
    ]);
    expect(architectureOf('c7gn.medium')).toBe('arm64');
    expect(architectureOf('m7i-flex.large')).toBe('x86_64');
    expect(architectureOf('nonsense')).toBeUndefined();
  });

  it('checks the checker: URL schemes, interval, threshold, timeout within the interval', () => {
    const checker =
      '{ urls: [ftp://example.com, "not a url", http://ok.example], intervalSeconds: 0, timeoutSeconds: 3, unhealthyThreshold: 0 }';
    expect(problems(config({ checker }))).toEqual([
      'environments.prod.checker.intervalSeconds: expected seconds between probe rounds (1–30), got 0 (line 19)',
      'environments.prod.checker.unhealthyThreshold: expected consecutive failed rounds before failover (≥ 1), got 0 (line 19)',
      'environments.prod.checker.urls[0]: expected an http:// or https:// URL with a host name or IPv4 address (no IPv6 literal, no user:password@, no comma), got "ftp://example.com" (line 19)',
      'environments.prod.checker.urls[1]: expected an http:// or https:// URL with a host name or IPv4 address (no IPv6 literal, no user:password@, no comma), got "not a url" (line 19)',
    ]);
    expect(
      problems(config({ checker: '{ urls: [https://a.example], timeoutSeconds: 6 }' })),
    ).toEqual([
      'environments.prod.checker.timeoutSeconds: expected at most intervalSeconds (5), so rounds do not overlap, got 6 (line 19)',
    ]);
  });

  it('checks environment names, the version and the notification topic', () => {
    const text = config({
      extra:
        '    notifications: { topicArn: "arn:aws:sns:us-east-1:123456789012:alerts" }\n  Prod-EU: {}\n',
    }).replace('version: 1', 'version: 2');
    expect(problems(text)).toEqual([
      'version: expected the configuration format version: 1, got 2 (line 1)',
      'environments.prod.notifications.topicArn: expected a topic in eu-west-1 of account 123456789012, got "arn:aws:sns:us-east-1:123456789012:alerts" (line 20)',
      'environments.Prod-EU: expected an environment name of lowercase letters, digits and dashes (up to 16), got "Prod-EU" (line 21)',
    ]);
  });

  it('reports YAML syntax errors and duplicate keys with their line', () => {
    expect(problems('version: 1\nenvironments:\n  prod: [\n')).toEqual([
      expect.stringMatching(/^\(top level\): expected valid YAML, got .* \(line \d+\)$/),
    ]);
    expect(problems('version: 1\nversion: 1\n')).toEqual([
      expect.stringMatching(
        /^\(top level\): expected valid YAML, got Map keys must be unique.*\(line 2\)$/,
      ),
    ]);
  });

  it('says so when the file is missing', () => {
    const file = join(tempDir(), 'natfleet.yml');
    expect(() => loadConfig(file)).toThrow(
      `${file}: 1 problem\n  (top level): expected a readable natfleet.yml, got no such file`,
    );
  });

  it('looks environments up by name and lists the known ones otherwise', () => {
    const c = loadConfig(EXAMPLE);
    expect(environment(c, 'staging').region).toBe('us-east-1');
    expect(() => environment(c, 'qa')).toThrow(
      'unknown environment "qa": the configuration defines prod, staging',
    );
  });

  it('formats paths with indexes and quoted odd keys', () => {
    expect(formatPath(['environments', 'prod', 'zones', 1, 'publicSubnet'])).toBe(
      'environments.prod.zones[1].publicSubnet',
    );
    expect(formatPath(['environments', 'a.b'])).toBe('environments["a.b"]');
    expect(formatPath([])).toBe('(top level)');
  });
});

describe('the cross-field rules', () => {
  type Doc = {
    environments: Record<string, Record<string, unknown> & { zones: Record<string, unknown>[] }>;
  };
  const example = () => parse(exampleText()) as Doc;
  // One mistake per rule, each made in the example's prod environment.
  const breaks: Record<keyof typeof RULES, (prod: Doc['environments'][string]) => void> = {
    zonesOnce: (p) => (p.zones[1]!.availabilityZone = 'eu-west-1a'),
    routeTablesInOneZone: (p) => (p.zones[2]!.routeTables = ['rtb-0cc00000000000001']),
    subnetsOnce: (p) => (p.zones[2]!.privateSubnet = 'subnet-0bb00000000000001'),
    elasticIpsOnce: (p) => (p.zones[1]!.eipAllocation = 'eipalloc-0dd00000000000001'),
    zonesInRegion: (p) => (p.zones[2]!.availabilityZone = 'us-east-1c'),
    sharedGateway: (p) => (p.gateway = { mode: 'shared', subnet: 'subnet-0ff00000000000001' }),
    perZoneGateway: (p) => (p.gateway = { mode: 'per-zone', subnet: 'subnet-0aa00000000000001' }),
    regionalGateway: (p) => (p.gateway = { mode: 'regional', subnet: 'subnet-0aa00000000000001' }),
    floatingEgress: (p) => (p.zones[0]!.floatingAddress = '10.0.0.50'),
    architectureMatchesType: (p) => (p.instance = { type: 'c7gn.medium', architecture: 'x86_64' }),
    checkerUrls: (p) => ((p.checker as { urls: string[] }).urls = ['ftp://example.com']),
    vpcCidrs: (p) => (p.vpcCidrs = ['10.0.0.0/16', '999.999.999.999/99']),
    // An unknown region, everything else moved along so that only this rule sees it.
    knownRegion: (p) => {
      p.region = 'eu-west-9';
      for (const z of p.zones)
        z.availabilityZone = String(z.availabilityZone).replace('eu-west-1', 'eu-west-9');
      delete p.notifications;
    },
    timeoutWithinInterval: (p) => Object.assign(p.checker as object, { timeoutSeconds: 9 }),
    topicInAccountAndRegion: (p) =>
      (p.notifications = { topicArn: 'arn:aws:sns:us-east-1:123456789012:x' }),
  };

  it('the example breaks no rule', () => {
    expect(ruleProblems(example())).toEqual([]);
  });

  for (const [name, breakIt] of Object.entries(breaks)) {
    it(`${name}: reports its mistake, and no other rule does`, () => {
      const doc = example();
      breakIt(doc.environments.prod!);
      const found = ruleProblems(doc);
      expect(found).toHaveLength(1);
      expect(found[0]!.path.slice(0, 2)).toEqual(['environments', 'prod']);
      // Rule by rule: only this one sees it.
      const view = environmentView('prod', doc.environments.prod!);
      const by = Object.entries(RULES).filter(([, rule]) => rule(view).length > 0);
      expect(by.map(([n]) => n)).toEqual([name]);
    });
  }

  it('lists every rule once, and each rule has its case here', () => {
    expect(Object.keys(breaks).sort()).toEqual(Object.keys(RULES).sort());
  });
});
