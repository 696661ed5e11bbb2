// The workflow action: one typed settings object from the inputs, then the same operation as
// `natfleet <verb>`, reported the GitHub way (log lines, outputs, job summary, failure).
import type * as Core from '@actions/core';
import { failAction } from '../../../lib/actions/fail.js';
import { readInputs } from '../../../lib/actions/inputs.js';
import { environment, loadConfig } from '../../../lib/config/load.js';
import { awsClients } from '../../../lib/aws/clients.js';
import { sfnStarter, type Starter } from '../../../lib/workflows/follow.js';
import {
  operate,
  parseZones,
  rowsAsMarkdown,
  type Operated,
} from '../../../lib/workflows/operate.js';
import { logSafe } from '../../../lib/log-safe.js';

type CoreApi = Pick<
  typeof Core,
  'getInput' | 'setOutput' | 'setFailed' | 'error' | 'info' | 'warning' | 'summary'
>;

export interface WorkflowSettings {
  environment: string;
  config: string;
  workflow: string;
  zones?: string[];
  reason: string;
  /** gha-<run id>: part of the execution name, so a run is found from the workflow run. */
  origin: string;
  /** hold: true — who holds the zones: the actor who started the workflow run. */
  holdBy?: string;
}

export function settingsFrom(core: CoreApi, env = process.env): WorkflowSettings {
  const i = readInputs(core, 'workflow');
  const zones = parseZones(i.zones);
  return {
    environment: i.environment,
    config: i.config,
    workflow: i.workflow,
    ...(zones ? { zones } : {}),
    reason: i.reason,
    origin: env.GITHUB_RUN_ID ? `gha-${env.GITHUB_RUN_ID}` : 'gha',
    ...(i.hold === 'true' ? { holdBy: `${env.GITHUB_ACTOR || 'unknown'} (GitHub Actions)` } : {}),
  };
}

const consoleLink = (region: string, arn: string) =>
  `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${arn}`;

export async function workflowAction(
  core: CoreApi,
  starter?: (region: string) => Starter,
): Promise<Operated | undefined> {
  let s: WorkflowSettings;
  try {
    s = settingsFrom(core);
  } catch (e) {
    failAction(core, 'workflow', e, {
      doing: 'reading the inputs',
      nothing: 'nothing was started',
    });
    return undefined;
  }
  let region: string | undefined;
  try {
    const env = environment(loadConfig(s.config), s.environment);
    region = env.region;
    const aws = awsClients(env.region);
    const done = await operate(
      {
        env,
        verb: s.workflow,
        zones: s.zones,
        reason: s.reason,
        origin: s.origin,
        ...(s.holdBy ? { holdBy: s.holdBy } : {}),
      },
      {
        ec2: aws.ec2,
        starter: starter?.(env.region) ?? sfnStarter(aws.sfn),
        log: (l) => core.info(logSafe(l)),
      },
    );
    core.setOutput('execution-arn', done.executionArn);
    core.setOutput('status', done.result.status);
    const r = done.result;
    await core.summary
      .addHeading(`natfleet ${done.workflow} — ${env.name}: ${r.status}`, 3)
      .addRaw(`Reason: ${s.reason}\n\n`)
      .addRaw(rowsAsMarkdown(done.rows) + '\n\n')
      .addRaw(
        r.status === 'SUCCEEDED'
          ? ''
          : `**${r.error ?? r.status}**: ${(r.cause ?? '').slice(0, 2000)}\n\n`,
      )
      .addLink(`execution ${done.executionName}`, consoleLink(env.region, done.executionArn))
      .write();
    if (r.status !== 'SUCCEEDED') {
      core.setFailed(`${done.workflow} ${r.status}: ${r.error ?? ''}: ${r.cause ?? ''}`);
    }
    return done;
  } catch (e) {
    failAction(core, 'workflow', e, {
      doing: `running the ${s.workflow} workflow`,
      env: s.environment,
      ...(region ? { region } : {}),
      nothing: 'nothing was started',
    });
    return undefined;
  }
}
