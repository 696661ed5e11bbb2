// The four workflow definitions, built from an environment and the refs its stacks supply.
import type { Environment } from '../config/schema.js';
import type { WorkflowName } from '../names.js';
import type { Definition } from './asl.js';
import type { WorkflowOptions, WorkflowRefs } from './common.js';
import { failoverDefinition } from './failover.js';
import { fallbackDefinition } from './fallback.js';
import { maintenanceDefinition } from './maintenance.js';
import { replaceDefinition } from './replace.js';

export type { Definition } from './asl.js';
export type { WorkflowInput, WorkflowOptions, WorkflowRefs } from './common.js';
export { failoverDefinition, fallbackDefinition, maintenanceDefinition, replaceDefinition };

export function workflowDefinitions(
  env: Environment,
  refs: WorkflowRefs,
  options: WorkflowOptions = {},
): Record<WorkflowName, Definition> {
  return {
    Failover: failoverDefinition(env, refs),
    Fallback: fallbackDefinition(env, refs),
    ReplaceInstances: replaceDefinition(env, refs, options),
    Maintenance: maintenanceDefinition(env, refs, options),
  };
}
