import { loadConfig } from '../lib/config/load.js';
import type { Io } from './io.js';

export const validateHelp = `Usage: natfleet validate [--config FILE]

Checks a natfleet.yml: its structure, its values and the rules between fields.
Every problem is listed with its place, what was expected and what was found.
Exit code 0 when the file is valid, 1 when it has problems. Makes no AWS call.

Options:
  --config FILE   the configuration (default: natfleet.yml, or $NATFLEET_CONFIG)
  --help          this text`;

export function validate(configPath: string, io: Io): number {
  const config = loadConfig(configPath);
  const envs = Object.values(config.environments);
  io.out(`${configPath}: valid — ${envs.length} environment${envs.length === 1 ? '' : 's'}`);
  for (const e of envs) {
    io.out(
      `  ${e.name}: account ${e.accountId}, ${e.region}, ${e.vpcId}, ${e.zones.length} zone(s), ` +
        `${e.instance.type} (${e.instance.architecture}), standby ${e.gateway.mode}`,
    );
  }
  return 0;
}
