// The validate action: the same loader as `natfleet validate`, reported the GitHub way.
import type * as Core from '@actions/core';
import { failAction } from '../../../lib/actions/fail.js';
import { readInputs } from '../../../lib/actions/inputs.js';
import { loadConfig } from '../../../lib/config/load.js';
import { ConfigError, formatProblem } from '../../../lib/config/problems.js';
import { markdownTable } from '../../../lib/table.js';
import { limitProblems } from '../../../lib/limits.js';
import { renderStacks } from '../../../cloudformation/index.js';
import { logSafe } from '../../../lib/log-safe.js';

type CoreApi = Pick<
  typeof Core,
  'getInput' | 'setOutput' | 'setFailed' | 'error' | 'info' | 'warning' | 'summary'
>;

export async function validateAction(core: CoreApi): Promise<void> {
  let file = 'natfleet.yml';
  try {
    file = readInputs(core, 'validate').config;
    const config = loadConfig(file);
    const envs = Object.values(config.environments);
    const problems = envs.flatMap((e) => limitProblems(e, renderStacks(e)));
    if (problems.length) throw new ConfigError(file, problems);
    core.setOutput('environments', JSON.stringify(envs.map((e) => e.name)));
    core.info(logSafe(`${file}: valid, ${envs.length} environment(s)`));
    await core.summary
      .addHeading('natfleet: configuration valid', 3)
      .addRaw(
        markdownTable(
          ['environment', 'account', 'region', 'zones', 'instance', 'standby'],
          envs.map((e) => [
            e.name,
            e.accountId,
            e.region,
            e.zones.map((z) => z.availabilityZone).join(', '),
            `${e.instance.type} (${e.instance.architecture})`,
            e.gateway.mode,
          ]),
        ) + '\n',
      )
      .write();
  } catch (e) {
    if (e instanceof ConfigError) {
      await core.summary
        .addHeading(`natfleet: ${e.problems.length} problem(s) in ${file}`, 3)
        .addList(e.problems.map(formatProblem))
        .write();
    }
    failAction(core, 'validate', e);
  }
}
