// The AWS SDK as the checker uses it, loaded on the first invocation rather than at Lambda
// init (ADR 0045). require(), not import(): the bundler hoists every ESM import of an external
// package to the top of the bundle, and require() of these CommonJS packages is the faster.
import { createRequire } from 'node:module';
import type * as Ec2 from '@aws-sdk/client-ec2';
import type * as Sfn from '@aws-sdk/client-sfn';
import type * as Ssm from '@aws-sdk/client-ssm';
import type { ReadCommands } from '../aws/reads.js';

export interface CheckerSdk {
  ec2: Ec2.EC2Client;
  sfn: Sfn.SFNClient;
  ssm: Ssm.SSMClient;
  commands: ReadCommands &
    Pick<typeof Sfn, 'StartExecutionCommand'> &
    Pick<typeof Ssm, 'paginateListCommands' | 'SendCommandCommand'>;
}

/**
 * The clients with short timeouts: a dead NAT must not hold up a round or the failover call.
 * Step Functions goes to the VPC endpoint's own name when there is one (its private DNS is off,
 * so the rest of the VPC keeps the public endpoint).
 */
export function loadCheckerSdk(statesEndpoint?: string): CheckerSdk {
  const load = createRequire(import.meta.url);
  const ec2 = load('@aws-sdk/client-ec2') as typeof Ec2;
  const sfn = load('@aws-sdk/client-sfn') as typeof Sfn;
  const ssm = load('@aws-sdk/client-ssm') as typeof Ssm;
  return {
    ec2: new ec2.EC2Client({
      maxAttempts: 2,
      requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 },
    }),
    sfn: new sfn.SFNClient({
      ...(statesEndpoint ? { endpoint: statesEndpoint } : {}),
      maxAttempts: 3,
      requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 },
    }),
    ssm: new ssm.SSMClient({
      maxAttempts: 2,
      requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 },
    }),
    commands: {
      DescribeRouteTablesCommand: ec2.DescribeRouteTablesCommand,
      DescribeInstancesCommand: ec2.DescribeInstancesCommand,
      DescribeInstanceStatusCommand: ec2.DescribeInstanceStatusCommand,
      StartExecutionCommand: sfn.StartExecutionCommand,
      paginateListCommands: ssm.paginateListCommands,
      SendCommandCommand: ssm.SendCommandCommand,
    },
  };
}
