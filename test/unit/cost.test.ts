import { describe, expect, it } from '@jest/globals';
import type { Environment } from '../../lib/config/schema.js';
import { estimateCost, standbyGatewayCount } from '../../lib/cost/estimate.js';
import { PRICE_TABLE, PRICED_REGIONS, type PriceTable } from '../../lib/cost/prices.js';
import { pricesFor } from '../../lib/cost/regions.js';
import { exampleEnv } from '../helpers.js';

const round = (n: number) => Math.round(n * 100) / 100;
const line = (c: ReturnType<typeof estimateCost>, prefix: string) =>
  c.lines.find((l) => l.item.startsWith(prefix))!;

const prod = exampleEnv('prod'); // eu-west-1, 3 zones, t4g.small, shared standby
const inRegion = (env: Environment, region: string): Environment => ({
  ...env,
  region,
  zones: env.zones.map((z, i) => ({ ...z, availabilityZone: `${region}${'abc'[i]}` })),
});
const withMode = (env: Environment, mode: Environment['gateway']['mode']): Environment => ({
  ...env,
  gateway: mode === 'shared' ? env.gateway : { mode },
});

describe('cost estimate', () => {
  it('prices an eu-west-1 environment at eu-west-1 prices', () => {
    const c = estimateCost(prod, 10240);
    const eu = PRICE_TABLE.regions['eu-west-1']!;
    expect(eu.natGateway).toEqual({ perHour: 0.048, perGB: 0.048 });
    // 3 gateways × 730 h × $0.048, 10240 GB × $0.048, 3 public IPv4 × 730 h × $0.005
    expect(round(c.gateways)).toBe(round(3 * 35.04 + 491.52 + 3 * 3.65));
    expect(round(line(c, 'NAT Gateway hours').natfleet!)).toBe(35.04);
    expect(line(c, 'NAT Gateway data processing').natfleet).toBe(0);
    expect(round(line(c, 'NAT instances').natfleet!)).toBe(round(3 * 0.0184 * 730));
    expect(round(c.savings)).toBe(round(c.gateways - c.natfleet));
    expect(c.notes[0]).toMatch(/^Prices: eu-west-1 list prices from the table of 2026-12-01: /);
  });

  it('says which eu-west-1 figures are borrowed from us-east-1, and uses them', () => {
    const c = estimateCost(prod, 100);
    expect(c.notes).toContain(
      "eu-west-1 prices not found in a citable source, us-east-1's used instead: interface endpoint, EBS gp3, Lambda arm64 duration, Lambda requests, CloudWatch custom metrics, CloudWatch Logs ingestion, CloudWatch Logs storage.",
    );
    expect(round(line(c, 'Step Functions VPC endpoint').natfleet!)).toBe(round(3 * 0.01 * 730));
    const us = pricesFor('us-east-1');
    expect(us.notes).toHaveLength(1); // nothing borrowed in the base region
  });

  it('prices the same fleet differently per region', () => {
    const eu = estimateCost(prod, 10240);
    const us = estimateCost(inRegion(prod, 'us-east-1'), 10240);
    expect(round(line(us, 'NAT Gateway hours').gateways!)).toBe(round(3 * 0.045 * 730));
    expect(round(line(eu, 'NAT Gateway hours').gateways!)).toBe(round(3 * 0.048 * 730));
    expect(round(line(us, 'NAT instances').natfleet!)).toBe(round(3 * 0.0168 * 730));
    expect(eu.gateways).toBeGreaterThan(us.gateways);
    expect(us.notes.join(' ')).not.toMatch(/borrow|not in the price table|citable/);
  });

  it('warns for a region the table does not cover and names the covered ones', () => {
    const c = estimateCost(inRegion(prod, 'ap-south-1'), 100);
    expect(c.notes[0]).toMatch(
      /^ap-south-1 is not in the price table \(it covers us-east-1, eu-west-1\): us-east-1 prices used, and they differ by region\./,
    );
    expect(PRICED_REGIONS).toEqual(['us-east-1', 'eu-west-1']);
    expect(round(line(c, 'NAT Gateway hours').gateways!)).toBe(round(3 * 0.045 * 730));
  });

  it('refuses an instance type the region has no price for, naming what it has', () => {
    const big = { ...prod, instance: { ...prod.instance, type: 'c7gn.medium' } };
    expect(() => estimateCost(big, 1)).toThrow(
      'no price for instance type c7gn.medium in lib/cost/prices.ts (eu-west-1, table of 2026-12-01; it has t4g.small, t4g.medium)',
    );
    expect(() => estimateCost(inRegion(big, 'us-east-1'), 1)).not.toThrow();
    expect(() => estimateCost(prod, -1)).toThrow('gb-per-month: expected a number ≥ 0, got -1');
  });

  it('counts the standby per mode: one shared, one per zone, a regional one per zone covered', () => {
    expect(standbyGatewayCount(prod)).toBe(1);
    for (const zones of [1, 2, 3]) {
      const env = { ...prod, zones: prod.zones.slice(0, zones) };
      expect(standbyGatewayCount(withMode(env, 'per-zone'))).toBe(zones);
      expect(standbyGatewayCount(withMode(env, 'regional'))).toBe(zones);
      const c = estimateCost(withMode(env, 'regional'), 10);
      expect(round(line(c, 'NAT Gateway hours').natfleet!)).toBe(round(zones * 0.048 * 730));
      expect(round(line(c, 'NAT Gateway public IPv4').natfleet!)).toBe(round(zones * 0.005 * 730));
      expect(line(c, 'NAT Gateway hours').item).toBe(
        `NAT Gateway hours (${zones} vs regional standby in ${zones} zones)`,
      );
    }
  });

  it('bills a regional standby at the regional rate, not the zonal one', () => {
    const table: PriceTable = {
      ...PRICE_TABLE,
      regions: {
        ...PRICE_TABLE.regions,
        'eu-west-2': {
          from: 'test table',
          natGateway: { perHour: 0.05, perGB: 0.05 },
          regionalNatGatewayPerHour: 0.07,
          instancesPerHour: { 't4g.small': 0.02 },
        },
      },
    };
    const env = inRegion(prod, 'eu-west-2');
    const regional = estimateCost(withMode(env, 'regional'), 0, table);
    const perZone = estimateCost(withMode(env, 'per-zone'), 0, table);
    expect(round(line(regional, 'NAT Gateway hours').natfleet!)).toBe(round(3 * 0.07 * 730));
    expect(round(line(perZone, 'NAT Gateway hours').natfleet!)).toBe(round(3 * 0.05 * 730));
    // The usual setup it is compared with stays zonal.
    expect(line(regional, 'NAT Gateway hours').gateways).toBe(
      line(perZone, 'NAT Gateway hours').gateways,
    );
    const noRate = { ...table.regions['eu-west-2']!, regionalNatGatewayPerHour: undefined };
    const t2 = { ...table, regions: { ...table.regions, 'eu-west-2': noRate } };
    const c = estimateCost(withMode(env, 'regional'), 0, t2);
    expect(c.notes).toContain(
      'eu-west-2 has no regional NAT Gateway price in the table: its zonal one used.',
    );
    expect(round(line(c, 'NAT Gateway hours').natfleet!)).toBe(round(3 * 0.05 * 730));
  });

  it('says how it counts a regional standby', () => {
    const c = estimateCost(withMode(prod, 'regional'), 1);
    expect(c.notes.some((n) => n.startsWith('Regional standby: counted as one gateway-hour'))).toBe(
      true,
    );
    expect(estimateCost(prod, 1).notes.some((n) => n.startsWith('Regional standby'))).toBe(false);
  });

  it('puts the break-even where both cost the same, in every mode', () => {
    for (const mode of ['shared', 'per-zone', 'regional'] as const) {
      const env = withMode(prod, mode);
      const c = estimateCost(env, 0);
      expect(c.savings).toBeLessThan(0); // at no traffic natfleet is the dearer one
      const atBreakEven = estimateCost(env, c.breakEvenGB);
      expect(Math.abs(atBreakEven.savings)).toBeLessThan(0.01);
    }
  });

  it('leaves the endpoint out when natfleet does not make it', () => {
    const staging = exampleEnv('staging');
    const c = estimateCost(
      { ...staging, checker: { ...staging.checker, stepFunctionsEndpoint: 'none' } },
      100,
    );
    expect(c.lines.some((l) => l.item.startsWith('Step Functions'))).toBe(false);
    expect(round(c.lines[0]!.natfleet!)).toBe(round(2 * 32.85));
  });

  it('keeps one dated table with its source', () => {
    expect(PRICE_TABLE.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(PRICE_TABLE.source).toContain('AWS');
    for (const r of Object.values(PRICE_TABLE.regions)) expect(r.from.length).toBeGreaterThan(20);
  });
});
