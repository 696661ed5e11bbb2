// AWS errors a newcomer meets, said as what happened and what to do. One wording for the CLI
// and every action: both call explainAws and print its sentence instead of the SDK's.

export interface AwsContext {
  /** What natfleet was doing, e.g. "starting the Failover workflow". */
  doing: string;
  /** The environment of natfleet.yml, when there is one. */
  env?: string;
  region?: string;
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
const NO_STATE_MACHINE = ['StateMachineDoesNotExist'];

export const HOW_TO_GET_CREDENTIALS =
  'At a terminal set AWS_PROFILE (and run "aws sso login" for an SSO profile) or export ' +
  'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; in GitHub Actions run ' +
  'aws-actions/configure-aws-credentials before this step, with "permissions: id-token: write" ' +
  'on the job.';

const errorName = (e: unknown) => (e as { name?: string } | undefined)?.name ?? '';
const errorMessage = (e: unknown) => (e as { message?: string } | undefined)?.message ?? String(e);

/** The SDK error's kind, when it is one natfleet explains. */
export function awsErrorKind(
  e: unknown,
): 'credentials-missing' | 'credentials-rejected' | 'forbidden' | 'no-state-machine' | undefined {
  const name = errorName(e);
  if (CREDENTIALS_MISSING.includes(name)) return 'credentials-missing';
  // Some providers throw a plain Error with the chain's message.
  if (/Could not load credentials from any providers/.test(errorMessage(e))) {
    return 'credentials-missing';
  }
  if (CREDENTIALS_BAD.includes(name)) return 'credentials-rejected';
  if (FORBIDDEN.includes(name)) return 'forbidden';
  if (NO_STATE_MACHINE.includes(name) || /State Machine Does Not Exist/i.test(errorMessage(e))) {
    return 'no-state-machine';
  }
  return undefined;
}

/** The state machine's name out of the SDK's message ("…: 'arn:…:stateMachine:NAME'"). */
function stateMachineIn(message: string): string | undefined {
  return /stateMachine:([\w-]+)/.exec(message)?.[1];
}

/**
 * A sentence for an AWS error natfleet knows, or undefined for any other (the caller then
 * shows the SDK's own message). Every sentence says nothing was changed when that is true.
 */
export function explainAws(e: unknown, ctx: AwsContext): string | undefined {
  const name = errorName(e);
  const message = errorMessage(e);
  switch (awsErrorKind(e)) {
    case 'credentials-missing':
      return `no AWS credentials found while ${ctx.doing}; nothing was changed. ${HOW_TO_GET_CREDENTIALS}`;
    case 'credentials-rejected':
      return (
        `the AWS credentials were rejected while ${ctx.doing} (${name}: ${message}). They are ` +
        'expired or invalid: assume the role again (or run "aws sso login") and rerun.'
      );
    case 'forbidden':
      return (
        `AWS denied ${ctx.doing} (${name}: ${message}). The role needs the permissions ` +
        'docs/deploy.md lists for natfleet.'
      );
    case 'no-state-machine': {
      const machine = stateMachineIn(message);
      const env = ctx.env ?? 'NAME';
      const where = [machine && `state machine ${machine}`, ctx.region && `in ${ctx.region}`]
        .filter(Boolean)
        .join(' ');
      return (
        `the workflows of environment "${env}" are not deployed${where ? ` (no ${where})` : ''}, ` +
        `so nothing was started. Deploy them with "natfleet deploy --env ${env} --stacks ` +
        'workflows --apply" (in GitHub: actions/deploy with mode: apply), then run this again.'
      );
    }
    default:
      return undefined;
  }
}

/** explainAws's sentence, or "<doing> failed: <the SDK's message>". */
export function awsFailure(e: unknown, ctx: AwsContext): string {
  const name = errorName(e);
  return (
    explainAws(e, ctx) ??
    `${ctx.doing} failed: ${name && name !== 'Error' ? `${name}: ` : ''}${errorMessage(e)}`
  );
}
