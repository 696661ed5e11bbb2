// The lab's audit trail: the committed record-state bundle, run as a workflow step runs it,
// writes state/lab.json from moto's fleet and opens its pull request on the fake GitHub.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeGitHub } from './github.js';
import { ENV_NAME, type ControlPlane } from './control-plane.js';
import { recordStateBundle } from './paths.js';

export interface AuditTrail {
  exitCode: number | null;
  outputs: Record<string, string>;
  pullRequest?: { number: number; title: string; body: string; head: string };
  /** state/lab.json as the pull request's branch holds it. */
  record?: string;
  log: string;
  /** Requests the fake GitHub found GitHub would not accept (should be none). */
  violations: unknown[];
}

const parseOutputs = (text: string) => {
  const out: Record<string, string> = {};
  const re = /^([^<\n=]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (const m of text.matchAll(re)) out[m[1]!] = m[3]!;
  return out;
};

export async function recordState(cp: ControlPlane, reason: string): Promise<AuditTrail> {
  const gh = await startFakeGitHub({ owner: 'lab', repo: 'fleet' });
  try {
    const dir = join(cp.lab.dir, 'fleet-repo');
    mkdirSync(dir, { recursive: true });
    copyFileSync(cp.configFile, join(dir, 'natfleet.yml'));
    const output = join(cp.lab.dir, 'github-output');
    const summary = join(cp.lab.dir, 'github-summary');
    writeFileSync(output, '');
    writeFileSync(summary, '');
    const inputs = {
      environment: ENV_NAME,
      config: 'natfleet.yml',
      token: gh.token,
      reason,
      mode: 'record',
    };
    const child = spawn(process.execPath, [recordStateBundle()], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        ...cp.exports(),
        GITHUB_OUTPUT: output,
        GITHUB_STEP_SUMMARY: summary,
        GITHUB_WORKSPACE: dir,
        GITHUB_REPOSITORY: `${gh.owner}/${gh.repo}`,
        GITHUB_API_URL: gh.url,
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_RUN_ID: '1',
        ...Object.fromEntries(
          Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v]),
        ),
      },
    });
    let log = '';
    child.stdout.on('data', (d) => (log += d));
    child.stderr.on('data', (d) => (log += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const exitCode = await new Promise<number | null>((r) => child.on('exit', r));
    clearTimeout(timer);
    const pr = gh.pulls[0];
    return {
      exitCode,
      outputs: parseOutputs(readFileSync(output, 'utf8')),
      ...(pr
        ? {
            pullRequest: { number: pr.number, title: pr.title, body: pr.body, head: pr.head },
            record: gh.branches.get(pr.head)?.get(`state/${ENV_NAME}.json`),
          }
        : {}),
      log,
      violations: [...gh.violations],
    };
  } finally {
    await gh.stop();
  }
}
