// Errors the deploy step reports to a person: what is wrong and what to do about it.

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

const CREDENTIALS_MISSING = ['CredentialsProviderError'];
const CREDENTIALS_BAD = [
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'InvalidAccessKeyId',
  'RequestExpired',
];
const FORBIDDEN = ['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation'];

/** An AWS SDK error in words a person can act on; other errors pass through unchanged. */
export function explainAwsError(e: unknown, doing: string): Error {
  if (e instanceof DeployError) return e;
  const err = e as { name?: string; message?: string };
  const name = err.name ?? '';
  const msg = err.message ?? String(e);
  if (CREDENTIALS_MISSING.includes(name)) {
    return new DeployError(
      `no AWS credentials found while ${doing}. In GitHub Actions add ` +
        'aws-actions/configure-aws-credentials (OIDC role) before this step; at a terminal ' +
        'set AWS_PROFILE or run "aws sso login". Nothing was changed.',
    );
  }
  if (CREDENTIALS_BAD.includes(name)) {
    return new DeployError(
      `the AWS credentials were rejected while ${doing} (${name}: ${msg}). They are expired ` +
        'or invalid: assume the role again (or "aws sso login") and rerun.',
    );
  }
  if (FORBIDDEN.includes(name)) {
    return new DeployError(
      `AWS denied ${doing} (${name}: ${msg}). The deploy role needs CloudFormation, IAM, ` +
        'EC2, Lambda, S3, SSM, Events and CloudWatch permissions for natfleet (docs/deploy.md).',
    );
  }
  return new DeployError(`${doing} failed: ${name ? `${name}: ` : ''}${msg}`);
}
