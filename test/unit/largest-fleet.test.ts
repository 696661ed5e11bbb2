// The largest fleet the configuration accepts fits every AWS limit once rendered; one more of
// anything is refused by validate, before any stack is touched.
import { describe, expect, it } from '@jest/globals';
import { renderStacks } from '../../cloudformation/index.js';
import { parseConfig } from '../../lib/config/load.js';
import { FLEET_BOUNDS } from '../../lib/config/schema.js';
import { AWS_LIMITS, checkLimits, limitProblems, measure } from '../../lib/limits.js';
import { largestConfig, LONGEST_NAME } from '../largest.js';
import { ConfigError } from '../../lib/config/problems.js';

describe('the largest fleet', () => {
  const env = parseConfig(largestConfig()).environments[LONGEST_NAME]!;
  const stacks = renderStacks(env);

  it('is accepted by validate', () => {
    expect(env.zones).toHaveLength(FLEET_BOUNDS.zones);
    expect(env.zones.flatMap((z) => z.routeTables)).toHaveLength(
      FLEET_BOUNDS.zones * FLEET_BOUNDS.routeTablesPerZone,
    );
  });

  it('fits every AWS limit of the table, each measured on the rendered stacks', () => {
    const m = measure(env, stacks);
    // Every limit measured at least once (the execution history from each definition: its
    // bound is checked against runs in test/integration/largest-fleet-history.test.ts).
    const measured = new Set(m.map((x) => x.limit));
    for (const limit of Object.keys(AWS_LIMITS)) expect(measured).toContain(limit);
    expect(m.filter((x) => x.limit === 'executionHistory')).toHaveLength(4);
    const over = m.filter((x) => x.value > AWS_LIMITS[x.limit].max);
    expect(over).toEqual([]);
    expect(limitProblems(env, stacks)).toEqual([]);
    // The measures closest to their limit, for the record.
    const tight = m
      .map((x) => ({ ...x, share: x.value / AWS_LIMITS[x.limit].max }))
      .sort((a, b) => b.share - a.share)
      .slice(0, 3);
    expect(tight[0]!.share).toBeLessThanOrEqual(1);
  });

  it('keeps every role’s policy the same size whatever the number of route tables', () => {
    const few = parseConfig(
      largestConfig().replace(/routeTables:\n(\s+- rtb-\w+\n)+/g, (m) => {
        const lines = m.split('\n');
        return `${lines[0]}\n${lines[1]}\n`;
      }),
    ).environments[LONGEST_NAME]!;
    const sizes = (e: typeof env) =>
      measure(e, renderStacks(e))
        .filter((x) => x.limit === 'rolePolicy')
        .map((x) => `${x.what}=${x.value}`);
    expect(few.zones[0]!.routeTables).toHaveLength(1);
    expect(sizes(few)).toEqual(sizes(env));
  });

  for (const bound of Object.keys(FLEET_BOUNDS) as (keyof typeof FLEET_BOUNDS)[]) {
    it(`refuses one more than ${bound} (${FLEET_BOUNDS[bound]})`, () => {
      expect(() => parseConfig(largestConfig(bound))).toThrow(ConfigError);
    });
  }

  it('names the limit, its source and the field that grows it when a fleet does not fit', () => {
    // 300 route tables with the old one-ARN-per-table policies would not fit: play that here
    // with a role made too large on purpose.
    const big = stacks.map((s) => structuredClone(s));
    const wf = big.find((s) => s.kind === 'workflows')!;
    const role = wf.template.Resources.FailoverRole!.Properties as {
      Policies: { PolicyDocument: { Statement: unknown[] } }[];
    };
    const tables = env.zones.flatMap((z) => z.routeTables);
    role.Policies[0]!.PolicyDocument.Statement.push({
      Effect: 'Allow',
      Action: ['ec2:ReplaceRoute'],
      Resource: tables.map((t) => ({
        'Fn::Sub': `arn:\${AWS::Partition}:ec2:\${AWS::Region}:\${AWS::AccountId}:route-table/${t}`,
      })),
    });
    let error: unknown;
    try {
      checkLimits('natfleet.yml', env, big);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = (error as Error).message;
    expect(text).toContain(`environments.${LONGEST_NAME}.zones`);
    expect(text).toContain('role FailoverRole');
    expect(text).toContain('10,240 characters');
    expect(text).toContain('IAM and AWS STS quotas');
  });
});
