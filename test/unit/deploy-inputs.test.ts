// The workflows stack's parameters come from the gateway and fleet stacks' resources: read
// when they exist, stood in for in a plan when they do not, refused in an apply.
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CloudFormationClient,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  type StackResource,
} from '@aws-sdk/client-cloudformation';
import { DescribeAddressesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { resolveInputs } from '../../lib/deploy/inputs.js';
import { workflowsStack } from '../../cloudformation/workflows.js';
import { stackName } from '../../lib/names.js';
import { exampleEnv } from '../helpers.js';

const cfn = mockClient(CloudFormationClient);
const ec2 = mockClient(EC2Client);
const clients = {
  cfn: new CloudFormationClient({ region: 'eu-west-1' }),
  ec2: new EC2Client({ region: 'eu-west-1' }),
};
const env = exampleEnv('prod');
const stack = workflowsStack(env);

function resources(byStack: Record<string, Partial<StackResource>[]>) {
  cfn.on(DescribeStackResourcesCommand).callsFake(({ StackName }: { StackName: string }) => {
    const list = byStack[StackName];
    if (!list) {
      throw Object.assign(new Error(`Stack with id ${StackName} does not exist`), {
        name: 'ValidationError',
      });
    }
    return { StackResources: list };
  });
  // Deploy first asks which stack a name stands for (ADR 0091): the one that exists, by its id.
  cfn.on(DescribeStacksCommand).callsFake(({ StackName }: { StackName: string }) => {
    if (!byStack[StackName]) {
      throw Object.assign(new Error(`Stack with id ${StackName} does not exist`), {
        name: 'ValidationError',
      });
    }
    return { Stacks: [{ StackName, StackId: StackName, StackStatus: 'CREATE_COMPLETE' }] };
  });
}

const done = (LogicalResourceId: string, PhysicalResourceId: string) => ({
  LogicalResourceId,
  PhysicalResourceId,
  ResourceStatus: 'CREATE_COMPLETE' as const,
});

beforeEach(() => {
  cfn.reset();
  ec2.reset();
});

describe('the workflows stack inputs', () => {
  it('are what the example needs: launch template, created standbys, created Elastic IPs', () => {
    const zones = env.zones.filter((z) => !z.eipAllocation).length;
    expect(Object.keys(stack.inputs!)).toContain('LaunchTemplateId');
    expect(Object.values(stack.inputs!).filter((i) => i.value === 'allocation-id')).toHaveLength(
      zones,
    );
    for (const name of Object.keys(stack.inputs!)) {
      expect(stack.template.Parameters![name]).toBeDefined();
    }
  });

  it('are read from the resources, an Elastic IP turned into its allocation id', async () => {
    const gateway = Object.entries(stack.inputs!).filter(([, i]) => i.stack === 'gateway');
    const eips = Object.entries(stack.inputs!).filter(([, i]) => i.value === 'allocation-id');
    resources({
      [stackName('prod', 'gateway')]: gateway.map(([, i], n) =>
        done(i.logicalId, `nat-0${n}aaaaaaaa`),
      ),
      [stackName('prod', 'fleet')]: [
        done('LaunchTemplate', 'lt-0123456789abcdef0'),
        ...eips.map(([, i], n) => done(i.logicalId, `198.51.100.${n + 1}`)),
      ],
    });
    ec2.on(DescribeAddressesCommand).callsFake(({ PublicIps }: { PublicIps: string[] }) => ({
      Addresses: [
        {
          PublicIp: PublicIps[0],
          AllocationId: `eipalloc-0${PublicIps[0]!.split('.')[3]}ffffffff`,
        },
      ],
    }));
    const r = await resolveInputs(stack, 'prod', clients, 'apply');
    expect(r.pending).toEqual([]);
    expect(r.parameters.LaunchTemplateId).toBe('lt-0123456789abcdef0');
    for (const [n, [name]] of gateway.entries())
      expect(r.parameters[name]).toBe(`nat-0${n}aaaaaaaa`);
    for (const [n, [name]] of eips.entries()) {
      expect(r.parameters[name]).toBe(`eipalloc-0${n + 1}ffffffff`);
    }
    // One read per stack, not per parameter.
    expect(cfn.commandCalls(DescribeStackResourcesCommand)).toHaveLength(2);
  });

  it('stand in for what does not exist yet in a plan, and say which', async () => {
    resources({ [stackName('prod', 'fleet')]: [done('LaunchTemplate', 'lt-0123456789abcdef0')] });
    const r = await resolveInputs(stack, 'prod', clients, 'plan');
    expect(r.parameters.LaunchTemplateId).toBe('lt-0123456789abcdef0');
    const standIns = Object.entries(stack.inputs!).filter(([n]) => n !== 'LaunchTemplateId');
    for (const [name, input] of standIns) {
      expect(r.parameters[name]).toBe(input.placeholder);
      expect(
        new RegExp(stack.template.Parameters![name]!.AllowedPattern!).test(input.placeholder),
      ).toBe(true);
    }
    expect(r.pending).toHaveLength(standIns.length);
    expect(r.pending[0]).toMatch(/^\w+ \(\w+ of natfleet-prod-(gateway|fleet)\)$/);
  });

  it('refuse an apply while something is missing, naming it, and a deleted resource counts as missing', async () => {
    resources({
      [stackName('prod', 'gateway')]: [],
      [stackName('prod', 'fleet')]: [
        { ...done('LaunchTemplate', 'lt-0123456789abcdef0'), ResourceStatus: 'DELETE_COMPLETE' },
      ],
    });
    await expect(resolveInputs(stack, 'prod', clients, 'apply')).rejects.toThrow(
      /natfleet-prod-workflows needs what other stacks make, and it is not there: LaunchTemplate of stack natfleet-prod-fleet \(for parameter LaunchTemplateId\);.*natfleet-prod-workflows was not changed/s,
    );
  });

  it('explain AWS errors in words', async () => {
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'natfleet-prod-fleet',
          StackId: 'natfleet-prod-fleet',
          StackStatus: 'CREATE_COMPLETE',
          CreationTime: new Date(),
        },
      ],
    });
    cfn
      .on(DescribeStackResourcesCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }));
    await expect(resolveInputs(stack, 'prod', clients, 'plan')).rejects.toThrow(
      /AWS denied reading the resources of stack natfleet-prod-fleet/,
    );
  });
});
