// The GitHub runner cancelled in the middle of Maintenance: the workflow action only follows the
// execution, so killing it stops nothing in AWS. The execution runs to its end; the next drift
// check (record-state, check mode) records what it did. Maintenance is started through the
// workflow action's own code, its follower killed when the run reaches a chosen state, and the
// invariant checked at the end (worldPerTest). Nothing here waits on the clock.
import { describe, expect, it } from '@jest/globals';
import { dirname } from 'node:path';
import { getOctokit } from '@actions/github';
import { workflowAction } from '../../actions/workflow/src/workflow.js';
import { recordStateAction } from '../../actions/record-state/src/record-state.js';
import type { ExecutionResult, Starter } from '../../lib/workflows/follow.js';
import { formatRecord } from '../../lib/record/format.js';
import { snapshot } from '../../lib/record/snapshot.js';
import { stateBranch, stateFile } from '../../lib/names.js';
import { fakeCore } from '../fake-core.js';
import { startFakeGitHub } from '../github.js';
import { worldPerTest, writeConfig, type World } from '../workflows-world.js';

const newWorld = worldPerTest();

/** A starter over the in-process runner whose follower dies when the run enters `at`. */
function killedAt(w: World, at: string) {
  const seen = { execution: undefined as Promise<ExecutionResult> | undefined, ended: false };
  const starter: Starter = {
    async start(arn, input, name, onEvent) {
      const e = w.sf.start(arn, input, name);
      seen.execution = e.result.then((r) => ((seen.ended = true), r));
      let kill: (e: Error) => void = () => undefined;
      const killed = new Promise<never>((_, reject) => (kill = reject));
      e.onEvent = (ev) => {
        onEvent(ev);
        if (ev.kind === 'entered' && ev.state === at) kill(new Error('The runner was cancelled'));
      };
      return { executionArn: e.arn, result: Promise.race([e.result, killed]) };
    },
  };
  return { starter, seen };
}

describe('the runner cancelled mid-Maintenance', () => {
  it.each([
    ['while the image builds', 'ImageState'],
    ['while the instances roll', 'Replace'],
    ['at the final fallback', 'Fallback'],
  ])(
    '%s: the execution ends in AWS, and the next drift check records the new fleet',
    async (_, at) => {
      const w = await newWorld();
      const gh = await startFakeGitHub({ owner: 'acme', repo: 'fleet' });
      try {
        const config = writeConfig(w.env);
        const before = await snapshot({ ec2: w.ec2, ssm: w.ssm }, w.env, {
          reason: 'deploy',
          now: new Date('2026-11-30T09:00:00Z'),
        });
        gh.branches.get('main')!.set(stateFile('prod'), formatRecord(before));

        const { starter, seen } = killedAt(w, at);
        const action = fakeCore({
          environment: 'prod',
          config,
          workflow: 'maintenance',
          reason: 'image 15 days old',
        });
        const done = await workflowAction(action.core as never, () => starter);
        // The step died with its runner; the execution did not.
        expect(done).toBeUndefined();
        expect(action.out.failed).toContain('The runner was cancelled');
        expect(seen.ended).toBe(false);
        const r = await seen.execution!;
        expect([r.status, r.error]).toEqual(['SUCCEEDED', undefined]);

        // The next drift check, as drift.yml runs it.
        const drift = fakeCore({ environment: 'prod', config, mode: 'check', token: gh.token });
        await recordStateAction(drift.core as never, {
          env: {
            GITHUB_WORKSPACE: dirname(config),
            GITHUB_REPOSITORY: 'acme/fleet',
            GITHUB_RUN_ID: '99',
          },
          now: () => new Date('2026-11-30T10:00:00Z'),
          aws: () => ({ ec2: w.ec2, ssm: w.ssm }),
          octokit: (token) => getOctokit(token, { baseUrl: gh.url }),
          sleep: async () => undefined,
        });
        expect(drift.out.failed).toBeUndefined();
        expect(drift.out.outputs.drift).toBe('true');
        const recorded = JSON.parse(gh.branches.get(stateBranch('prod'))!.get(stateFile('prod'))!);
        for (const z of w.zones) {
          const zr = recorded.zones[z.zone];
          expect(zr.mode).toBe('instance');
          expect(zr.instance.instanceId).not.toBe(z.instanceId);
          expect(zr.instance.amiId).toBe(w.newAmi);
        }
        expect(gh.pulls.filter((p) => p.state === 'open')).toHaveLength(1);
        expect(gh.violations).toEqual([]);
      } finally {
        await gh.stop();
      }
    },
  );
});
