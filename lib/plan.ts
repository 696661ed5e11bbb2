// `plan`: an environment's stacks rendered to files, and its cost, without any AWS call.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Environment } from './config/schema.js';
import { parameterFile, resourceCounts, type RenderedStack } from './cfn.js';
import { STACKS, type StackKind } from './names.js';
import { estimateCost, type CostEstimate } from './cost/estimate.js';
import { renderStacks } from '../cloudformation/index.js';

export interface PlanResult {
  environment: Environment;
  stacks: RenderedStack[];
  /** Stack kinds of the design with no template yet. */
  missing: StackKind[];
  files: string[];
  cost: CostEstimate;
}

export function planEnvironment(env: Environment, outDir: string, gbPerMonth: number): PlanResult {
  const cost = estimateCost(env, gbPerMonth); // fails before anything is written
  const stacks = renderStacks(env);
  mkdirSync(outDir, { recursive: true });
  const files: string[] = [];
  for (const s of stacks) {
    const t = join(outDir, `${s.name}.template.json`);
    const p = join(outDir, `${s.name}.parameters.json`);
    writeFileSync(t, JSON.stringify(s.template, null, 2) + '\n');
    writeFileSync(p, JSON.stringify(parameterFile(s.parameters), null, 2) + '\n');
    files.push(t, p);
  }
  const built = new Set(stacks.map((s) => s.kind));
  const missing = STACKS.filter(
    (k) =>
      !built.has(k) && !(k === 'gateway' && adoptsAll(env)) && !(k === 'access' && !env.github),
  );
  return { environment: env, stacks, missing, files, cost };
}

function adoptsAll(env: Environment): boolean {
  return env.gateway.mode === 'shared'
    ? !!env.gateway.natGatewayId
    : env.zones.every((z) => !!z.natGatewayId);
}

export function stackRows(stacks: RenderedStack[]): string[][] {
  return stacks.map((s) => {
    const counts = resourceCounts(s.template);
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    const detail = Object.entries(counts)
      .map(([type, n]) => `${n} ${type}`)
      .join(', ');
    return [s.name, String(total), detail];
  });
}
