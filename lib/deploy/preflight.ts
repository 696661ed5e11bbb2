// Checks before any change set: the credentials reach the configured account, and the VPC,
// subnets, route tables, adopted gateways and Elastic IPs of the configuration exist where it
// says. Reads only. Each problem names its field and, for a configuration read from a file,
// its line there, as validate does.
import {
  DescribeAddressesCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { sourceOf } from '../config/load.js';
import { formatPath } from '../config/problems.js';
import type { Environment } from '../config/schema.js';
import { DeployError, explainAwsError, type LocatedProblem } from './errors.js';

type Path = (string | number)[];

async function call<T>(doing: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw explainAwsError(e, doing);
  }
}

/** One id of the configuration to find in AWS, and where the configuration says it. */
interface Wanted {
  id: string;
  path: Path;
}

/** Problems at a path, as text; the line is added when the report is made. */
type Finding = { path: Path; problem: string };

/**
 * The look-up every check shares: read the wanted ids in one call, find each one in the answer
 * and let `judge` say what is wrong with it (undefined: nothing). No call when nothing is wanted.
 */
async function lookUp<W extends Wanted, F>(
  doing: string,
  wanted: W[],
  read: (ids: string[]) => Promise<F[] | undefined>,
  idOf: (found: F) => string | undefined,
  judge: (w: W, found: F | undefined) => string | undefined,
): Promise<Finding[]> {
  if (wanted.length === 0) return [];
  const found = (await call(doing, () => read(wanted.map((w) => w.id)))) ?? [];
  return wanted.flatMap((w) => {
    const problem = judge(
      w,
      found.find((f) => idOf(f) === w.id),
    );
    return problem ? [{ path: w.path, problem }] : [];
  });
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
  const findings = [
    ...(await vpc(env, ec2)),
    ...(await subnets(env, ec2)),
    ...(await routeTables(env, ec2)),
    ...(await adoptedGateways(env, ec2)),
    ...(await elasticIps(env, ec2)),
  ];
  if (findings.length > 0) {
    const problems = located(env, findings);
    throw new DeployError(
      `natfleet.yml does not match AWS (${problems.length} problem(s)); fix the ids and rerun. ` +
        `Nothing was changed.\n` +
        problems.map((p) => `  ${p.message}`).join('\n'),
      problems,
    );
  }
}

/** Each finding as "field: problem (line N)", with the file and line for annotations. */
function located(env: Environment, findings: Finding[]): LocatedProblem[] {
  const source = sourceOf(env);
  return findings.map(({ path, problem }) => {
    const line = source?.line(path);
    return {
      path,
      message: `${formatPath(path)}: ${problem}${line ? ` (line ${line})` : ''}`,
      ...(source ? { file: source.file } : {}),
      ...(line ? { line } : {}),
    };
  });
}

/** Judges what must exist and be in the environment's VPC; `more` judges the rest of it. */
function inVpc<W extends Wanted, F extends { VpcId?: string }>(
  env: Environment,
  what: string,
  more: (w: W, found: F) => string | undefined = () => undefined,
): (w: W, found: F | undefined) => string | undefined {
  return (w, f) =>
    !f
      ? `${what} ${w.id} does not exist in ${env.region}`
      : f.VpcId !== env.vpcId
        ? `${what} ${w.id} is in ${f.VpcId}, not in ${env.vpcId}`
        : more(w, f);
}

const at = (env: Environment, ...rest: Path): Path => ['environments', env.name, ...rest];

function vpc(env: Environment, ec2: EC2Client) {
  return lookUp(
    `looking up VPC ${env.vpcId}`,
    [{ id: env.vpcId, path: at(env, 'vpcId') }],
    async (ids) =>
      (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'vpc-id', Values: ids }] })))
        .Vpcs,
    (v) => v.VpcId,
    (w, v) => (v ? undefined : `VPC ${w.id} does not exist in ${env.region}`),
  );
}

function subnets(env: Environment, ec2: EC2Client) {
  const wanted = env.zones.flatMap((z, i) =>
    (['publicSubnet', 'privateSubnet'] as const).map((field) => ({
      id: z[field],
      az: z.availabilityZone,
      path: at(env, 'zones', i, field),
    })),
  );
  return lookUp(
    'looking up the subnets',
    wanted,
    async (ids) =>
      (
        await ec2.send(
          new DescribeSubnetsCommand({ Filters: [{ Name: 'subnet-id', Values: ids }] }),
        )
      ).Subnets,
    (s) => s.SubnetId,
    inVpc(env, 'subnet', (w, s) =>
      s.AvailabilityZone !== w.az
        ? `subnet ${w.id} is in ${s.AvailabilityZone}, not in ${w.az}`
        : undefined,
    ),
  );
}

function routeTables(env: Environment, ec2: EC2Client) {
  const wanted = env.zones.flatMap((z, i) =>
    z.routeTables.map((id, j) => ({ id, path: at(env, 'zones', i, 'routeTables', j) })),
  );
  return lookUp(
    'looking up the route tables',
    wanted,
    async (ids) =>
      (
        await ec2.send(
          new DescribeRouteTablesCommand({ Filters: [{ Name: 'route-table-id', Values: ids }] }),
        )
      ).RouteTables,
    (t) => t.RouteTableId,
    inVpc(env, 'route table'),
  );
}

/** NAT gateways adopted as standbys must exist, be in the VPC and be available. */
function adoptedGateways(env: Environment, ec2: EC2Client) {
  const wanted: Wanted[] = [
    ...(env.gateway.mode !== 'per-zone' && env.gateway.natGatewayId
      ? [{ id: env.gateway.natGatewayId, path: at(env, 'gateway', 'natGatewayId') }]
      : []),
    ...env.zones.flatMap((z, i) =>
      z.natGatewayId ? [{ id: z.natGatewayId, path: at(env, 'zones', i, 'natGatewayId') }] : [],
    ),
  ];
  return lookUp(
    'looking up the adopted NAT gateways',
    wanted,
    // A deleted gateway stays listed for a while: it counts as gone.
    async (ids) =>
      (
        await ec2.send(
          new DescribeNatGatewaysCommand({ Filter: [{ Name: 'nat-gateway-id', Values: ids }] }),
        )
      ).NatGateways?.filter((n) => n.State !== 'deleted' && n.State !== 'deleting'),
    (n) => n.NatGatewayId,
    inVpc(env, 'NAT gateway', (w, n) =>
      n.State !== 'available'
        ? `NAT gateway ${w.id} is ${n.State}, not available`
        : env.gateway.mode === 'regional' && n.AvailabilityMode === 'zonal'
          ? // A zonal gateway would leave every other zone behind when its own zone fails.
            `NAT gateway ${w.id} is zonal (in ${n.SubnetId}), but gateway.mode regional needs a regional one (or set gateway.mode shared)`
          : undefined,
    ),
  );
}

/** Elastic IPs brought along must exist. */
function elasticIps(env: Environment, ec2: EC2Client) {
  const wanted = env.zones.flatMap((z, i) =>
    z.eipAllocation ? [{ id: z.eipAllocation, path: at(env, 'zones', i, 'eipAllocation') }] : [],
  );
  return lookUp(
    'looking up the Elastic IPs',
    wanted,
    async (ids) =>
      (
        await ec2.send(
          new DescribeAddressesCommand({ Filters: [{ Name: 'allocation-id', Values: ids }] }),
        )
      ).Addresses,
    (a) => a.AllocationId,
    (w, a) => (a ? undefined : `Elastic IP ${w.id} does not exist in ${env.region}`),
  );
}
