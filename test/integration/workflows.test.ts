// Every workflow passes actionlint and every action.yml GitHub's parser (the same script CI
// runs), and the fleet workflows keep natfleet's rules: OIDC, least permissions, pinned
// actions, one operation per environment at a time.
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT, tempDir } from '../helpers.js';
import { VERSION } from '../../lib/version.js';

const lint = (files: string[] = []) =>
  spawnSync(process.execPath, [join(ROOT, 'scripts/lint-workflows.mjs'), ...files], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });

const EXAMPLES = join(ROOT, 'examples/workflows');
const examples = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.yml'))
  .sort();

type Step = { uses?: string; with?: Record<string, unknown>; run?: string; if?: string };
type Job = {
  permissions?: Record<string, string>;
  concurrency?: { group: string; 'cancel-in-progress'?: boolean };
  environment?: string;
  steps?: Step[];
};
type Workflow = { on: Record<string, unknown>; permissions: unknown; jobs: Record<string, Job> };
const workflow = (file: string): Workflow => parse(readFileSync(join(EXAMPLES, file), 'utf8'));
const natfleet = (s: Step, action: string) =>
  s.uses?.startsWith(`natfleet/natfleet/actions/${action}@`) ?? false;

/** Inputs of natfleet's actions: from their action.yml when present, else as agreed. */
function inputsOf(action: string): string[] {
  try {
    const yml = parse(readFileSync(join(ROOT, 'actions', action, 'action.yml'), 'utf8'));
    return Object.keys(yml.inputs ?? {});
  } catch {
    const agreed: Record<string, string[]> = {
      deploy: ['environment', 'config', 'mode', 'stacks'],
      workflow: ['environment', 'config', 'workflow', 'zones', 'reason'],
    };
    return agreed[action]!;
  }
}

describe('workflow and action validators', () => {
  it('every workflow passes actionlint and every action.yml the workflow parser', () => {
    const r = lint();
    const count =
      readdirSync(join(ROOT, '.github/workflows')).length +
      examples.length +
      readdirSync(join(ROOT, 'actions')).length;
    expect(r.stdout).toBe(`${count} file(s) checked, 0 problem(s)\n`);
    expect(r.status).toBe(0);
  });

  it('reports a broken workflow and a broken action.yml at their lines', () => {
    const dir = tempDir();
    const wf = join(dir, 'bad.yml');
    writeFileSync(
      wf,
      [
        'on:',
        '  schedule:',
        '    - cron: "61 * * * *"',
        'jobs:',
        '  a:',
        '    runs-on: ubuntu-latest',
        '    steps:',
        '      - run: echo "${{ github.event.pull_request.title }}"',
        '',
      ].join('\n'),
    );
    const action = join(dir, 'action.yml');
    writeFileSync(action, 'name: x\nruns:\n  using: node99\n  main: dist/index.js\n');
    const r = lint([wf, action]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/bad\.yml:3:\d+: .*61.*\[events\]/);
    expect(r.stdout).toMatch(
      /bad\.yml:8:\d+: .*github\.event\.pull_request\.title.*potentially untrusted/,
    );
    expect(r.stdout).toContain("action.yml:3:10: Unexpected value 'node99' [action.yml]");
    expect(r.stdout).toContain('Required property is missing: description');
  });
});

describe('the fleet workflows (examples/workflows)', () => {
  it('are the ones docs/gitops.md describes', () => {
    expect(examples).toEqual([
      'deploy.yml',
      'drift.yml',
      'failover.yml',
      'fallback.yml',
      'maintenance.yml',
      'plan.yml',
      'replace.yml',
    ]);
    const doc = readFileSync(join(ROOT, 'docs/gitops.md'), 'utf8');
    for (const f of examples) expect(doc).toContain(`examples/workflows/${f}`);
  });

  it('pin every action to a full commit with its version, as docs/gitops.md lists them', () => {
    const doc = readFileSync(join(ROOT, 'docs/gitops.md'), 'utf8');
    const natfleetRefs = new Set<string>();
    const pins = new Map<string, string>();
    for (const file of [
      ...examples.map((f) => join(EXAMPLES, f)),
      join(ROOT, '.github/workflows/ci.yml'),
    ]) {
      for (const m of readFileSync(file, 'utf8').matchAll(/uses:\s*(\S+)(.*)$/gm)) {
        const [action, ref] = m[1]!.split('@') as [string, string];
        const at = `${file}: ${m[1]}`;
        expect(at).toMatch(/@[0-9a-f]{40}$/);
        if (action.startsWith('natfleet/')) {
          natfleetRefs.add(ref);
          // The release procedure pins the examples to the newest release (docs/releasing.md).
          expect([at, m[2]]).toEqual([at, ` # v${VERSION}`]);
          continue;
        }
        // One commit per action everywhere, its release named beside it and in the docs' table.
        const version = m[2]!.match(/^ # (v\d+\.\d+\.\d+)$/)?.[1];
        expect([at, version]).toEqual([at, expect.any(String)]);
        expect([at, pins.get(action) ?? ref]).toEqual([at, ref]);
        pins.set(action, ref);
        const row = new RegExp(`^\\| \`${action}\` +\\| \`${ref}\` \\| ${version} +\\|$`, 'm');
        expect([at, row.test(doc)]).toEqual([at, true]);
      }
    }
    expect([...pins.keys()].sort()).toEqual([
      'actions/checkout',
      'actions/download-artifact',
      'actions/setup-node',
      'actions/setup-python',
      'actions/upload-artifact',
      'aws-actions/configure-aws-credentials',
    ]);
    expect(natfleetRefs.size).toBe(1); // one release for every natfleet step
  });

  it('are pinned to a natfleet release by the command docs/gitops.md gives', () => {
    const doc = readFileSync(join(ROOT, 'docs/gitops.md'), 'utf8');
    const command = doc.match(/^ *(sed -i -E 's%\(natfleet.*)$/m)?.[1];
    expect(command).toBeDefined();
    const repo = tempDir('natfleet-fleet-repo-');
    const dir = join(repo, '.github/workflows');
    mkdirSync(dir, { recursive: true });
    for (const f of examples) copyFileSync(join(EXAMPLES, f), join(dir, f));
    const commit = 'c0ffee'.padEnd(40, '1');
    const r = spawnSync(
      'bash',
      ['-c', command!.replace('<commit>', commit).replace('<release>', 'v1.2.3')],
      { cwd: repo, encoding: 'utf8' },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    let steps = 0;
    for (const f of examples) {
      const text = readFileSync(join(dir, f), 'utf8');
      for (const m of text.matchAll(/uses: (natfleet\/\S+)(.*)$/gm)) {
        steps++;
        expect(`${m[1]}${m[2]}`).toMatch(new RegExp(`@${commit} # v1\\.2\\.3$`));
      }
    }
    expect(steps).toBe(26);
    const pinned = lint(examples.map((f) => join(dir, f)));
    expect(pinned.stdout).toBe(`${examples.length} file(s) checked, 0 problem(s)\n`);
  });

  it('use OIDC only, and write permissions only in jobs that open a pull request', () => {
    for (const f of examples) {
      const text = readFileSync(join(EXAMPLES, f), 'utf8');
      expect(text).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_SECRET/);
      const w = workflow(f);
      expect([f, w.permissions]).toEqual([f, { contents: 'read' }]);
      for (const [name, job] of Object.entries(w.jobs)) {
        const steps = job.steps ?? [];
        const at = `${f} ${name}`;
        const aws = steps.some((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
        expect([at, job.permissions?.['id-token'] === 'write']).toEqual([at, aws]);
        const opensPr =
          steps.some((s) => natfleet(s, 'record-state') && s.with?.mode === 'publish') ||
          steps.some((s) => natfleet(s, 'deploy') && s.with?.mode === 'plan');
        const writes = Object.entries(job.permissions ?? {})
          .filter(([k, v]) => v === 'write' && k !== 'id-token')
          .map(([k]) => k);
        if (!opensPr) expect([at, writes]).toEqual([at, []]);
        if (steps.some((s) => natfleet(s, 'deploy') && s.with?.mode === 'plan')) {
          expect([at, writes]).toEqual([at, ['pull-requests']]);
        }
      }
    }
  });

  it('keep write tokens and id-token in separate jobs: AWS jobs take the record, publish jobs open its pull request', () => {
    let publishers = 0;
    for (const f of examples) {
      const jobs = workflow(f).jobs as Record<
        string,
        Job & { needs?: string | string[]; if?: string }
      >;
      for (const [name, job] of Object.entries(jobs)) {
        const at = `${f} ${name}`;
        const p = job.permissions ?? {};
        const writes = ['contents', 'pull-requests'].filter((k) => p[k] === 'write');
        // Not yet for plan.yml: the deploy action comments its plan in the job that reads AWS.
        const plans = (job.steps ?? []).some(
          (s) => natfleet(s, 'deploy') && s.with?.mode === 'plan',
        );
        if (p['id-token'] === 'write' && !plans) expect([at, writes]).toEqual([at, []]);
        const steps = job.steps ?? [];
        const records = steps.filter((s) => natfleet(s, 'record-state'));
        // In a job with AWS credentials, record-state takes the record only.
        if (p['id-token'] === 'write')
          for (const r of records)
            expect([at, r.with?.['pull-request'], r.with?.mode]).toEqual([
              at,
              'false',
              r.with?.mode,
            ]);
        const publish = records.find((r) => r.with?.mode === 'publish');
        if (!publish) continue;
        publishers++;
        // After the job that took it, even when that failed, from its artifact.
        const source = [job.needs]
          .flat()
          .find((n) => (jobs[n!]?.steps ?? []).some((s) => natfleet(s, 'record-state')));
        expect([at, source]).toEqual([at, expect.any(String)]);
        expect([at, job.if]).toEqual([at, expect.stringContaining('!cancelled()')]);
        const upload = jobs[source!]!.steps!.find((s) =>
          s.uses?.startsWith('actions/upload-artifact@'),
        )!;
        const download = steps.find((s) => s.uses?.startsWith('actions/download-artifact@'));
        expect([at, download?.with?.name]).toEqual([at, upload.with?.name]);
        expect([at, download?.with?.path]).toEqual([at, 'state']);
        expect([at, publish.with?.environment]).toEqual([
          at,
          jobs[source!]!.steps!.find((s) => natfleet(s, 'record-state'))!.with?.environment,
        ]);
      }
    }
    expect(publishers).toBe(7);
  });

  it('run one operation per environment at a time (emergencies never queue), and record after it', () => {
    for (const f of examples) {
      for (const [name, job] of Object.entries(workflow(f).jobs)) {
        const steps = job.steps ?? [];
        const op = steps.findIndex(
          (s) => natfleet(s, 'workflow') || (natfleet(s, 'deploy') && s.with?.mode === 'apply'),
        );
        if (op < 0) continue;
        const at = `${f} ${name}`;
        // Failover and Fallback never queue or get cancelled: the AWS-side lock keeps runs apart.
        const emergency = ['failover', 'fallback'].includes(
          String(steps[op]!.with?.workflow ?? ''),
        );
        if (emergency) expect([at, job.concurrency]).toEqual([at, undefined]);
        else
          expect([at, job.concurrency]).toEqual([
            at,
            {
              group: expect.stringMatching(
                /^natfleet-(\$\{\{ (inputs|matrix)\.environment \}\}|staging|prod)$/,
              ),
              'cancel-in-progress': false,
            },
          ]);
        expect([at, job.environment]).toEqual([
          at,
          expect.stringMatching(/(environment \}\}|^staging|^prod)$/),
        ]);
        const record = steps.slice(op + 1).find((s) => natfleet(s, 'record-state'));
        expect([at, record?.if]).toEqual([at, expect.stringContaining('!cancelled()')]);
      }
    }
  });

  it('give natfleet actions only inputs they declare', () => {
    for (const f of examples) {
      for (const job of Object.values(workflow(f).jobs)) {
        for (const s of job.steps ?? []) {
          const action = s.uses?.match(/^natfleet\/natfleet\/actions\/([\w-]+)@/)?.[1];
          if (!action) continue;
          for (const k of Object.keys(s.with ?? {}))
            expect(`${action}: ${k}`).toBe(
              `${action}: ${inputsOf(action).includes(k) ? k : '(undeclared)'}`,
            );
        }
      }
    }
  });

  it('dispatch failover, fallback and replace with environment, zones and reason (failover: hold)', () => {
    for (const wf of ['failover', 'fallback', 'replace']) {
      const w = workflow(`${wf}.yml`);
      const inputs = (w.on.workflow_dispatch as { inputs: Record<string, unknown> }).inputs;
      expect(Object.keys(inputs)).toEqual(
        wf === 'failover'
          ? ['environment', 'zones', 'reason', 'hold']
          : ['environment', 'zones', 'reason'],
      );
      const steps = w.jobs[wf]!.steps!;
      expect(steps.find((s) => natfleet(s, 'workflow'))?.with).toMatchObject({
        workflow: wf,
        environment: '${{ inputs.environment }}',
        zones: '${{ inputs.zones }}',
        reason: '${{ inputs.reason }}',
      });
    }
  });

  it('let a failover hold its zones, through an input the action declares', () => {
    const w = workflow('failover.yml');
    const hold = (w.on.workflow_dispatch as { inputs: Record<string, { type: string }> }).inputs
      .hold;
    expect(hold).toMatchObject({ type: 'boolean', default: false });
    const step = w.jobs.failover!.steps!.find((s) => natfleet(s, 'workflow'))!;
    expect(step.with?.hold).toBe('${{ inputs.hold }}');
    expect(inputsOf('workflow')).toContain('hold');
    for (const f of ['fallback.yml', 'replace.yml', 'maintenance.yml']) {
      for (const job of Object.values(workflow(f).jobs))
        for (const s of job.steps ?? []) expect([f, s.with?.hold]).toEqual([f, undefined]);
    }
  });

  it('never queue or cancel an emergency: no concurrency group on failover or fallback, at any level', () => {
    for (const f of ['failover.yml', 'fallback.yml']) {
      const w = workflow(f) as Workflow & { concurrency?: unknown };
      expect([f, w.concurrency]).toEqual([f, undefined]);
      for (const [name, job] of Object.entries(w.jobs))
        expect([f, name, job.concurrency]).toEqual([f, name, undefined]);
    }
    // Everything else that changes AWS shares the environment's group, which never cancels.
    for (const f of ['deploy.yml', 'maintenance.yml', 'replace.yml']) {
      const groups = Object.values(workflow(f).jobs)
        .map((j) => j.concurrency)
        .filter(Boolean);
      expect([f, groups.length > 0]).toEqual([f, true]);
      for (const g of groups) expect([f, g!['cancel-in-progress']]).toEqual([f, false]);
    }
  });

  it('filter on paths a fleet repository has: natfleet.yml and its workflows', () => {
    // What a fleet repository holds (docs/gitops.md): its config, its workflows, the records.
    const repo = [
      'natfleet.yml',
      ...examples.map((f) => `.github/workflows/${f}`),
      'state/prod.json',
      'state/staging.json',
    ];
    // GitHub's filter globs: ** any path, * any name within a folder.
    const glob = (p: string) =>
      new RegExp(
        `^${p
          .split('**')
          .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'))
          .join('.*')}$`,
      );
    let filters = 0;
    for (const f of examples) {
      for (const [event, spec] of Object.entries(workflow(f).on ?? {})) {
        const paths = (spec as { paths?: string[] } | null)?.paths;
        if (!paths) continue;
        for (const p of paths) {
          filters++;
          const hits = repo.filter((x) => glob(p).test(x));
          expect([f, event, p, hits.length > 0]).toEqual([f, event, p, true]);
        }
        expect([f, event, paths.some((p) => glob(p).test('natfleet.yml'))]).toEqual([
          f,
          event,
          true,
        ]);
        expect([f, event, paths.some((p) => glob(p).test(`.github/workflows/${f}`))]).toEqual([
          f,
          event,
          true,
        ]);
      }
    }
    expect(filters).toBeGreaterThanOrEqual(4);
  });

  it('deploy by hand too, and prod only after staging succeeded', () => {
    const d = workflow('deploy.yml') as Workflow & {
      jobs: Record<string, Job & { needs?: string | string[] }>;
    };
    expect(Object.keys(d.on)).toEqual(expect.arrayContaining(['push', 'workflow_dispatch']));
    const deploys = Object.entries(d.jobs).filter(([, j]) =>
      (j.steps ?? []).some((s) => natfleet(s, 'deploy') && s.with?.mode === 'apply'),
    );
    expect(deploys.map(([, j]) => j.environment)).toEqual(['staging', 'prod']);
    const [[staging], [, prod]] = deploys as [[string, Job], [string, Job & { needs?: string }]];
    expect([prod.needs].flat()).toEqual([staging]);
    for (const [, j] of deploys) {
      const deploy = j.steps!.find((s) => natfleet(s, 'deploy'))!;
      expect(deploy.with?.environment).toBe(j.environment);
    }
  });

  it('keep every record as an artifact, uploaded after its step even when that step failed', () => {
    let uploads = 0;
    for (const f of examples) {
      for (const [name, job] of Object.entries(workflow(f).jobs)) {
        const steps = job.steps ?? [];
        const last = steps
          .map((s) => natfleet(s, 'record-state') && s.with?.mode !== 'publish')
          .lastIndexOf(true);
        if (last < 0) continue;
        const at = `${f} ${name}`;
        const up = steps
          .slice(last + 1)
          .find((s) => s.uses?.startsWith('actions/upload-artifact@'));
        expect([at, up?.if]).toEqual([at, '${{ !cancelled() }}']);
        const env = String(steps[last]!.with?.environment);
        expect([at, up?.with?.path]).toEqual([at, `state/${env}.json`]);
        expect([at, String(up?.with?.name)]).toEqual([at, expect.stringContaining(env)]);
        uploads++;
      }
    }
    expect(uploads).toBe(7);
  });

  it('run maintenance only when due or forced, and the drift check every 30 minutes', () => {
    const m = workflow('maintenance.yml');
    expect(m.on.schedule).toEqual([{ cron: '17 4 * * *' }]);
    expect(Object.keys((m.on.workflow_dispatch as { inputs: object }).inputs)).toContain('force');
    const steps = m.jobs.maintenance!.steps!;
    const maintain = steps.find((s) => natfleet(s, 'workflow'))!;
    expect(maintain.with?.workflow).toBe('maintenance');
    expect(maintain.if).toBe("${{ inputs.force || steps.before.outputs.rebuild-due == 'true' }}");
    const d = workflow('drift.yml');
    expect(d.on.schedule).toEqual([{ cron: '*/30 * * * *' }]);
    expect(d.jobs.check!.steps!.find((s) => natfleet(s, 'record-state'))?.with?.mode).toBe('check');
  });
});

describe("this repository's CI", () => {
  it('installs cfn-lint and moto, then runs npm ci and npm test through .ci/run', () => {
    const ci = parse(readFileSync(join(ROOT, '.github/workflows/ci.yml'), 'utf8'));
    const runs = (ci.jobs.test.steps as Step[]).map((s) => s.run ?? '').join('\n');
    expect(runs).toContain('cfn-lint==');
    expect(runs).toContain('moto[server]==');
    expect(runs).toContain('bash .ci/run');
    expect(readFileSync(join(ROOT, '.ci/run'), 'utf8')).toMatch(/npm ci[\s\S]*npm test/);
    expect(ci.permissions).toEqual({ contents: 'read' });
  });

  it('examples/dependabot.yml updates the pinned actions of a fleet repository, natfleet in one group', () => {
    const d = parse(readFileSync(join(ROOT, 'examples/dependabot.yml'), 'utf8'));
    expect(d.version).toBe(2);
    const u = d.updates.find(
      (x: { 'package-ecosystem': string }) => x['package-ecosystem'] === 'github-actions',
    );
    // "/" is where Dependabot looks for .github/workflows.
    expect(u).toMatchObject({
      directory: '/',
      schedule: { interval: expect.stringMatching(/^(daily|weekly|monthly)$/) },
    });
    const patterns: string[] = u.groups.natfleet.patterns;
    const glob = (p: string) =>
      new RegExp(`^${p.replace(/[.+?^${}()|[\]\\/]/g, '\\$&').replace(/\*/g, '.*')}$`);
    const refs = examples.flatMap((f) =>
      [...readFileSync(join(EXAMPLES, f), 'utf8').matchAll(/uses: (natfleet\/[^@\s]+)@/g)].map(
        (m) => m[1]!,
      ),
    );
    expect(refs.length).toBeGreaterThan(0);
    // Dependabot names an action in a folder by its repository or by its full path.
    for (const name of [...new Set(refs), 'natfleet/natfleet']) {
      expect([name, patterns.some((p) => glob(p).test(name))]).toEqual([name, true]);
    }
    expect(patterns.some((p) => glob(p).test('actions/checkout'))).toBe(false);
  });
});
