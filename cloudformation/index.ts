// Every stack of an environment, in deployment order. The image, fleet, checker and workflows
// stacks join this list as they are built.
import type { Environment } from '../lib/config/schema.js';
import type { RenderedStack } from '../lib/cfn.js';
import { accessStack } from './access.js';
import { artifactsStack } from './artifacts.js';
import { gatewayStack } from './gateway.js';
import { imageStack } from './image.js';
import { fleetStack } from './fleet.js';
import { checkerStack } from './checker.js';
import { workflowsStack } from './workflows.js';

/** What the deploy step knows only after building and uploading: the checker zip's key. */
export interface Artifacts {
  checkerCodeKey?: string;
}

export function renderStacks(env: Environment, artifacts: Artifacts = {}): RenderedStack[] {
  return [
    accessStack(env),
    artifactsStack(env),
    imageStack(env),
    gatewayStack(env),
    fleetStack(env),
    checkerStack(env, artifacts.checkerCodeKey),
    workflowsStack(env),
  ].filter((s): s is RenderedStack => !!s);
}
