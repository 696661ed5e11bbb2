// The state machine definitions the workflows stack deployed, read back from the stack's
// template and parameters with DefinitionSubstitutions filled as CloudFormation fills them
// (Ref to a parameter, a state machine or a pseudo parameter; Fn::Sub; Fn::GetAtt …Arn).
import {
  DescribeStacksCommand,
  GetTemplateCommand,
  type CloudFormationClient,
} from '@aws-sdk/client-cloudformation';
import { currentStack } from '../lib/deploy/changeset.js';
import type { Definition } from '../lib/workflows/asl.js';

export interface DeployedMachine {
  name: string;
  arn: string;
  definition: Definition;
}

interface Context {
  region: string;
  accountId: string;
  parameters: Record<string, string>;
  /** Logical id → what Ref of it answers (state machines: their ARN). */
  refs: Record<string, string>;
}

type Json = unknown;

function pseudo(name: string, c: Context): string | undefined {
  if (name === 'AWS::Region') return c.region;
  if (name === 'AWS::AccountId') return c.accountId;
  if (name === 'AWS::Partition') return 'aws';
  if (name === 'AWS::URLSuffix') return 'amazonaws.com';
  return undefined;
}

function refOf(name: string, c: Context, where: string): string {
  const v = pseudo(name, c) ?? c.parameters[name] ?? c.refs[name];
  if (v === undefined) throw new Error(`${where}: Ref ${name} names nothing the lab can resolve`);
  return v;
}

/** One value of the template, as CloudFormation would resolve it (the forms natfleet writes). */
export function resolveValue(v: Json, c: Context, where: string): string {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object') {
    const o = v as Record<string, Json>;
    if (typeof o.Ref === 'string') return refOf(o.Ref, c, where);
    if (typeof o['Fn::Sub'] === 'string') {
      return o['Fn::Sub'].replace(/\$\{([A-Za-z0-9:]+)\}/g, (_, n: string) => refOf(n, c, where));
    }
    const att = o['Fn::GetAtt'];
    if (Array.isArray(att) && att[1] === 'Arn' && typeof att[0] === 'string') {
      return refOf(att[0], c, where);
    }
  }
  throw new Error(`${where}: ${JSON.stringify(v)} is not a form the lab resolves`);
}

/** DefinitionSubstitutions applied to every string of a definition, as Step Functions does. */
export function substitute(definition: Json, subs: Record<string, string>): Definition {
  const text = JSON.stringify(definition).replace(/\$\{([A-Za-z0-9_]+)\}/g, (whole, k: string) =>
    k in subs ? JSON.stringify(subs[k]).slice(1, -1) : whole,
  );
  return JSON.parse(text) as Definition;
}

interface TemplateResource {
  Type: string;
  Properties?: Record<string, Json>;
}

/** The machines of a template, given the stack's parameter values. */
export function machinesOf(
  template: { Resources: Record<string, TemplateResource> },
  parameters: Record<string, string>,
  region: string,
  accountId: string,
): DeployedMachine[] {
  const arnOf = (name: string) => `arn:aws:states:${region}:${accountId}:stateMachine:${name}`;
  const machines = Object.entries(template.Resources).filter(
    ([, r]) => r.Type === 'AWS::StepFunctions::StateMachine',
  );
  const refs: Record<string, string> = {};
  for (const [id, r] of machines) {
    const name = r.Properties?.StateMachineName;
    if (typeof name !== 'string') throw new Error(`${id}: no StateMachineName`);
    refs[id] = arnOf(name);
  }
  const c: Context = { region, accountId, parameters, refs };
  return machines.map(([id, r]) => {
    const p = r.Properties!;
    const name = p.StateMachineName as string;
    const raw =
      p.Definition ??
      (typeof p.DefinitionString === 'string' ? JSON.parse(p.DefinitionString) : undefined);
    if (!raw) throw new Error(`${id}: neither Definition nor DefinitionString`);
    const subs = Object.fromEntries(
      Object.entries((p.DefinitionSubstitutions ?? {}) as Record<string, Json>).map(([k, v]) => [
        k,
        resolveValue(v, c, `${id}.DefinitionSubstitutions.${k}`),
      ]),
    );
    return { name, arn: refs[id]!, definition: substitute(raw, subs) };
  });
}

/** Reads a deployed stack's machines (by its current id: see currentStack). */
export async function deployedMachines(
  cfn: CloudFormationClient,
  stack: string,
  region: string,
  accountId: string,
): Promise<DeployedMachine[]> {
  const current = await currentStack(cfn, stack);
  if (!current) throw new Error(`stack ${stack} does not exist: deploy the workflows stack first`);
  const s = (await cfn.send(new DescribeStacksCommand({ StackName: current.id }))).Stacks![0]!;
  const parameters = Object.fromEntries(
    (s.Parameters ?? []).map((p) => [p.ParameterKey!, p.ParameterValue ?? '']),
  );
  const body = (await cfn.send(new GetTemplateCommand({ StackName: current.id }))).TemplateBody;
  if (!body) throw new Error(`stack ${stack} has no template`);
  return machinesOf(JSON.parse(body), parameters, region, accountId);
}
