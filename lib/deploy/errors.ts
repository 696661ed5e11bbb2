// Errors the deploy step reports to a person: what is wrong and what to do about it.
import { awsFailure } from '../errors.js';

/** A problem with one field of natfleet.yml that AWS revealed, located for an annotation. */
export interface LocatedProblem {
  path: (string | number)[];
  /** "field: what is wrong (line N)" */
  message: string;
  file?: string;
  line?: number;
}

export class DeployError extends Error {
  constructor(
    message: string,
    /** The fields at fault, when the error is about natfleet.yml (preflight). */
    readonly problems: LocatedProblem[] = [],
  ) {
    super(message);
    this.name = 'DeployError';
  }
}

/** An AWS SDK error in words a person can act on (lib/errors.ts, shared with the workflow verbs
 * and the actions); other errors pass through with what was being done. */
export function explainAwsError(e: unknown, doing: string): Error {
  if (e instanceof DeployError) return e;
  return new DeployError(awsFailure(e, { doing }));
}
