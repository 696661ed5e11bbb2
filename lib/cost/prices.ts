// The one price table the cost estimate uses: on-demand list prices per region, each region with
// where its figures were read. A figure a region lacks was not found in a source we could cite;
// the estimate then uses us-east-1's and says so, rather than guess (ADR 0082).

/** Prices of one region, USD. Optional figures fall back to the base region's, with a note. */
export interface RegionPrices {
  /** Where and when this region's figures were read. */
  from: string;
  /** Zonal NAT Gateway: per gateway-hour and per GB processed. */
  natGateway: { perHour: number; perGB: number };
  /** Regional NAT Gateway, per hour (billed per zone it is active in: see ADR 0082). */
  regionalNatGatewayPerHour?: number;
  publicIpv4PerHour?: number;
  interfaceEndpointPerHourPerZone?: number;
  ebsGp3PerGBMonth?: number;
  lambdaArm64PerGBSecond?: number;
  lambdaPerMillionRequests?: number;
  customMetricPerMonth?: number;
  /** CloudWatch Logs: standard-class ingestion per GB and storage per GB-month. */
  logIngestionPerGB?: number;
  logStoragePerGBMonth?: number;
  /** Linux on-demand, per hour. A type missing here is an error, never a borrowed price. */
  instancesPerHour: Record<string, number>;
}

export interface PriceTable {
  date: string;
  source: string;
  currency: 'USD';
  hoursPerMonth: number;
  rootVolumeGB: number;
  /** The region every figure exists for; others borrow from it, with a note. */
  base: string;
  regions: Record<string, RegionPrices>;
}

export const PRICE_TABLE: PriceTable = {
  date: '2026-12-01',
  source:
    'AWS public price list (Price List API offer files and the service pricing pages): Amazon EC2 On-Demand (Linux), Amazon VPC (NAT Gateway, public IPv4, interface endpoints), Amazon EBS gp3, AWS Lambda (arm64), Amazon CloudWatch custom metrics and Logs (standard ingestion, storage)',
  currency: 'USD',
  hoursPerMonth: 730,
  rootVolumeGB: 8,
  base: 'us-east-1',
  regions: {
    'us-east-1': {
      from: 'AWS price list, us-east-1, read 2026-11-23; RegionalNatGateway-Hours from the Price List API (AmazonEC2, us-east-1) as recorded 2026-08-12',
      natGateway: { perHour: 0.045, perGB: 0.045 },
      regionalNatGatewayPerHour: 0.045,
      publicIpv4PerHour: 0.005,
      interfaceEndpointPerHourPerZone: 0.01,
      ebsGp3PerGBMonth: 0.08,
      lambdaArm64PerGBSecond: 0.0000133334,
      lambdaPerMillionRequests: 0.2,
      customMetricPerMonth: 0.3,
      logIngestionPerGB: 0.5,
      logStoragePerGBMonth: 0.03,
      instancesPerHour: {
        't4g.nano': 0.0042,
        't4g.micro': 0.0084,
        't4g.small': 0.0168,
        't4g.medium': 0.0336,
        't4g.large': 0.0672,
        't3.nano': 0.0052,
        't3.micro': 0.0104,
        't3.small': 0.0208,
        't3.medium': 0.0416,
        'c6g.medium': 0.034,
        'c6g.large': 0.068,
        'c6gn.medium': 0.0432,
        'c6gn.large': 0.0864,
        'c7g.medium': 0.0363,
        'c7g.large': 0.0725,
        'c7gn.medium': 0.0624,
        'c7gn.large': 0.1248,
        'm7g.medium': 0.0408,
        'm7g.large': 0.0816,
        'c5n.large': 0.108,
        'c6in.large': 0.1134,
        'c7i.large': 0.08925,
      },
    },
    'eu-west-1': {
      from: 'NAT Gateway rows (EU-NatGateway-Hours/-Bytes, EU-RegionalNatGateway-Hours) from the AWS Price List offer file AmazonEC2/20260925174521/eu-west-1 (published 2026-09-25); public IPv4 $0.005/h (the public IPv4 charge AWS set from 2024-02-01, the same EU-PublicIPv4:InUseAddress rate in price-list extracts); t4g.small and t4g.medium are the EU-BoxUsage on-demand rates a public cost review quoted from Cost Explorer in 2026-06, not read from the offer file',
      natGateway: { perHour: 0.048, perGB: 0.048 },
      regionalNatGatewayPerHour: 0.048,
      publicIpv4PerHour: 0.005,
      instancesPerHour: {
        't4g.small': 0.0184,
        't4g.medium': 0.0368,
      },
    },
  },
};

export const PRICED_REGIONS = Object.keys(PRICE_TABLE.regions);
