// One lock per environment for the workflows that change instances or bring zones back to them
// (ReplaceInstances, Fallback, Maintenance): an SSM parameter created with Overwrite false, so of
// two runs that try at the same moment exactly one succeeds (ADR 0110). Its value is the
// holder's execution ARN. A run started by the holder (Maintenance's children) inherits it; a
// holder that no longer runs (timed out, aborted) has left a stale lock, which is taken over.
// Failover never takes it: an emergency does not wait.
import { PREFIX, type WorkflowName } from '../names.js';
import type { Definition, State, States } from './asl.js';
import { pass, task } from './asl.js';

/** The workflows that run under the lock (and so may hold it). */
export const LOCKED = [
  'ReplaceInstances',
  'Fallback',
  'Maintenance',
] as const satisfies readonly WorkflowName[];

export const lockParameter = (env: string) => `/${PREFIX}/${env}/lock`;

export const LOCK_TAKEN = 'Ssm.ParameterAlreadyExistsException';
/** The field Step Functions sets in a child's input: the parent's execution ARN. */
export const STARTED_BY = 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID';

/** Tries to take the lock at most this often (a stale lock taken over in between). */
const ATTEMPTS = 2;

/**
 * `body` (StartAt + States) run under the environment's lock. Whatever way the body ends, the
 * lock is released when this run took it; a failure is passed on unchanged. A run that finds
 * the lock held by another running execution ends at once, successfully, having done nothing.
 */
export function locked(
  wf: WorkflowName,
  env: string,
  body: { StartAt: string; States: States },
): Pick<Definition, 'StartAt' | 'States'> {
  const Name = lockParameter(env);
  const release = (mine: string, not: string): State => ({
    Type: 'Choice',
    Choices: [{ Variable: '$.lock.mine', BooleanEquals: true, Next: mine }],
    Default: not,
  });
  const deleteLock = (next: string): State => ({
    ...task('ssm', 'deleteParameter', { Name }, next),
    // A lock already gone is released; anything else is left to the next run's stale check.
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: next }],
  });
  return {
    StartAt: 'LockInit',
    States: {
      LockInit: {
        Type: 'Pass',
        Result: { attempts: 0, mine: false },
        ResultPath: '$.lock',
        Next: 'LockNoHolder',
      },
      LockNoHolder: {
        Type: 'Pass',
        Result: { holder: 'none' },
        ResultPath: '$.holder',
        Next: 'Lock',
      },
      Lock: {
        ...task(
          'ssm',
          'putParameter',
          { Name, 'Value.$': '$$.Execution.Id', Type: 'String', Overwrite: false },
          'LockTaken',
        ),
        Catch: [{ ErrorEquals: [LOCK_TAKEN], ResultPath: null, Next: 'LockHolder' }],
      },
      LockTaken: pass({ mine: true, 'holder.$': '$$.Execution.Id' }, '$.lock', 'LockedBody'),
      LockHolder: {
        ...task('ssm', 'getParameter', { Name }, 'LockInherit?', {
          ResultSelector: { 'holder.$': '$.Parameter.Value' },
          ResultPath: '$.holder',
        }),
        // Released between our put and our read: try again.
        Catch: [
          { ErrorEquals: ['Ssm.ParameterNotFoundException'], ResultPath: null, Next: 'LockAgain' },
        ],
      },
      'LockInherit?': {
        Type: 'Choice',
        Choices: [
          // Our own put went through though its answer was lost (a retried 5xx).
          { Variable: '$.holder.holder', StringEqualsPath: '$$.Execution.Id', Next: 'LockTaken' },
          {
            And: [
              { Variable: `$.${STARTED_BY}`, IsPresent: true },
              { Variable: `$.${STARTED_BY}`, StringEqualsPath: '$.holder.holder' },
            ],
            Next: 'LockInherited',
          },
        ],
        Default: 'LockHolderState',
      },
      LockInherited: pass({ mine: false, 'holder.$': '$.holder.holder' }, '$.lock', 'LockedBody'),
      LockHolderState: {
        ...task('sfn', 'describeExecution', { 'ExecutionArn.$': '$.holder.holder' }, 'LockStale?', {
          ResultSelector: { 'status.$': '$.Status' },
          ResultPath: '$.holderState',
        }),
        Catch: [
          {
            ErrorEquals: ['Sfn.ExecutionDoesNotExistException'],
            ResultPath: null,
            Next: 'LockTakeOver',
          },
        ],
      },
      'LockStale?': {
        Type: 'Choice',
        Choices: [{ Variable: '$.holderState.status', StringEquals: 'RUNNING', Next: 'LockBusy' }],
        Default: 'LockTakeOver',
      },
      LockTakeOver: deleteLock('LockAgain'),
      LockAgain: pass(
        { 'attempts.$': 'States.MathAdd($.lock.attempts, 1)', mine: false },
        '$.lock',
        'LockRetry?',
      ),
      'LockRetry?': {
        Type: 'Choice',
        Choices: [{ Variable: '$.lock.attempts', NumericLessThan: ATTEMPTS, Next: 'Lock' }],
        Default: 'LockBusy',
      },
      LockBusy: {
        Type: 'Pass',
        Parameters: {
          workflow: wf,
          result: `the lock of ${env} is held by another run: this one did nothing`,
          'lockedBy.$': '$.holder.holder',
          zones: [],
        },
        End: true,
      },
      LockedBody: {
        Type: 'Parallel',
        Branches: [body as unknown as State],
        ResultSelector: { 'out.$': '$[0]' },
        ResultPath: '$.body',
        Catch: [
          { ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'LockReleaseAfterFailure' },
        ],
        Next: 'LockRelease',
      },
      LockRelease: release('LockReleaseDelete', 'LockReleased'),
      LockReleaseDelete: deleteLock('LockReleased'),
      LockReleased: { Type: 'Pass', InputPath: '$.body.out', End: true },
      LockReleaseAfterFailure: release('LockReleaseAfterFailureDelete', 'LockFailed'),
      LockReleaseAfterFailureDelete: deleteLock('LockFailed'),
      LockFailed: { Type: 'Fail', ErrorPath: '$.failure.Error', CausePath: '$.failure.Cause' },
    },
  };
}
