import { resolve } from 'node:path';
import { environment, loadConfig } from '../lib/config/load.js';
import { planEnvironment, stackRows } from '../lib/plan.js';
import { renderStacks } from '../cloudformation/index.js';
import { checkLimits } from '../lib/limits.js';
import { textTable, usd } from '../lib/table.js';
import { UsageError, type Io } from './io.js';

export const planHelp = `Usage: natfleet plan --env NAME [--out DIR] [--gb-per-month N] [--config FILE]

Renders the environment's CloudFormation templates and parameter files into DIR,
lists the stacks with their resources, and estimates the monthly cost against
NAT Gateways for N GB of traffic a month. Makes no AWS call; needs no credentials.

Options:
  --env NAME          the environment (required)
  --out DIR           where the templates go (default: out/NAME)
  --gb-per-month N    traffic through NAT per month, in GB (default: 0)
  --config FILE       the configuration (default: natfleet.yml, or $NATFLEET_CONFIG)
  --help              this text`;

export interface PlanArgs {
  config: string;
  env?: string;
  out?: string;
  gbPerMonth?: string;
}

export function plan(args: PlanArgs, io: Io): number {
  if (!args.env) throw new UsageError('plan: --env NAME is required');
  const gb = args.gbPerMonth === undefined ? 0 : Number(args.gbPerMonth);
  if (
    args.gbPerMonth !== undefined &&
    (args.gbPerMonth.trim() === '' || !Number.isFinite(gb) || gb < 0)
  ) {
    throw new UsageError(`plan: --gb-per-month expects a number ≥ 0, got "${args.gbPerMonth}"`);
  }
  const env = environment(loadConfig(args.config), args.env);
  const outDir = args.out ?? `out/${env.name}`;
  const stacks = renderStacks(env);
  checkLimits(args.config, env, stacks); // before anything is written
  const r = planEnvironment(env, stacks, outDir, gb);

  io.out(`natfleet plan — ${env.name}: account ${env.accountId}, ${env.region}, ${env.vpcId}`);
  io.out('');
  io.out(`Stacks (templates and parameters in ${resolve(outDir)}):`);
  io.out(textTable(['stack', 'resources', 'of which'], stackRows(r.stacks)));
  io.out('');
  const c = r.cost;
  io.out(`Monthly cost, ${c.gbPerMonth} GB a month through NAT:`);
  const rows = c.lines.map((l) => [l.item, usd(l.gateways), usd(l.natfleet)]);
  rows.push(['total', usd(c.gateways), usd(c.natfleet)]);
  io.out(textTable(['item', 'NAT Gateways', 'natfleet'], rows));
  io.out('');
  const pct = c.gateways > 0 ? ` (${((c.savings / c.gateways) * 100).toFixed(0)}%)` : '';
  io.out(
    c.savings >= 0
      ? `natfleet saves ${usd(c.savings)} a month${pct}.`
      : `natfleet costs ${usd(-c.savings)} a month more at this traffic.`,
  );
  io.out(`Break-even: ${Math.ceil(c.breakEvenGB).toLocaleString('en-US')} GB a month.`);
  for (const n of c.notes) io.out(`  · ${n}`);
  return 0;
}
