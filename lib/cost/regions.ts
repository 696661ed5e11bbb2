// One region's prices out of the table, every figure filled in, with notes on what was borrowed.
import { PRICE_TABLE, type PriceTable, type RegionPrices } from './prices.js';

export type Resolved = Required<Omit<RegionPrices, 'from'>> & {
  region: string;
  /** Where the figures come from, and which were borrowed from the base region. */
  notes: string[];
};

/** Figures a region may lack; the base region's then stand in, and the notes say so. */
type Borrowable =
  | 'publicIpv4PerHour'
  | 'interfaceEndpointPerHourPerZone'
  | 'ebsGp3PerGBMonth'
  | 'lambdaArm64PerGBSecond'
  | 'lambdaPerMillionRequests'
  | 'customMetricPerMonth'
  | 'logIngestionPerGB'
  | 'logStoragePerGBMonth';

export function pricesFor(region: string, table: PriceTable = PRICE_TABLE): Resolved {
  const base = table.regions[table.base]!;
  const own = table.regions[region];
  const covered = Object.keys(table.regions).join(', ');
  if (!own) {
    return {
      ...(base as Required<RegionPrices>),
      region: table.base,
      notes: [
        `${region} is not in the price table (it covers ${covered}): ${table.base} prices used, and they differ by region. ${table.base}: ${base.from}.`,
      ],
    };
  }
  const borrowed: string[] = [];
  const pick = (key: Borrowable, what: string): number => {
    if (own[key] !== undefined) return own[key]!;
    borrowed.push(what);
    return base[key]!;
  };
  const out: Resolved = {
    region,
    natGateway: own.natGateway,
    regionalNatGatewayPerHour: own.regionalNatGatewayPerHour ?? own.natGateway.perHour,
    publicIpv4PerHour: pick('publicIpv4PerHour', 'public IPv4'),
    interfaceEndpointPerHourPerZone: pick('interfaceEndpointPerHourPerZone', 'interface endpoint'),
    ebsGp3PerGBMonth: pick('ebsGp3PerGBMonth', 'EBS gp3'),
    lambdaArm64PerGBSecond: pick('lambdaArm64PerGBSecond', 'Lambda arm64 duration'),
    lambdaPerMillionRequests: pick('lambdaPerMillionRequests', 'Lambda requests'),
    customMetricPerMonth: pick('customMetricPerMonth', 'CloudWatch custom metrics'),
    logIngestionPerGB: pick('logIngestionPerGB', 'CloudWatch Logs ingestion'),
    logStoragePerGBMonth: pick('logStoragePerGBMonth', 'CloudWatch Logs storage'),
    instancesPerHour: own.instancesPerHour,
    notes: [`Prices: ${region} list prices from the table of ${table.date}: ${own.from}.`],
  };
  if (own.regionalNatGatewayPerHour === undefined) {
    out.notes.push(`${region} has no regional NAT Gateway price in the table: its zonal one used.`);
  }
  if (borrowed.length > 0) {
    out.notes.push(
      `${region} prices not found in a citable source, ${table.base}'s used instead: ${borrowed.join(', ')}.`,
    );
  }
  return out;
}
