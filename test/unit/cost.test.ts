import { describe, expect, it } from '@jest/globals';
import { estimateCost, standbyGatewayCount } from '../../lib/cost/estimate.js';
import { PRICES } from '../../lib/cost/prices.js';
import { exampleEnv } from '../helpers.js';

const round = (n: number) => Math.round(n * 100) / 100;

describe('cost estimate', () => {
  const prod = exampleEnv('prod');

  it('prices NAT Gateways per zone against instances plus one shared standby', () => {
    const c = estimateCost(prod, 10240);
    // 3 gateways × 730 h × $0.045, 10240 GB × $0.045, 3 public IPv4 × 730 h × $0.005
    expect(round(c.gateways)).toBe(round(3 * 32.85 + 460.8 + 3 * 3.65));
    const item = (prefix: string) => c.lines.find((l) => l.item.startsWith(prefix))!;
    expect(round(item('NAT Gateway hours').natfleet!)).toBe(32.85);
    expect(item('NAT Gateway data processing').natfleet).toBe(0);
    expect(round(item('NAT instances').natfleet!)).toBe(round(3 * 0.0168 * 730));
    expect(round(item('Step Functions VPC endpoint').natfleet!)).toBe(round(3 * 0.01 * 730));
    expect(round(c.savings)).toBe(round(c.gateways - c.natfleet));
    expect(c.savings).toBeGreaterThan(0);
  });

  it('puts the break-even where both cost the same', () => {
    const c = estimateCost(prod, 0);
    expect(c.savings).toBeLessThan(0); // at no traffic natfleet is the dearer one
    const atBreakEven = estimateCost(prod, c.breakEvenGB);
    expect(Math.abs(atBreakEven.savings)).toBeLessThan(0.01);
  });

  it('counts one standby per zone in per-zone mode and no endpoint when none is made', () => {
    const staging = exampleEnv('staging');
    expect(standbyGatewayCount(staging)).toBe(2);
    const c = estimateCost(
      { ...staging, checker: { ...staging.checker, stepFunctionsEndpoint: 'none' } },
      100,
    );
    expect(c.lines.some((l) => l.item.startsWith('Step Functions'))).toBe(false);
    expect(round(c.lines[0]!.natfleet!)).toBe(round(2 * 32.85));
    expect(c.notes.some((n) => n.includes('runs in'))).toBe(false); // staging is in us-east-1
  });

  it('says where the prices come from and flags another region', () => {
    expect(PRICES.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(PRICES.source).toContain('AWS');
    const c = estimateCost(prod, 1);
    expect(c.notes).toContain(
      "prod runs in eu-west-1: its prices differ from us-east-1's by region.",
    );
  });

  it('refuses an instance type it has no price for, and negative traffic', () => {
    const odd = { ...prod, instance: { ...prod.instance, type: 'x9z.huge' } };
    expect(() => estimateCost(odd, 1)).toThrow(
      'no price for instance type x9z.huge in lib/cost/prices.ts',
    );
    expect(() => estimateCost(prod, -1)).toThrow('gb-per-month: expected a number ≥ 0, got -1');
  });
});
