// Every action's inputs, read one way: a TypeBox object per action whose keys are the
// action.yml input names, checked whole before anything touches AWS or Git. Each schema's
// `description` is the "expected …" of its error; defaults equal action.yml's (a test holds it).
import { Type, type Static, type TObject, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type * as Core from '@actions/core';
import { DEFAULT_CONFIG_PATH } from '../config/load.js';
import { VERBS, type WorkflowVerb } from '../workflows/operate.js';

type CoreInputs = Pick<typeof Core, 'getInput' | 'warning'>;

const text = (description: string, dflt?: string) =>
  Type.String({ description, ...(dflt === undefined ? {} : { default: dflt }) });
const oneOf = <T extends string>(values: readonly T[], dflt?: T) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    {
      description: values.length === 2 ? values.join(' or ') : `one of ${values.join(' | ')}`,
      ...(dflt === undefined ? {} : { default: dflt }),
    },
  );
const opt = <T extends TSchema>(s: T) => Type.Optional(s);

const ENVIRONMENT = Type.String({
  minLength: 1,
  description: 'the name of an environment of natfleet.yml',
});
const CONFIG = opt(text('the path of natfleet.yml', DEFAULT_CONFIG_PATH));
const TOKEN = opt(text('a GitHub token', ''));

export const INPUTS = {
  validate: Type.Object({ config: CONFIG }),
  deploy: Type.Object({
    environment: ENVIRONMENT,
    config: CONFIG,
    mode: opt(oneOf(['plan', 'apply'] as const, 'plan')),
    // Checked by parseStackFilter, the CLI's rule too.
    stacks: opt(text('stacks separated by commas (empty: all)', '')),
    // Checked against the environment's account by parseRoleArn once the config is read.
    'role-arn': opt(text('the CloudFormation service role (an IAM role ARN)', '')),
    'checker-dir': opt(text('a folder with the built checker', '')),
    token: TOKEN,
  }),
  workflow: Type.Object({
    environment: ENVIRONMENT,
    config: CONFIG,
    workflow: oneOf(Object.keys(VERBS) as WorkflowVerb[]),
    zones: opt(text('availability zones separated by commas (empty: all)', '')),
    reason: Type.String({
      pattern: '\\S',
      description: 'a few words on why (it is recorded with the run)',
    }),
    // Failover only (checked with the request): the zones stay on their gateways until released.
    hold: opt(oneOf(['false', 'true'] as const, 'false')),
  }),
  'record-state': Type.Object({
    environment: ENVIRONMENT,
    config: CONFIG,
    reason: opt(text('why the record is taken', '')),
    mode: opt(oneOf(['record', 'check', 'publish'] as const, 'record')),
    // false: take the record only; a job with write permissions publishes it (mode publish).
    'pull-request': opt(oneOf(['true', 'false'] as const, 'true')),
    token: TOKEN,
  }),
} satisfies Record<string, TObject>;

/** Inputs renamed, per action: old name → new. The old one still works, with a warning. */
export const RENAMED: Partial<Record<keyof typeof INPUTS, Record<string, string>>> = {
  deploy: { 'github-token': 'token' },
};

export type ActionName = keyof typeof INPUTS;
export type Inputs<A extends ActionName> = Required<Static<(typeof INPUTS)[A]>>;

/** A bad input: which one, what was expected, what was given. Nothing has been done yet. */
export class InputError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'InputError';
  }
}

/**
 * The action's inputs, typed, defaults filled. Empty means not given (as in GitHub, where an
 * input left out is ""); workflow choices are matched without case. Throws InputError naming
 * every bad input at once.
 */
export function readInputs<A extends ActionName>(core: CoreInputs, action: A): Inputs<A> {
  const schema: TObject = INPUTS[action];
  const given: Record<string, string> = {};
  for (const name of Object.keys(schema.properties)) {
    const v = core.getInput(name);
    if (v !== '') given[name] = v;
  }
  for (const [old, now] of Object.entries<string>(RENAMED[action] ?? {})) {
    const v = core.getInput(old);
    if (v === '') continue;
    core.warning(
      `input ${old} is deprecated and will be removed in the next major release: ` +
        `use ${now} instead (${now} was set from ${old} for this run)`,
    );
    given[now] = v;
  }
  if (given.workflow !== undefined) given.workflow = given.workflow.trim().toLowerCase();
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const e of Value.Errors(schema, given)) {
    const name = e.path.slice(1);
    if (seen.has(name)) continue;
    seen.add(name);
    const s = (schema.properties[name] ?? e.schema) as TSchema;
    const found = given[name] === undefined ? 'nothing' : JSON.stringify(given[name]);
    problems.push(`input ${name}: expected ${s.description ?? e.message}, got ${found}`);
  }
  if (problems.length > 0) throw new InputError(problems);
  return Value.Default(schema, given) as Inputs<A>;
}
