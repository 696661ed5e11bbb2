// `plan`: an environment's stacks written to files, and its cost, without any AWS call. The
// stacks come rendered from the entry (cloudformation/ builds them; lib/ does not import it).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Environment } from './config/schema.js';
import { parameterFile, resourceCounts, type RenderedStack } from './cfn.js';
import { estimateCost, type CostEstimate } from './cost/estimate.js';

export interface PlanResult {
  environment: Environment;
  stacks: RenderedStack[];
  files: string[];
  cost: CostEstimate;
}

export function planEnvironment(
  env: Environment,
  stacks: RenderedStack[],
  outDir: string,
  gbPerMonth: number,
): PlanResult {
  const cost = estimateCost(env, gbPerMonth); // fails before anything is written
  mkdirSync(outDir, { recursive: true });
  const files: string[] = [];
  for (const s of stacks) {
    const t = join(outDir, `${s.name}.template.json`);
    const p = join(outDir, `${s.name}.parameters.json`);
    writeFileSync(t, JSON.stringify(s.template, null, 2) + '\n');
    writeFileSync(p, JSON.stringify(parameterFile(s.parameters), null, 2) + '\n');
    files.push(t, p);
  }
  return { environment: env, stacks, files, cost };
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
