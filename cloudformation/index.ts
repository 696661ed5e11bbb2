// Every stack of an environment, in deployment order. The image, fleet, checker and workflows
// stacks join this list as they are built.
import type { Environment } from '../lib/config/schema.js';
import type { RenderedStack } from '../lib/cfn.js';
import { artifactsStack } from './artifacts.js';
import { gatewayStack } from './gateway.js';
import { workflowsStack } from './workflows.js';

export function renderStacks(env: Environment): RenderedStack[] {
  return [artifactsStack(env), gatewayStack(env), workflowsStack(env)].filter(
    (s): s is RenderedStack => !!s,
  );
}
