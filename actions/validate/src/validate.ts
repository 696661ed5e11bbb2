// The validate action: the same loader as `natfleet validate`, reported the GitHub way.
import type * as Core from '@actions/core';
import { loadConfig } from '../../../lib/config/load.js';
import { ConfigError, formatProblem } from '../../../lib/config/problems.js';
import { markdownTable } from '../../../lib/table.js';
import { logSafe } from '../../../lib/log-safe.js';

type CoreApi = Pick<
  typeof Core,
  'getInput' | 'setOutput' | 'setFailed' | 'error' | 'info' | 'summary'
>;

export async function validateAction(core: CoreApi): Promise<void> {
  const file = core.getInput('config') || 'natfleet.yml';
  try {
    const config = loadConfig(file);
    const envs = Object.values(config.environments);
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
    if (!(e instanceof ConfigError)) {
      core.setFailed(`natfleet validate: ${(e as Error).message}`);
      return;
    }
    for (const p of e.problems) {
      core.error(formatProblem(p), {
        title: 'natfleet.yml',
        file,
        ...(p.line ? { startLine: p.line } : {}),
      });
    }
    await core.summary
      .addHeading(`natfleet: ${e.problems.length} problem(s) in ${file}`, 3)
      .addList(e.problems.map(formatProblem))
      .write();
    core.setFailed(`${file} has ${e.problems.length} problem(s); nothing was changed`);
  }
}
