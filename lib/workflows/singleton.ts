// Singleton check for the workflows that change instances: a run that finds another run of the
// same state machine RUNNING ends at once, successfully, having done nothing. Uses
// ListExecutions through the SDK integration (see docs/adr/0021-singleton-by-list-executions.md).
import type { WorkflowName } from '../names.js';
import type { States } from './asl.js';
import { task } from './asl.js';

export function singleton(wf: WorkflowName, next: string): States {
  return {
    Singleton: task(
      'sfn',
      'listExecutions',
      { 'StateMachineArn.$': '$$.StateMachine.Id', StatusFilter: 'RUNNING', MaxResults: 10 },
      'Alone?',
      {
        ResultSelector: { 'running.$': 'States.ArrayLength($.Executions)' },
        ResultPath: '$.singleton',
      },
    ),
    'Alone?': {
      Type: 'Choice',
      // This execution is one of the running ones.
      Choices: [{ Variable: '$.singleton.running', NumericGreaterThan: 1, Next: 'AlreadyRunning' }],
      Default: next,
    },
    AlreadyRunning: {
      Type: 'Pass',
      Parameters: {
        workflow: wf,
        result: `another ${wf} execution is running: this one did nothing`,
        'running.$': '$.singleton.running',
        zones: [],
      },
      End: true,
    },
  };
}
