// How every action shows what stopped it: a ConfigError as one annotation per problem at its
// natfleet.yml line, a bad input by name, a known AWS error in lib/errors.ts's words.
import type * as Core from '@actions/core';
import { ConfigError, formatProblem } from '../config/problems.js';
import { explainAws, type AwsContext } from '../errors.js';
import { InputError } from './inputs.js';

type CoreFail = Pick<typeof Core, 'error' | 'setFailed'>;

/** One annotation per problem, at its file and line (the pull request shows it there). */
export function annotateConfigError(core: Pick<typeof Core, 'error'>, e: ConfigError): void {
  for (const p of e.problems) {
    core.error(formatProblem(p), {
      title: 'natfleet.yml',
      file: e.file,
      ...(p.line ? { startLine: p.line } : {}),
    });
  }
}

/**
 * Fails the step for e. `nothing` says what was not done ("nothing was changed"); action is
 * the action's name, in front of any message that is not an annotation of its own.
 */
export function failAction(
  core: CoreFail,
  action: string,
  e: unknown,
  ctx: AwsContext & { nothing?: string } = { doing: action },
): void {
  const nothing = ctx.nothing ?? 'nothing was changed';
  if (e instanceof ConfigError) {
    annotateConfigError(core, e);
    const n = e.problems.length;
    core.setFailed(`${e.file} has ${n} problem${n === 1 ? '' : 's'}; ${nothing}`);
    return;
  }
  if (e instanceof InputError) {
    core.setFailed(`natfleet ${action}: ${e.message}; ${nothing}`);
    return;
  }
  const known = explainAws(e, ctx);
  core.setFailed(`natfleet ${action}: ${known ?? (e as Error).message ?? String(e)}`);
}
