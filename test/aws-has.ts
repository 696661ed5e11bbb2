// Mocked EC2 and STS that hold exactly what an environment names, in its VPC and zones: the
// answer preflight passes on, for tests to break one piece of.
import type { AwsStub } from 'aws-sdk-client-mock';
import {
  DescribeAddressesCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
} from '@aws-sdk/client-ec2';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { Environment } from '../lib/config/schema.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Stub = AwsStub<any, any, any>;

export function awsHas(env: Environment, ec2: Stub, sts: Stub): void {
  sts.on(GetCallerIdentityCommand).resolves({ Account: env.accountId });
  ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: env.vpcId }] });
  ec2.on(DescribeSubnetsCommand).resolves({
    Subnets: env.zones.flatMap((z) =>
      [z.publicSubnet, z.privateSubnet].map((id) => ({
        SubnetId: id,
        VpcId: env.vpcId,
        AvailabilityZone: z.availabilityZone,
      })),
    ),
  });
  ec2.on(DescribeRouteTablesCommand).resolves({
    RouteTables: env.zones.flatMap((z) =>
      z.routeTables.map((id) => ({ RouteTableId: id, VpcId: env.vpcId })),
    ),
  });
  const adopted = [
    ...(env.gateway.mode === 'shared' && env.gateway.natGatewayId
      ? [env.gateway.natGatewayId]
      : []),
    ...env.zones.flatMap((z) => (z.natGatewayId ? [z.natGatewayId] : [])),
  ];
  ec2.on(DescribeNatGatewaysCommand).resolves({
    NatGateways: adopted.map((id) => ({
      NatGatewayId: id,
      VpcId: env.vpcId,
      State: 'available' as const,
    })),
  });
  ec2.on(DescribeAddressesCommand).resolves({
    Addresses: env.zones.flatMap((z) =>
      z.eipAllocation ? [{ AllocationId: z.eipAllocation }] : [],
    ),
  });
}
