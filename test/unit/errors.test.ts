// The wording a newcomer reads: AWS errors (lib/errors.ts), action inputs (lib/actions/inputs.ts)
// and how an action fails (lib/actions/fail.ts), shared by the CLI and every action.
import { describe, expect, it } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { awsErrorKind, awsFailure, explainAws } from '../../lib/errors.js';
import { INPUTS, InputError, RENAMED, readInputs } from '../../lib/actions/inputs.js';
import { annotateConfigError, failAction } from '../../lib/actions/fail.js';
import { ConfigError } from '../../lib/config/problems.js';
import { explainAwsError } from '../../lib/deploy/errors.js';
import { ROOT } from '../helpers.js';

const sdkError = (name: string, message: string) => Object.assign(new Error(message), { name });
const NO_CREDENTIALS = sdkError(
  'CredentialsProviderError',
  'Could not load credentials from any providers',
);
const NO_MACHINE = sdkError(
  'StateMachineDoesNotExist',
  "State Machine Does Not Exist: 'arn:aws:states:eu-west-1:123456789012:stateMachine:natfleet-prod-Failover'",
);

function fakeCore(inputs: Record<string, string>) {
  const seen = {
    warnings: [] as string[],
    errors: [] as [string, object?][],
    failed: [] as string[],
  };
  return {
    seen,
    getInput: (name: string) => inputs[name] ?? '',
    warning: (m: string | Error) => void seen.warnings.push(String(m)),
    error: (m: string | Error, p?: object) => void seen.errors.push([String(m), p]),
    setFailed: (m: string | Error) => void seen.failed.push(String(m)),
  };
}

describe('AWS errors in words', () => {
  it('no credentials: what to set at a terminal and in GitHub, and that nothing changed', () => {
    for (const e of [NO_CREDENTIALS, new Error('Could not load credentials from any providers')]) {
      const m = explainAws(e, { doing: 'starting the Failover workflow of prod' })!;
      expect(m).toMatch(
        /^no AWS credentials found while starting the Failover workflow of prod; nothing was changed\./,
      );
      for (const hint of [
        'AWS_PROFILE',
        'aws sso login',
        'aws-actions/configure-aws-credentials',
        'id-token: write',
      ]) {
        expect(m).toContain(hint);
      }
      expect(m).not.toContain('Could not load credentials');
    }
  });

  it('no state machine: names the environment and the deploy command that makes it', () => {
    for (const env of ['prod', 'staging-2']) {
      const m = explainAws(NO_MACHINE, { doing: 'x', env, region: 'eu-west-1' })!;
      expect(m).toContain(`the workflows of environment "${env}" are not deployed`);
      expect(m).toContain('(no state machine natfleet-prod-Failover in eu-west-1)');
      expect(m).toContain(`natfleet deploy --env ${env} --stacks workflows --apply`);
      expect(m).toContain('nothing was started');
    }
    // The same from the message alone (an SDK without the error class).
    expect(awsErrorKind(new Error('State Machine Does Not Exist: x'))).toBe('no-state-machine');
  });

  it('rejected and denied credentials say so; anything else keeps the SDK message', () => {
    expect(explainAws(sdkError('ExpiredToken', 'expired'), { doing: 'reading' })).toContain(
      'the AWS credentials were rejected while reading (ExpiredToken: expired)',
    );
    expect(explainAws(sdkError('AccessDenied', 'no'), { doing: 'reading' })).toContain(
      'AWS denied reading (AccessDenied: no)',
    );
    const other = sdkError('Throttling', 'slow down');
    expect(explainAws(other, { doing: 'reading' })).toBeUndefined();
    expect(awsFailure(other, { doing: 'reading' })).toBe('reading failed: Throttling: slow down');
  });

  it('deploy says it in the same words', () => {
    const ctx = { doing: 'creating the change set of natfleet-prod-fleet' };
    expect(explainAwsError(NO_CREDENTIALS, ctx.doing).message).toBe(
      explainAws(NO_CREDENTIALS, ctx),
    );
  });
});

describe('action inputs', () => {
  it('are declared as in each action.yml: names, required, defaults', () => {
    const actions = readdirSync(join(ROOT, 'actions')).sort();
    expect(Object.keys(INPUTS).sort()).toEqual(actions);
    for (const a of actions) {
      const yml = parse(readFileSync(join(ROOT, 'actions', a, 'action.yml'), 'utf8'));
      const schema = INPUTS[a as keyof typeof INPUTS];
      const renamed = Object.keys(RENAMED[a as keyof typeof INPUTS] ?? {});
      const declared = Object.keys(yml.inputs).filter((n) => !renamed.includes(n));
      expect([a, Object.keys(schema.properties).sort()]).toEqual([a, declared.sort()]);
      for (const [name, i] of Object.entries(
        yml.inputs as Record<string, { required?: boolean; default?: string }>,
      )) {
        if (renamed.includes(name)) {
          expect([a, name, (i as { deprecationMessage?: string }).deprecationMessage]).toEqual([
            a,
            name,
            expect.any(String),
          ]);
          continue;
        }
        const s = (schema.properties as Record<string, { default?: string }>)[name]!;
        expect([
          a,
          name,
          (schema.required as string[] | undefined)?.includes(name) ?? false,
        ]).toEqual([a, name, !!i.required]);
        // ${{ github.token }} is the runner's to fill; natfleet's default is then "no token".
        const want = i.default?.startsWith('${{') ? '' : i.default;
        expect([a, name, s.default]).toEqual([a, name, i.required ? undefined : want]);
      }
    }
  });

  it('are typed and defaulted', () => {
    const core = fakeCore({ environment: 'prod', workflow: ' Failover ', reason: 'drill' });
    expect(readInputs(core, 'workflow')).toEqual({
      environment: 'prod',
      config: 'natfleet.yml',
      workflow: 'failover',
      zones: '',
      reason: 'drill',
      hold: 'false',
    });
    expect(readInputs(fakeCore({ environment: 'qa', mode: 'apply' }), 'deploy')).toMatchObject({
      mode: 'apply',
      stacks: '',
      token: '',
    });
  });

  it('name every bad input at once: which, what was expected, what was given', () => {
    const e = (() => {
      try {
        readInputs(fakeCore({ mode: 'aply', workflow: 'x' }), 'record-state');
      } catch (err) {
        return err as InputError;
      }
      throw new Error('expected an InputError');
    })();
    expect(e).toBeInstanceOf(InputError);
    expect(e.problems).toEqual([
      'input environment: expected the name of an environment of natfleet.yml, got nothing',
      'input mode: expected one of record | check | publish, got "aply"',
    ]);
    expect(() =>
      readInputs(fakeCore({ environment: 'p', workflow: 'explode', reason: ' ' }), 'workflow'),
    ).toThrow(
      'input workflow: expected one of failover | fallback | replace | maintenance, got "explode"; ' +
        'input reason: expected a few words on why (it is recorded with the run), got " "',
    );
  });

  it('the old token name still works, with a warning', () => {
    const core = fakeCore({ environment: 'prod', 'github-token': 'ghs_old' });
    expect(readInputs(core, 'deploy').token).toBe('ghs_old');
    expect(core.seen.warnings).toEqual([
      'input github-token is deprecated and will be removed in the next major release: use token instead (token was set from github-token for this run)',
    ]);
    const fresh = fakeCore({ environment: 'prod', token: 'ghs_new' });
    expect(readInputs(fresh, 'deploy').token).toBe('ghs_new');
    expect(fresh.seen.warnings).toEqual([]);
  });
});

describe('how an action fails', () => {
  const problems = [
    {
      path: ['environments', 'prod', 'vpcId'],
      expected: 'a VPC id (vpc-…)',
      found: '"nope"',
      line: 12,
    },
    { path: [], expected: 'a readable natfleet.yml', found: 'no such file' },
  ];

  it('a ConfigError: one annotation per problem at its file and line, the same in every action', () => {
    for (const action of ['validate', 'deploy', 'workflow', 'record-state']) {
      const core = fakeCore({});
      failAction(core, action, new ConfigError('fleet/natfleet.yml', problems));
      expect(core.seen.errors).toEqual([
        [
          'environments.prod.vpcId: expected a VPC id (vpc-…), got "nope" (line 12)',
          { title: 'natfleet.yml', file: 'fleet/natfleet.yml', startLine: 12 },
        ],
        [
          '(top level): expected a readable natfleet.yml, got no such file',
          { title: 'natfleet.yml', file: 'fleet/natfleet.yml' },
        ],
      ]);
      expect(core.seen.failed).toEqual(['fleet/natfleet.yml has 2 problems; nothing was changed']);
    }
    const one = fakeCore({});
    annotateConfigError(one, new ConfigError('a.yml', problems.slice(0, 1)));
    expect(one.seen.errors).toHaveLength(1);
  });

  it('a bad input, a known AWS error and any other error', () => {
    const core = fakeCore({});
    failAction(
      core,
      'record-state',
      new InputError(['input mode: expected record or check, got "x"']),
      {
        doing: 'reading the inputs',
        nothing: 'nothing was recorded',
      },
    );
    failAction(core, 'workflow', NO_MACHINE, {
      doing: 'running',
      env: 'prod',
      region: 'eu-west-1',
    });
    failAction(core, 'deploy', new Error('boom'));
    expect(core.seen.failed).toEqual([
      'natfleet record-state: input mode: expected record or check, got "x"; nothing was recorded',
      `natfleet workflow: ${explainAws(NO_MACHINE, { doing: 'running', env: 'prod', region: 'eu-west-1' })}`,
      'natfleet deploy: boom',
    ]);
    expect(core.seen.errors).toEqual([]);
  });
});
