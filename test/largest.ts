// The largest fleet natfleet.yml accepts (FLEET_BOUNDS at every bound, the longest names and
// values, every optional part on), as natfleet.yml text: the limits tests render it.
import { stringify } from 'yaml';
import { FLEET_BOUNDS } from '../lib/config/schema.js';

const hex = (n: number, width = 17) => n.toString(16).padStart(width, '0');

/** The raw environment; `over` pushes one bound one further (to see it refused). */
export function largestEnvironment(over?: keyof typeof FLEET_BOUNDS): Record<string, unknown> {
  const n = (k: keyof typeof FLEET_BOUNDS) => FLEET_BOUNDS[k] + (over === k ? 1 : 0);
  const region = 'ap-southeast-7';
  const zones = Array.from({ length: n('zones') }, (_, i) => ({
    availabilityZone: `${region}${'abcdefg'[i]}`,
    publicSubnet: `subnet-${hex(0xa00 + i)}`,
    privateSubnet: `subnet-${hex(0xb00 + i)}`,
    routeTables: Array.from(
      { length: n('routeTablesPerZone') },
      (_, j) => `rtb-${hex(0x10000 * (i + 1) + j)}`,
    ),
  }));
  const url = (i: number) => {
    const head = `https://probe-${i}.example.com/`;
    return head + 'p'.repeat(FLEET_BOUNDS.urlLength - head.length + (over === 'urlLength' ? 1 : 0));
  };
  return {
    accountId: '123456789012',
    region,
    vpcId: `vpc-${hex(1)}`,
    vpcCidrs: Array.from({ length: n('vpcCidrs') }, (_, i) => `10.${i}.0.0/16`),
    instance: { type: 'c7gn.medium', architecture: 'arm64' },
    gateway: { mode: 'per-zone' },
    zones,
    checker: {
      urls: Array.from({ length: n('urls') }, (_, i) => url(i)),
      autoFallback: true,
      stepFunctionsEndpoint: 'create',
    },
    github: { repository: `${'o'.repeat(39)}/${'r'.repeat(100)}` },
    notifications: { topicArn: `arn:aws:sns:${region}:123456789012:${'t'.repeat(256)}` },
  };
}

/** The longest environment name natfleet accepts (16 characters). */
export const LONGEST_NAME = 'production-fleet';

export const largestConfig = (over?: keyof typeof FLEET_BOUNDS) =>
  stringify({ version: 1, environments: { [LONGEST_NAME]: largestEnvironment(over) } });
