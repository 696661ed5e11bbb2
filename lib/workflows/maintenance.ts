// Maintenance: under the environment's lock (its children inherit it), builds a new NAT image, publishes its AMI id, then runs
// ReplaceInstances and Fallback. A build that fails, is cancelled or does not finish in time
// ends the run with the fleet untouched.
import type { Environment } from '../config/schema.js';
import type { Definition, State } from './asl.js';
import { pass, pollAgain, pollStart, RETRY, task } from './asl.js';
import {
  prologue,
  replaceTimeout,
  zoneTable,
  type WorkflowOptions,
  type WorkflowRefs,
} from './common.js';
import { locked } from './lock.js';

const POLL = { start: 'PollInit', count: 'PollCount', patience: 'Patience?', pause: 'PollWait' };

const START_SYNC = 'arn:aws:states:::states:startExecution.sync:2';

const fail = (error: string, cause: string): Record<string, State> => ({
  [`${error}Cause`]: pass({ 'cause.$': cause }, '$.report', error),
  [error]: { Type: 'Fail', Error: error, CausePath: '$.report.cause' },
});

function child(
  arn: string,
  resultPath: string,
  errorPath: string,
  next: string,
  timeout: number,
): State {
  return {
    Type: 'Task',
    Resource: START_SYNC,
    Parameters: {
      StateMachineArn: arn,
      Input: {
        'zones.$': '$.zones',
        'reason.$': "States.Format('maintenance: {}', $.reason)",
        'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id',
      },
    },
    TimeoutSeconds: timeout,
    // A throttled or failed start started nothing; a child that ran and failed is not retried.
    Retry: RETRY,
    ResultSelector: { 'output.$': '$.Output' },
    ResultPath: resultPath,
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: errorPath, Next: next }],
    Next: next,
  };
}

export function maintenanceDefinition(
  env: Environment,
  refs: WorkflowRefs,
  options: WorkflowOptions = {},
): Definition {
  const timeout = options.maintenanceTimeoutSeconds ?? 5400;
  const childTimeout = replaceTimeout(options);
  const poll = options.imagePollSeconds ?? 60;
  // The build gets what the roll and the fallback do not need.
  const maxPolls = Math.max(1, Math.floor((timeout - childTimeout - 600) / poll));
  return {
    Comment: `natfleet ${env.name}: Maintenance — new image, rolling replacement, fallback`,
    TimeoutSeconds: timeout,
    ...locked('Maintenance', env.name, {
      StartAt: 'Fleet',
      States: {
        ...prologue('Maintenance', zoneTable(env, refs), 'Build'),
        Build: task(
          'imagebuilder',
          'startImagePipelineExecution',
          {
            ImagePipelineArn: refs.imagePipelineArn,
            'ClientToken.$': "States.Hash($$.Execution.Id, 'MD5')",
          },
          'PollInit',
          {
            ResultSelector: { 'arn.$': '$.ImageBuildVersionArn' },
            ResultPath: '$.image',
            onError: 'BuildNotStartedCause',
          },
        ),
        ...fail(
          'BuildNotStarted',
          "States.Format('the image pipeline did not start: {}; fleet untouched', $.error.Cause)",
        ),
        ...pollStart(POLL, 'ImageState'),
        ImageState: task(
          'imagebuilder',
          'getImage',
          { 'ImageBuildVersionArn.$': '$.image.arn' },
          'Built?',
          {
            ResultSelector: { 'status.$': '$.Image.State.Status', 'image.$': '$.Image' },
            ResultPath: '$.build',
          },
        ),
        'Built?': {
          Type: 'Choice',
          Choices: [
            { Variable: '$.build.status', StringEquals: 'AVAILABLE', Next: 'Ami' },
            {
              Or: ['FAILED', 'CANCELLED', 'DELETED'].map((s) => ({
                Variable: '$.build.status',
                StringEquals: s,
              })),
              Next: 'ImageBuildFailedCause',
            },
          ],
          Default: 'PollCount',
        },
        ...fail(
          'ImageBuildFailed',
          "States.Format('image build {} ended {}; fleet untouched', $.image.arn, $.build.status)",
        ),
        ...pollAgain(POLL, maxPolls, poll, 'ImageState', 'CancelBuild'),
        CancelBuild: {
          ...task(
            'imagebuilder',
            'cancelImageCreation',
            {
              'ImageBuildVersionArn.$': '$.image.arn',
              'ClientToken.$': "States.Hash($.image.arn, 'MD5')",
            },
            'ImageBuildTimedOutCause',
          ),
          Catch: [
            { ErrorEquals: ['States.ALL'], ResultPath: null, Next: 'ImageBuildTimedOutCause' },
          ],
        },
        ...fail(
          'ImageBuildTimedOut',
          `States.Format('image build {} not finished after ${maxPolls * poll} s (last status {}); cancelled, fleet untouched', $.image.arn, $.build.status)`,
        ),
        Ami: pass(
          { 'ids.$': `$.build.image.OutputResources.Amis[?(@.Region == '${env.region}')].Image` },
          '$.ami',
          'Publish',
        ),
        Publish: task(
          'ssm',
          'putParameter',
          {
            Name: refs.amiParameter,
            'Value.$': '$.ami.ids[0]',
            Type: 'String',
            DataType: 'aws:ec2:image',
            Overwrite: true,
          },
          'Replace',
          { onError: 'PublishFailedCause' },
        ),
        ...fail(
          'PublishFailed',
          "States.Format('could not publish AMI {}: {}; fleet untouched', $.ami.ids[0], $.error.Cause)",
        ),
        Replace: child(
          refs.replaceInstancesArn,
          '$.replace',
          '$.replaceError',
          'Fallback',
          childTimeout + 60,
        ),
        Fallback: child(refs.fallbackArn, '$.fallback', '$.fallbackError', 'Outcome?', 600),
        'Outcome?': {
          Type: 'Choice',
          Choices: [
            { Variable: '$.replaceError', IsPresent: true, Next: 'ReplaceFailedCause' },
            { Variable: '$.fallbackError', IsPresent: true, Next: 'FallbackFailedCause' },
          ],
          Default: 'Done',
        },
        ...fail(
          'ReplaceFailed',
          "States.Format('AMI {} published; ReplaceInstances failed ({}), Fallback ran after it', $.ami.ids[0], $.replaceError.Cause)",
        ),
        ...fail(
          'FallbackFailed',
          "States.Format('AMI {} published and rolled out; Fallback failed: {}', $.ami.ids[0], $.fallbackError.Cause)",
        ),
        Done: {
          Type: 'Pass',
          Parameters: {
            workflow: 'Maintenance',
            'reason.$': '$.reason',
            image: { 'arn.$': '$.image.arn', 'ami.$': '$.ami.ids[0]' },
            'replace.$': '$.replace.output',
            'fallback.$': '$.fallback.output',
            'zones.$': '$.fallback.output.zones',
          },
          End: true,
        },
      },
    }),
  };
}
