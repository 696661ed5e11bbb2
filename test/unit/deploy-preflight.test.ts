// Preflight against mocked EC2 and STS: every id natfleet.yml names is looked up once per kind,
// and each problem points at its field and, for a configuration read from a file, its line.
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DescribeAddressesCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { STSClient } from '@aws-sdk/client-sts';
import { parseConfig } from '../../lib/config/load.js';
import type { Environment } from '../../lib/config/schema.js';
import { DeployError } from '../../lib/deploy/errors.js';
import { preflight } from '../../lib/deploy/preflight.js';
import { EXAMPLE, exampleText } from '../helpers.js';
import { awsHas } from '../aws-has.js';

const ec2 = mockClient(EC2Client);
const sts = mockClient(STSClient);
const client = { ec2: new EC2Client({ region: 'eu-west-1' }), sts: new STSClient({}) };

/** The example's text with prod adopting its shared standby, parsed as from a file. */
const TEXT = exampleText().replace(
  "      # natGatewayId: nat-0123456789abcdef0  # adopt today's NAT Gateway (shared or regional) as the standby\n",
  '      natGatewayId: nat-0aaaaaaaaaaaaaaa1\n',
);
const fromFile = (): Environment => parseConfig(TEXT, EXAMPLE).environments.prod!;

const allThere = (env: Environment) => awsHas(env, ec2, sts);

async function problemsOf(env: Environment) {
  try {
    await preflight(env, client.sts, client.ec2);
  } catch (e) {
    expect(e).toBeInstanceOf(DeployError);
    return (e as DeployError).problems;
  }
  return [];
}

beforeEach(() => {
  ec2.reset();
  sts.reset();
});

describe('preflight', () => {
  it('passes with one call per kind of id, and none for a kind the environment does not use', async () => {
    const env = fromFile();
    allThere(env);
    await preflight(env, client.sts, client.ec2);
    for (const c of [DescribeVpcsCommand, DescribeSubnetsCommand, DescribeRouteTablesCommand]) {
      expect(ec2.commandCalls(c)).toHaveLength(1);
    }
    expect(ec2.commandCalls(DescribeSubnetsCommand)[0]!.args[0].input.Filters![0]!.Values).toEqual(
      env.zones.flatMap((z) => [z.publicSubnet, z.privateSubnet]),
    );
    expect(ec2.commandCalls(DescribeNatGatewaysCommand)[0]!.args[0].input.Filter).toEqual([
      { Name: 'nat-gateway-id', Values: ['nat-0aaaaaaaaaaaaaaa1'] },
    ]);
    expect(ec2.commandCalls(DescribeAddressesCommand)).toHaveLength(1);

    ec2.resetHistory();
    const plain: Environment = {
      ...env,
      gateway: { mode: 'shared', subnet: env.zones[0]!.publicSubnet } as Environment['gateway'],
      zones: env.zones.map(({ eipAllocation: _e, ...z }) => z),
    };
    await preflight(plain, client.sts, client.ec2);
    expect(ec2.commandCalls(DescribeNatGatewaysCommand)).toHaveLength(0);
    expect(ec2.commandCalls(DescribeAddressesCommand)).toHaveLength(0);
  });

  it('locates every problem at its field and at the line of natfleet.yml that holds the id', async () => {
    const env = fromFile();
    allThere(env);
    ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [] });
    ec2.on(DescribeSubnetsCommand).resolves({
      Subnets: [
        { SubnetId: env.zones[0]!.publicSubnet, VpcId: env.vpcId, AvailabilityZone: 'eu-west-1c' },
      ],
    });
    ec2.on(DescribeRouteTablesCommand).resolves({
      RouteTables: [{ RouteTableId: env.zones[0]!.routeTables[0]!, VpcId: 'vpc-0other' }],
    });
    ec2.on(DescribeNatGatewaysCommand).resolves({
      NatGateways: [{ NatGatewayId: 'nat-0aaaaaaaaaaaaaaa1', VpcId: env.vpcId, State: 'pending' }],
    });
    ec2.on(DescribeAddressesCommand).resolves({ Addresses: [] });
    const problems = await problemsOf(env);
    const lines = TEXT.split('\n');
    // 1 VPC + 5 subnets not found + 1 in the wrong zone + 3 tables not found + 1 in another
    // VPC + 1 pending gateway + 2 Elastic IPs.
    expect(problems).toHaveLength(14);
    for (const p of problems) {
      const field = p.path.at(-1);
      const id = p.message.match(/ ((?:vpc|subnet|rtb|nat|eipalloc)-[0-9a-f]+) /)![1]!;
      expect(p.file).toBe(EXAMPLE);
      expect(p.message).toMatch(new RegExp(` \\(line ${p.line}\\)$`));
      // The line holds the id, under its own key (or as an item of routeTables).
      const text = lines[p.line! - 1]!;
      expect(text).toContain(id);
      expect(text).toContain(typeof field === 'number' ? 'routeTables' : `${field}:`);
    }
    expect(problems.map((p) => p.message.replace(/ \(line \d+\)$/, ''))).toEqual(
      expect.arrayContaining([
        'environments.prod.vpcId: VPC vpc-0a1b2c3d4e5f60718 does not exist in eu-west-1',
        'environments.prod.zones[0].publicSubnet: subnet subnet-0aa00000000000001 is in eu-west-1c, not in eu-west-1a',
        'environments.prod.zones[0].routeTables[0]: route table rtb-0cc00000000000001 is in vpc-0other, not in vpc-0a1b2c3d4e5f60718',
        'environments.prod.zones[1].routeTables[1]: route table rtb-0cc00000000000012 does not exist in eu-west-1',
        'environments.prod.gateway.natGatewayId: NAT gateway nat-0aaaaaaaaaaaaaaa1 is pending, not available',
        'environments.prod.zones[1].eipAllocation: Elastic IP eipalloc-0dd00000000000002 does not exist in eu-west-1',
      ]),
    );
  });

  it('says the same without a line for an environment built in code', async () => {
    const env = { ...fromFile() };
    allThere(env);
    ec2.on(DescribeNatGatewaysCommand).resolves({
      NatGateways: [
        { NatGatewayId: 'nat-0aaaaaaaaaaaaaaa1', VpcId: 'vpc-0other', State: 'deleting' },
      ],
    });
    const problems = await problemsOf(env);
    expect(problems).toEqual([
      {
        path: ['environments', 'prod', 'gateway', 'natGatewayId'],
        message:
          'environments.prod.gateway.natGatewayId: NAT gateway nat-0aaaaaaaaaaaaaaa1 does not exist in eu-west-1',
      },
    ]);
  });

  it("names a zone's adopted standby, per zone", async () => {
    const base = parseConfig(exampleText(), EXAMPLE).environments.prod!;
    const env: Environment = {
      ...base,
      gateway: { mode: 'per-zone' } as Environment['gateway'],
      zones: base.zones.map((z, i) =>
        i === 1 ? { ...z, natGatewayId: 'nat-0bbbbbbbbbbbbbbb1' } : z,
      ),
    };
    allThere(env);
    ec2.on(DescribeNatGatewaysCommand).resolves({
      NatGateways: [
        { NatGatewayId: 'nat-0bbbbbbbbbbbbbbb1', VpcId: 'vpc-0other', State: 'available' },
      ],
    });
    const [p, ...rest] = await problemsOf(env);
    expect(rest).toEqual([]);
    expect(p!.message).toBe(
      'environments.prod.zones[1].natGatewayId: NAT gateway nat-0bbbbbbbbbbbbbbb1 is in vpc-0other, not in vpc-0a1b2c3d4e5f60718',
    );
  });
});
