// One generic adapter from a Task's resource ARN to an AWS SDK v3 call, as Step Functions makes
// it: arn:aws:states:::aws-sdk:ec2:replaceRoute + PascalCase parameters → ReplaceRouteCommand on
// an EC2 client; the response without $metadata, dates as ISO strings; errors named
// Service.CodeException.
import * as ec2 from '@aws-sdk/client-ec2';
import * as ssm from '@aws-sdk/client-ssm';
import * as sfn from '@aws-sdk/client-sfn';
import * as imagebuilder from '@aws-sdk/client-imagebuilder';

/** Anything with an SDK client's send(); tests pass a double where a service is not in moto. */
export interface Sender {
  send(command: unknown): Promise<unknown>;
}

export type ServiceClients = Partial<Record<string, Sender>>;

/** The command classes of each service the workflows call, by SDK module. */
const MODULES: Record<string, Record<string, unknown>> = { ec2, ssm, sfn, imagebuilder };

export interface SdkResource {
  service: string;
  action: string;
}

export function parseSdkResource(resource: string): SdkResource | undefined {
  const m = /^arn:aws[a-z-]*:states:::aws-sdk:([a-z0-9]+):([a-zA-Z0-9]+)$/.exec(resource);
  return m ? { service: m[1]!, action: m[2]! } : undefined;
}

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The error name Step Functions gives an SDK error: Service.CodeException (dots dropped). */
export function stepFunctionsErrorName(service: string, code: string): string {
  const c = code.replace(/[^A-Za-z0-9]/g, '');
  return `${pascal(service)}.${c.endsWith('Exception') ? c : `${c}Exception`}`;
}

export class TaskError extends Error {
  constructor(name: string, cause: string) {
    super(cause);
    this.name = name;
  }
}

export async function callSdk(
  clients: ServiceClients,
  resource: string,
  input: unknown,
): Promise<unknown> {
  const r = parseSdkResource(resource);
  if (!r) throw new TaskError('States.Runtime', `not an aws-sdk resource: ${resource}`);
  const mod = MODULES[r.service];
  const client = clients[r.service];
  const Command = mod?.[`${pascal(r.action)}Command`] as
    (new (input: unknown) => unknown) | undefined;
  if (!mod || !client || !Command) {
    throw new TaskError('States.Runtime', `no client for ${r.service}:${r.action}`);
  }
  try {
    const out = (await client.send(new Command(input ?? {}))) as Record<string, unknown>;
    const body = { ...out };
    delete body.$metadata;
    return JSON.parse(JSON.stringify(body));
  } catch (e) {
    const err = e as { name?: string; Code?: string; message?: string };
    const code = err.Code ?? err.name ?? 'Unknown';
    throw new TaskError(
      stepFunctionsErrorName(r.service, code),
      `${code}: ${err.message ?? String(e)}`,
    );
  }
}
