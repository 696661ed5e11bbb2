// Errors the deploy step reports to a person: what is wrong and what to do about it.
import { awsFailure } from '../errors.js';

export class DeployError extends Error {
  constructor(message: string) {
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
