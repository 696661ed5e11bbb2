// The four workflow definitions, built from an environment and the refs its stacks supply.
import type { Environment } from '../config/schema.js';
import type { WorkflowName } from '../names.js';
import type { Definition } from './asl.js';
import type { WorkflowOptions, WorkflowRefs } from './common.js';
import { failoverDefinition } from './failover.js';
import { fallbackDefinition } from './fallback.js';

export type { Definition } from './asl.js';
export type { WorkflowInput, WorkflowOptions, WorkflowRefs } from './common.js';
export { failoverDefinition } from './failover.js';
export { fallbackDefinition } from './fallback.js';

export function workflowDefinitions(
  env: Environment,
  refs: WorkflowRefs,
  _options: WorkflowOptions = {},
): Record<WorkflowName, Definition> {
  return {
    Failover: failoverDefinition(env, refs),
    Fallback: fallbackDefinition(env, refs),
  } as Record<WorkflowName, Definition>;
}
