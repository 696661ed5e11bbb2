// Parameters one stack takes from another stack's resources (the workflows stack needs the
// standby gateways, the launch template and the Elastic IPs). Read from the resources, not
// from Outputs, so the value is there as soon as the resource is, whatever made the stack.
import {
  DescribeStackResourcesCommand,
  type CloudFormationClient,
} from '@aws-sdk/client-cloudformation';
import { DescribeAddressesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { RenderedStack, StackInput } from '../cfn.js';
import { stackName } from '../names.js';
import { currentStack } from './changeset.js';
import { DeployError, explainAwsError } from './errors.js';

export interface ResolvedInputs {
  parameters: Record<string, string>;
  /** Inputs a plan had to stand in for, because what holds them does not exist yet. */
  pending: string[];
}

const LIVE = /_COMPLETE$|_IN_PROGRESS$/;

async function physicalIds(cfn: CloudFormationClient, stack: string): Promise<Map<string, string>> {
  try {
    const out = await cfn.send(new DescribeStackResourcesCommand({ StackName: stack }));
    return new Map(
      (out.StackResources ?? [])
        .filter(
          (r) =>
            r.PhysicalResourceId &&
            LIVE.test(r.ResourceStatus ?? '') &&
            !r.ResourceStatus?.startsWith('DELETE'),
        )
        .map((r) => [r.LogicalResourceId!, r.PhysicalResourceId!]),
    );
  } catch (e) {
    if (/does not exist/.test((e as Error).message ?? '')) return new Map();
    throw explainAwsError(e, `reading the resources of stack ${stack}`);
  }
}

/** CloudFormation names an Elastic IP by its address; the workflows need its allocation id. */
async function allocationId(ec2: EC2Client, id: string): Promise<string | undefined> {
  if (id.startsWith('eipalloc-')) return id;
  try {
    const out = await ec2.send(new DescribeAddressesCommand({ PublicIps: [id] }));
    return out.Addresses?.[0]?.AllocationId;
  } catch (e) {
    if (/InvalidAddress\.NotFound/.test((e as Error).name ?? '')) return undefined;
    throw explainAwsError(e, `looking up the Elastic IP ${id}`);
  }
}

export async function resolveInputs(
  stack: RenderedStack,
  env: string,
  clients: { cfn: CloudFormationClient; ec2: EC2Client },
  mode: 'plan' | 'apply',
): Promise<ResolvedInputs> {
  const parameters: Record<string, string> = {};
  const pending: string[] = [];
  const missing: string[] = [];
  const byStack = new Map<string, Map<string, string>>();
  for (const [name, input] of Object.entries(stack.inputs ?? {})) {
    const from = stackName(env, input.stack);
    if (!byStack.has(from)) {
      const id = (await currentStack(clients.cfn, from))?.id;
      byStack.set(from, id ? await physicalIds(clients.cfn, id) : new Map());
    }
    const value = await read(byStack.get(from)!, input, clients.ec2);
    if (value) parameters[name] = value;
    else if (mode === 'plan') {
      parameters[name] = input.placeholder;
      pending.push(`${name} (${input.logicalId} of ${from})`);
    } else missing.push(`${input.logicalId} of stack ${from} (for parameter ${name})`);
  }
  if (missing.length > 0) {
    throw new DeployError(
      `${stack.name} needs what other stacks make, and it is not there: ${missing.join('; ')}. ` +
        `Deploy those stacks first (deploy without a stacks filter deploys all in order); ` +
        `${stack.name} was not changed.`,
    );
  }
  return { parameters, pending };
}

async function read(ids: Map<string, string>, input: StackInput, ec2: EC2Client) {
  const id = ids.get(input.logicalId);
  if (!id) return undefined;
  return input.value === 'allocation-id' ? allocationId(ec2, id) : id;
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/** The `role-arn` / `--role-arn` value: a CloudFormation service role, or nothing. */
export function parseRoleArn(text: string | undefined, accountId: string): string | undefined {
  const v = (text ?? '').trim();
  if (!v) return undefined;
  if (!ROLE_ARN.test(v)) {
    throw new DeployError(
      `role-arn: expected an IAM role ARN (arn:aws:iam::<account>:role/<name>), got ${JSON.stringify(v.slice(0, 200))}`,
    );
  }
  if (v.split(':')[4] !== accountId) {
    throw new DeployError(
      `role-arn: expected a role of the environment's account ${accountId}, got ${JSON.stringify(v)}`,
    );
  }
  return v;
}
