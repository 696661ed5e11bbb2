// Monthly cost of an environment on natfleet versus the usual NAT Gateway per zone.
// Internet data transfer out is billed the same either way, so it is left out of both.
import type { Environment } from '../config/schema.js';
import {
  CHECKER_INVOCATIONS_PER_MONTH,
  CHECKER_MEMORY_MB,
  CHECKER_METRICS_PER_ZONE,
  CHECKER_TIMEOUT_SECONDS,
  CHECKER_LOG,
  CHECKER_LOG_RETENTION_DAYS,
  CHECKER_PROBE_SECONDS,
} from '../defaults.js';
import { PRICE_TABLE, type PriceTable } from './prices.js';
import { pricesFor } from './regions.js';

export interface CostLine {
  item: string;
  /** Monthly USD with NAT Gateways only; undefined where the item does not apply. */
  gateways?: number;
  natfleet?: number;
}

export interface CostEstimate {
  environment: string;
  gbPerMonth: number;
  lines: CostLine[];
  gateways: number;
  natfleet: number;
  /** Positive when natfleet is cheaper. */
  savings: number;
  /** Traffic above which natfleet is cheaper (GB per month). */
  breakEvenGB: number;
  notes: string[];
}

export class UnknownInstanceType extends Error {}

/** Gateway-hours (and public IPv4 addresses) the standby costs: a regional one, per zone. */
export function standbyGatewayCount(env: Environment): number {
  return env.gateway.mode === 'shared' ? 1 : env.zones.length;
}

export function estimateCost(
  env: Environment,
  gbPerMonth: number,
  table: PriceTable = PRICE_TABLE,
): CostEstimate {
  if (!Number.isFinite(gbPerMonth) || gbPerMonth < 0) {
    throw new RangeError(`gb-per-month: expected a number ≥ 0, got ${gbPerMonth}`);
  }
  const p = pricesFor(env.region, table);
  const h = table.hoursPerMonth;
  const zones = env.zones.length;
  const standby = standbyGatewayCount(env);
  const type = env.instance.type;
  const hourly = p.instancesPerHour[type];
  if (hourly === undefined) {
    throw new UnknownInstanceType(
      `no price for instance type ${type} in lib/cost/prices.ts (${p.region}, table of ${table.date}; ` +
        `it has ${Object.keys(p.instancesPerHour).join(', ')}): add it from the EC2 price list`,
    );
  }
  const regional = env.gateway.mode === 'regional';
  const gwHour = p.natGateway.perHour * h;
  const standbyHour = (regional ? p.regionalNatGatewayPerHour : p.natGateway.perHour) * h;
  const ipHour = p.publicIpv4PerHour * h;
  const lambdaGBs =
    (CHECKER_MEMORY_MB / 1024) * CHECKER_TIMEOUT_SECONDS * CHECKER_INVOCATIONS_PER_MONTH;
  const lambda =
    lambdaGBs * p.lambdaArm64PerGBSecond +
    (CHECKER_INVOCATIONS_PER_MONTH / 1e6) * p.lambdaPerMillionRequests;
  const telemetry = checkerTelemetry(env.checker.intervalSeconds);
  const logs =
    telemetry.gbPerMonth * p.logIngestionPerGB +
    telemetry.gbPerMonth * Math.min(1, CHECKER_LOG_RETENTION_DAYS / 30) * p.logStoragePerGBMonth;
  const endpoint =
    env.checker.stepFunctionsEndpoint === 'create' ? p.interfaceEndpointPerHourPerZone * h : 0;
  const standbyWhat = regional ? `regional standby in ${standby} zones` : `${standby} standby`;

  const lines: CostLine[] = [
    {
      item: `NAT Gateway hours (${zones} vs ${standbyWhat})`,
      gateways: zones * gwHour,
      natfleet: standby * standbyHour,
    },
    {
      item: `NAT Gateway data processing (${gbPerMonth} GB)`,
      gateways: gbPerMonth * p.natGateway.perGB,
      natfleet: 0,
    },
    {
      item: `NAT Gateway public IPv4 (${zones} vs ${standby})`,
      gateways: zones * ipHour,
      natfleet: standby * ipHour,
    },
    { item: `NAT instances (${zones} × ${type})`, natfleet: zones * hourly * h },
    { item: `NAT instance public IPv4 (${zones})`, natfleet: zones * ipHour },
    {
      item: `NAT instance root volumes (${zones} × ${table.rootVolumeGB} GB gp3)`,
      natfleet: zones * table.rootVolumeGB * p.ebsGp3PerGBMonth,
    },
    {
      item: `Checker Lambdas (${zones} × ${CHECKER_MEMORY_MB} MB, always probing)`,
      natfleet: zones * lambda,
    },
    {
      item: `Checker metrics (${zones} × ${CHECKER_METRICS_PER_ZONE})`,
      natfleet: zones * CHECKER_METRICS_PER_ZONE * p.customMetricPerMonth,
    },
    {
      item: `Checker logs and EMF (${zones} × ${telemetry.gbPerMonth.toFixed(2)} GB, ${CHECKER_LOG_RETENTION_DAYS} days kept)`,
      natfleet: zones * logs,
    },
  ];
  if (endpoint > 0) {
    lines.push({
      item: `Step Functions VPC endpoint (${zones} zones)`,
      natfleet: zones * endpoint,
    });
  }
  const sum = (k: 'gateways' | 'natfleet') => lines.reduce((s, l) => s + (l[k] ?? 0), 0);
  const gateways = sum('gateways');
  const natfleet = sum('natfleet');
  const fixedGap = natfleet - (gateways - gbPerMonth * p.natGateway.perGB);
  const notes = [
    ...p.notes,
    `${table.hoursPerMonth} h per month, on-demand, ${table.currency}.`,
    'Internet data transfer out costs the same on both and is not included.',
    'natfleet pays gateway data processing only while a zone is failed over.',
  ];
  if (regional) {
    notes.push(
      `Regional standby: counted as one gateway-hour and one public IPv4 per zone it covers (${standby}); ` +
        'AWS allocates its addresses and may cover more zones of the VPC. Check the billing unit on the first bill (docs/on-real-aws.md).',
    );
  }
  return {
    environment: env.name,
    gbPerMonth,
    lines,
    gateways,
    natfleet,
    savings: gateways - natfleet,
    breakEvenGB: Math.max(0, fixedGap / p.natGateway.perGB),
    notes,
  };
}

export interface CheckerTelemetry {
  roundsPerMonth: number;
  linesPerMonth: number;
  gbPerMonth: number;
}

/** One zone's checker log volume per month at a probe rhythm (CloudWatch bills the bytes). */
export function checkerTelemetry(intervalSeconds: number): CheckerTelemetry {
  const roundsPerInvocation = Math.floor(CHECKER_PROBE_SECONDS / intervalSeconds);
  const roundsPerMonth = roundsPerInvocation * CHECKER_INVOCATIONS_PER_MONTH;
  const bytes =
    roundsPerMonth * CHECKER_LOG.bytesPerRound +
    CHECKER_INVOCATIONS_PER_MONTH * CHECKER_LOG.bytesPerInvocation;
  return {
    roundsPerMonth,
    linesPerMonth: roundsPerMonth * CHECKER_LOG.linesPerRound,
    gbPerMonth: bytes / 1e9,
  };
}
