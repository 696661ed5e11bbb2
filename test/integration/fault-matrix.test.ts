// The generic fault matrix: throttling and a 5xx injected at the first call of every Task of
// every definition, from the runner's one adapter (not hand-picked). One transient fault must
// not change how a run ends, and every scenario ends with the invariant check (worldPerTest).
import { afterAll, describe, expect, it } from '@jest/globals';
import { environment, loadConfig } from '../../lib/config/load.js';
import { WORKFLOWS, type WorkflowName } from '../../lib/names.js';
import type { State } from '../../lib/workflows/asl.js';
import { workflowDefinitions, type WorkflowRefs } from '../../lib/workflows/index.js';
import { parseSdkResource, stepFunctionsErrorName, TaskError } from '../../lib/workflows/sdk.js';
import { EXAMPLE } from '../helpers.js';
import { worldPerTest } from '../workflows-world.js';

const newWorld = worldPerTest();

/** The error codes each service answers for throttling and for a server fault. */
const CODES: Record<string, { throttle: string; '5xx': string }> = {
  ec2: { throttle: 'RequestLimitExceeded', '5xx': 'InternalError' },
  ssm: { throttle: 'ThrottlingException', '5xx': 'InternalServerError' },
  imagebuilder: { throttle: 'ThrottlingException', '5xx': 'ServiceUnavailableException' },
  sfn: { throttle: 'ThrottlingException', '5xx': 'InternalServerError' },
};
type Fault = 'throttle' | '5xx';

/** The error Step Functions would raise for the fault at this resource. */
export function faultError(resource: string, fault: Fault): TaskError {
  const sdk = parseSdkResource(resource);
  if (sdk)
    return new TaskError(stepFunctionsErrorName(sdk.service, CODES[sdk.service]![fault]), fault);
  // The optimized states:startExecution integration names its errors StepFunctions.*.
  const code = fault === 'throttle' ? 'ThrottlingException' : 'InternalServerError';
  return new TaskError(stepFunctionsErrorName('stepFunctions', code), fault);
}

/** Every Task state of a definition, nested ones included. */
function tasks(states: Record<string, State>, out: string[] = []): string[] {
  for (const [name, s] of Object.entries(states)) {
    if (s.Type === 'Task') out.push(name);
    const proc = s.ItemProcessor as { States: Record<string, State> } | undefined;
    if (proc) tasks(proc.States, out);
    for (const b of (s.Branches as { States: Record<string, State> }[] | undefined) ?? [])
      tasks(b.States, out);
  }
  return out;
}

// State names do not depend on ids: read them from the example's definitions.
const example = environment(loadConfig(EXAMPLE), 'prod');
const fakeRefs = {
  gateways: Object.fromEntries(example.zones.map((z) => [z.availabilityZone, 'nat-0'])),
  launchTemplateId: 'lt-0',
  amiParameter: '/natfleet/prod/ami',
  imagePipelineArn: 'arn:pipeline',
  replaceInstancesArn: 'arn:replace',
  fallbackArn: 'arn:fallback',
} satisfies WorkflowRefs;
const defs = workflowDefinitions(example, fakeRefs);
const MATRIX: [WorkflowName, string, Fault][] = WORKFLOWS.flatMap((wf) =>
  tasks(defs[wf].States).flatMap((t) =>
    (['throttle', '5xx'] as const).map((f): [WorkflowName, string, Fault] => [wf, t, f]),
  ),
);
const reached: string[] = [];

afterAll(() => {
  const n = new Set(MATRIX.map(([wf, t]) => `${wf}/${t}`)).size;
  console.log(
    `fault matrix: ${n} Tasks × 2 faults = ${MATRIX.length} scenarios; ` +
      `${reached.length} reached their Task on the run's path`,
  );
});

describe('fault matrix: every Task × {throttle, 5xx}', () => {
  it('covers every Task of every definition', () => {
    expect(MATRIX.length).toBe(
      2 * WORKFLOWS.reduce((n, wf) => n + tasks(defs[wf].States).length, 0),
    );
    expect(MATRIX.some(([wf, t]) => wf === 'Maintenance' && t === 'ImageState')).toBe(true);
  });

  it.each(MATRIX)(
    '%s: %s answers %s once: the run ends as it would without it',
    async (wf, state, fault) => {
      let fired = false;
      const w = await newWorld({
        around: async ({ state: s, resource }, call) => {
          if (s === state && !fired) {
            fired = true;
            throw faultError(resource, fault);
          }
          return call();
        },
      });
      const e = await w.run(wf, { reason: `fault ${fault} at ${state}` });
      if (fired) reached.push(`${wf}/${state}/${fault}`);
      expect({ status: e.r.status, error: e.r.error, cause: e.r.cause }).toEqual({
        status: 'SUCCEEDED',
        error: undefined,
        cause: undefined,
      });
    },
  );
});
