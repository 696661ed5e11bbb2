// Small builders for Amazon States Language (JSONPath flavour) shared by the four workflows.
import type { Json } from '../cfn.js';

export type State = { [k: string]: Json };
export type States = Record<string, State>;

export interface Definition {
  Comment: string;
  StartAt: string;
  TimeoutSeconds?: number;
  States: States;
  [k: string]: Json | undefined;
}

/** A sub-machine (Map item processor). */
export interface Processor {
  StartAt: string;
  States: States;
  [k: string]: Json;
}

/** An AWS SDK service integration: arn:aws:states:::aws-sdk:<service>:<action>. */
export const sdk = (service: string, action: string) =>
  `arn:aws:states:::aws-sdk:${service}:${action}`;

/**
 * Errors worth a retry with backoff. Step Functions names SDK errors Service.CodeException;
 * EC2 may report every error as Ec2.Ec2Exception, so that is retried too (a few seconds lost on
 * a permanent error is cheaper than a failover that gives up on throttling).
 */
export const TRANSIENT = [
  'Ec2.RequestLimitExceededException',
  'Ec2.ThrottlingException',
  'Ec2.InternalErrorException',
  'Ec2.UnavailableException',
  'Ec2.Ec2Exception',
  'Ssm.ThrottlingException',
  'Ssm.InternalServerErrorException',
  'Imagebuilder.ThrottlingException',
  'Imagebuilder.ServiceUnavailableException',
  'Imagebuilder.ServiceException',
  'Sfn.ThrottlingException',
  'Sfn.InternalServerErrorException',
  // The optimized states:startExecution integration (Maintenance's children): not started.
  'StepFunctions.ThrottlingException',
  'StepFunctions.InternalServerErrorException',
];

export const RETRY: Json = [
  {
    ErrorEquals: TRANSIENT,
    IntervalSeconds: 1,
    MaxAttempts: 3,
    BackoffRate: 2,
    JitterStrategy: 'FULL',
  },
];

/** A task that calls one SDK action; errors not retried go to `onError` with $.error set. */
export function task(
  service: string,
  action: string,
  parameters: Json,
  next: string | { End: true },
  extra: {
    ResultSelector?: Json;
    ResultPath?: string | null;
    onError?: string;
    retry?: boolean;
  } = {},
): State {
  const s: State = { Type: 'Task', Resource: sdk(service, action), Parameters: parameters };
  if (extra.ResultSelector) s.ResultSelector = extra.ResultSelector;
  s.ResultPath = extra.ResultPath === undefined ? null : extra.ResultPath;
  if (extra.retry !== false) s.Retry = RETRY;
  if (extra.onError)
    s.Catch = [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: extra.onError }];
  Object.assign(s, typeof next === 'string' ? { Next: next } : next);
  return s;
}

export const pass = (parameters: Json, resultPath: string | null, next: string): State => ({
  Type: 'Pass',
  Parameters: parameters,
  ResultPath: resultPath,
  Next: next,
});

/** "Is there a first element" without reading a path that may be missing (States.Runtime). */
export const hasFirst = (path: string, next: string): State & { Next: string } => ({
  Variable: `${path}[0]`,
  IsPresent: true,
  Next: next,
});

/** Names of the states of a bounded poll: count a poll, judge the count, wait. */
export interface PollNames {
  start: string;
  count: string;
  patience: string;
  pause: string;
}

/** Sets $.wait.polls to 0 before the first poll. */
export const pollStart = (names: PollNames, first: string): States => ({
  [names.start]: { Type: 'Pass', Result: { polls: 0 }, ResultPath: '$.wait', Next: first },
});

/** After a poll that found nothing final: count it, then wait and poll `again`, or give up
 * after `maxPolls` polls. */
export function pollAgain(
  names: PollNames,
  maxPolls: number,
  seconds: number,
  again: string,
  giveUp: string,
): States {
  return {
    [names.count]: pass({ 'polls.$': 'States.MathAdd($.wait.polls, 1)' }, '$.wait', names.patience),
    [names.patience]: {
      Type: 'Choice',
      Choices: [{ Variable: '$.wait.polls', NumericGreaterThanEquals: maxPolls, Next: giveUp }],
      Default: names.pause,
    },
    [names.pause]: { Type: 'Wait', Seconds: seconds, Next: again },
  };
}
