import { loadConfig } from '../lib/config/load.js';
import { ConfigError } from '../lib/config/problems.js';
import { limitProblems } from '../lib/limits.js';
import { renderStacks } from '../cloudformation/index.js';
import type { Io } from './io.js';

export const validateHelp = `Usage: natfleet validate [--config FILE]

Checks a natfleet.yml: its structure, its values, the rules between fields, and
that each environment's rendered stacks fit AWS's limits (lib/limits.ts).
Every problem is listed with its place, what was expected and what was found.
Exit code 0 when the file is valid, 1 when it has problems. Makes no AWS call.

Options:
  --config FILE   the configuration (default: natfleet.yml, or $NATFLEET_CONFIG)
  --help          this text`;

export function validate(configPath: string, io: Io): number {
  const config = loadConfig(configPath);
  const envs = Object.values(config.environments);
  // What AWS would refuse at deploy (policy, environment and template sizes) is refused here.
  const problems = envs.flatMap((e) => limitProblems(e, renderStacks(e)));
  if (problems.length) throw new ConfigError(configPath, problems);
  io.out(`${configPath}: valid — ${envs.length} environment${envs.length === 1 ? '' : 's'}`);
  for (const e of envs) {
    io.out(
      `  ${e.name}: account ${e.accountId}, ${e.region}, ${e.vpcId}, ${e.zones.length} zone(s), ` +
        `${e.instance.type} (${e.instance.architecture}), standby ${e.gateway.mode}`,
    );
  }
  return 0;
}
