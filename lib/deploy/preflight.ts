// Checks before any change set: the credentials reach the configured account, and the VPC,
// subnets and route tables of the configuration exist where it says. Reads only.
import {
  DescribeAddressesCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import type { Environment } from '../config/schema.js';
import { DeployError, explainAwsError } from './errors.js';

async function call<T>(doing: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw explainAwsError(e, doing);
  }
}

export async function preflight(env: Environment, sts: STSClient, ec2: EC2Client): Promise<void> {
  const who = await call('checking the AWS credentials (sts:GetCallerIdentity)', () =>
    sts.send(new GetCallerIdentityCommand({})),
  );
  if (who.Account !== env.accountId) {
    throw new DeployError(
      `the AWS credentials are for account ${who.Account} but environment ${env.name} is in ` +
        `account ${env.accountId} (natfleet.yml environments.${env.name}.accountId): assume ` +
        'the role of that account and rerun. Nothing was changed.',
    );
  }
  const problems: string[] = [];
  const where = `environments.${env.name}`;
  const vpcs = await call(`looking up VPC ${env.vpcId}`, () =>
    ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'vpc-id', Values: [env.vpcId] }] })),
  );
  if ((vpcs.Vpcs ?? []).length === 0) {
    problems.push(`${where}.vpcId: VPC ${env.vpcId} does not exist in ${env.region}`);
  }
  const wanted = env.zones.flatMap((z, i) => [
    { id: z.publicSubnet, az: z.availabilityZone, path: `${where}.zones[${i}].publicSubnet` },
    { id: z.privateSubnet, az: z.availabilityZone, path: `${where}.zones[${i}].privateSubnet` },
  ]);
  const subnets = await call('looking up the subnets', () =>
    ec2.send(
      new DescribeSubnetsCommand({
        Filters: [{ Name: 'subnet-id', Values: wanted.map((w) => w.id) }],
      }),
    ),
  );
  for (const w of wanted) {
    const s = (subnets.Subnets ?? []).find((x) => x.SubnetId === w.id);
    if (!s) problems.push(`${w.path}: subnet ${w.id} does not exist in ${env.region}`);
    else if (s.VpcId !== env.vpcId)
      problems.push(`${w.path}: subnet ${w.id} is in ${s.VpcId}, not in ${env.vpcId}`);
    else if (s.AvailabilityZone !== w.az)
      problems.push(`${w.path}: subnet ${w.id} is in ${s.AvailabilityZone}, not in ${w.az}`);
  }
  const tables = env.zones.flatMap((z, i) =>
    z.routeTables.map((id, j) => ({ id, path: `${where}.zones[${i}].routeTables[${j}]` })),
  );
  const found = await call('looking up the route tables', () =>
    ec2.send(
      new DescribeRouteTablesCommand({
        Filters: [{ Name: 'route-table-id', Values: tables.map((t) => t.id) }],
      }),
    ),
  );
  for (const t of tables) {
    const rt = (found.RouteTables ?? []).find((x) => x.RouteTableId === t.id);
    if (!rt) problems.push(`${t.path}: route table ${t.id} does not exist in ${env.region}`);
    else if (rt.VpcId !== env.vpcId)
      problems.push(`${t.path}: route table ${t.id} is in ${rt.VpcId}, not in ${env.vpcId}`);
  }
  problems.push(...(await adopted(env, ec2, where)));
  if (problems.length > 0) {
    throw new DeployError(
      `natfleet.yml does not match AWS (${problems.length} problem(s)); fix the ids and rerun. ` +
        `Nothing was changed.\n` +
        problems.map((p) => `  ${p}`).join('\n'),
    );
  }
}

/** NAT gateways adopted as standbys and Elastic IPs brought along must exist and be usable. */
async function adopted(env: Environment, ec2: EC2Client, where: string): Promise<string[]> {
  const problems: string[] = [];
  const gateways = [
    ...(env.gateway.mode !== 'per-zone' && env.gateway.natGatewayId
      ? [{ id: env.gateway.natGatewayId, path: `${where}.gateway.natGatewayId` }]
      : []),
    ...env.zones.flatMap((z, i) =>
      z.natGatewayId ? [{ id: z.natGatewayId, path: `${where}.zones[${i}].natGatewayId` }] : [],
    ),
  ];
  if (gateways.length > 0) {
    const found = await call('looking up the adopted NAT gateways', () =>
      ec2.send(
        new DescribeNatGatewaysCommand({
          Filter: [{ Name: 'nat-gateway-id', Values: gateways.map((g) => g.id) }],
        }),
      ),
    );
    for (const g of gateways) {
      const n = (found.NatGateways ?? []).find((x) => x.NatGatewayId === g.id);
      if (!n || n.State === 'deleted' || n.State === 'deleting') {
        problems.push(`${g.path}: NAT gateway ${g.id} does not exist in ${env.region}`);
      } else if (n.VpcId !== env.vpcId) {
        problems.push(`${g.path}: NAT gateway ${g.id} is in ${n.VpcId}, not in ${env.vpcId}`);
      } else if (n.State !== 'available') {
        problems.push(`${g.path}: NAT gateway ${g.id} is ${n.State}, not available`);
      } else if (env.gateway.mode === 'regional' && n.AvailabilityMode === 'zonal') {
        // A zonal gateway would leave every other zone behind when its own zone fails.
        problems.push(
          `${g.path}: NAT gateway ${g.id} is zonal (in ${n.SubnetId}), but gateway.mode regional needs a regional one (or set gateway.mode shared)`,
        );
      }
    }
  }
  const eips = env.zones.flatMap((z, i) =>
    z.eipAllocation ? [{ id: z.eipAllocation, path: `${where}.zones[${i}].eipAllocation` }] : [],
  );
  if (eips.length > 0) {
    const found = await call('looking up the Elastic IPs', () =>
      ec2.send(
        new DescribeAddressesCommand({
          Filters: [{ Name: 'allocation-id', Values: eips.map((e) => e.id) }],
        }),
      ),
    );
    for (const e of eips) {
      if (!(found.Addresses ?? []).some((a) => a.AllocationId === e.id)) {
        problems.push(`${e.path}: Elastic IP ${e.id} does not exist in ${env.region}`);
      }
    }
  }
  return problems;
}
