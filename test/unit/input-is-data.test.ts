// Input is data, never a command: text from input never becomes a workflow command in a GitHub
// log, the reason is bounded everywhere it enters, a file that is not a mapping is refused
// without its content, and URLs with a credential are refused without repeating it.
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { logSafe } from '../../lib/log-safe.js';
import { REASON_MAX_LENGTH } from '../../lib/defaults.js';
import { checkRequest } from '../../lib/workflows/operate.js';
import { loadConfig, parseConfig } from '../../lib/config/load.js';
import { ConfigError, formatProblem } from '../../lib/config/problems.js';
import { readSettings } from '../../lib/checker/settings.js';
import { renderStacks } from '../../cloudformation/index.js';
import { processIo } from '../../cli/io.js';
import { exampleEnv, exampleText, tempDir, ROOT } from '../helpers.js';

/** What GitHub's runner would run: a line whose start, after whitespace, is `::` or `##[`. */
const commandLines = (out: string) =>
  out.split(/\r\n|\r|\n/).filter((l) => /^\s*(::|##\[)/.test(l));

const ATTACKS = [
  'zone\n::add-mask::secret',
  'x\r::stop-commands::tok\n::error::owned',
  '   ::set-env name=NODE_OPTIONS::--require /tmp/x',
  '::warning file=a,line=1::x',
  '\t::group::g',
  'a\r\n##[add-mask]secret',
  '##[error]x',
  'bell\u0007 esc\u001b[2J',
];

describe('logSafe', () => {
  it.each(ATTACKS)('leaves no command line in %j', (text) => {
    const safe = logSafe(text);
    expect(commandLines(safe)).toEqual([]);
    // eslint-disable-next-line no-control-regex
    expect(safe).not.toMatch(/[\r\u0000-\u0008\u001b\u007f]/);
  });

  it('keeps ordinary text and its lines as they are', () => {
    for (const t of [
      'natfleet-prod-fleet: UPDATE_COMPLETE',
      'a: b :: c',
      '50% done',
      'one\ntwo',
      '  indented',
    ]) {
      expect(logSafe(t)).toBe(t);
    }
    expect(logSafe('a\r\nb\rc')).toBe('a\nb\nc');
    expect(logSafe('::x')).toBe('%3A:x');
  });

  it('is what the CLI writes through, on stdout and stderr', () => {
    const script = `import { processIo } from ${JSON.stringify(join(ROOT, 'cli/io.ts'))};
      processIo.out(${JSON.stringify(ATTACKS.join('\n'))});
      processIo.err(${JSON.stringify(ATTACKS.join('\n'))});`;
    const r = spawnSync('npx', ['tsx', '--eval', script], { encoding: 'utf8', cwd: ROOT });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('%3A:add-mask::secret');
    expect(commandLines(r.stdout)).toEqual([]);
    expect(commandLines(r.stderr.replace(/.*ExperimentalWarning.*\n?/g, ''))).toEqual([]);
    expect(typeof processIo.out).toBe('function');
  });
});

describe('the reason', () => {
  const env = exampleEnv('prod');
  const ask = (reason: string) => () =>
    checkRequest({ env, verb: 'failover', reason, origin: 'cli' });

  it(`takes one line of up to ${REASON_MAX_LENGTH} characters`, () => {
    expect(ask('x'.repeat(REASON_MAX_LENGTH))().input.reason).toHaveLength(REASON_MAX_LENGTH);
    expect(ask('x'.repeat(REASON_MAX_LENGTH + 1))).toThrow(
      `reason: expected one line of at most ${REASON_MAX_LENGTH} characters, got ${REASON_MAX_LENGTH + 1} character(s)`,
    );
    for (const r of ['a\n::add-mask::b', 'a\rb', 'tab\u0000', 'ls\u2028x'])
      expect(ask(r)).toThrow('reason: expected one line');
  });

  it('the alarm path stays within the bound, for the longest names', () => {
    const long = { ...env, name: 'abcdefghijklmnop' };
    const t = renderStacks(long).find((s) => s.kind === 'checker')!.template;
    const reasons = Object.values(t.Resources)
      .flatMap((r) => (r.Properties?.Targets as { Input?: string }[] | undefined) ?? [])
      .filter((x) => x.Input)
      .map((x) => (JSON.parse(x.Input!) as { reason: string }).reason);
    expect(reasons).toHaveLength(env.zones.length);
    for (const r of reasons) expect(r.length).toBeLessThanOrEqual(REASON_MAX_LENGTH);
  });
});

describe('a configuration that is not a mapping', () => {
  const passwd =
    'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n';

  it.each([
    ['/etc/passwd-like text', passwd, 'a text of 79 character(s)'],
    ['a list', '- root\n- secret-token-123\n', 'a list of 2 item(s)'],
    ['a number', '4242\n', 'a number'],
    ['nothing', '', 'an empty document'],
  ])('refuses %s without repeating it', (_what, text, found) => {
    const file = join(tempDir(), 'natfleet.yml');
    writeFileSync(file, text);
    let err: unknown;
    try {
      loadConfig(file);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const shown = (err as ConfigError).problems.map(formatProblem).join('\n');
    expect(shown).toContain('expected a YAML mapping');
    expect(shown).toContain(found);
    for (const secret of ['root:x', 'secret-token-123', '4242', '/bin/bash'])
      expect(shown).not.toContain(secret);
  });
});

describe('URLs with user:password@', () => {
  const withUrl = (url: string) => exampleText().replace('https://www.example.com', url);

  it.each([
    'https://user:hunter2@example.com/',
    'http://hunter2@example.com',
    'https://:hunter2@example.com',
  ])('are refused at validate without the credential: %s', (url) => {
    let shown = '';
    try {
      parseConfig(withUrl(url));
    } catch (e) {
      shown = (e as ConfigError).problems.map(formatProblem).join('\n');
    }
    expect(shown).toContain('environments.prod.checker.urls[1]');
    expect(shown).toContain('without user:password@');
    expect(shown).not.toContain('hunter2');
  });

  it('are refused by the checker’s settings without the credential', () => {
    let msg = '';
    try {
      readSettings({
        NATFLEET_ENVIRONMENT: 'prod',
        NATFLEET_ZONE: 'eu-west-1a',
        NATFLEET_URLS: 'https://ok.example,https://u:hunter2@example.com',
        NATFLEET_ROUTE_TABLES: 'rtb-0123456789abcdef0',
        NATFLEET_FAILOVER_ARN:
          'arn:aws:states:eu-west-1:123456789012:stateMachine:natfleet-prod-Failover',
      });
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toContain('NATFLEET_URLS');
    expect(msg).toContain('//***@example.com');
    expect(msg).not.toContain('hunter2');
  });

  it('the endpoint variable takes only an https host', () => {
    const vars = (v: string) => ({
      NATFLEET_ENVIRONMENT: 'prod',
      NATFLEET_ZONE: 'eu-west-1a',
      NATFLEET_URLS: 'https://ok.example',
      NATFLEET_ROUTE_TABLES: 'rtb-0123456789abcdef0',
      NATFLEET_FAILOVER_ARN:
        'arn:aws:states:eu-west-1:123456789012:stateMachine:natfleet-prod-Failover',
      NATFLEET_STATES_ENDPOINT: v,
    });
    const ok = 'https://vpce-0abc-12345678.states.eu-west-1.vpce.amazonaws.com';
    expect(readSettings(vars(ok)).statesEndpoint).toBe(ok);
    for (const bad of [
      'http://vpce.example',
      'https://u:p@vpce.example',
      'https://vpce.example/x',
      'vpce.example',
    ]) {
      expect(() => readSettings(vars(bad))).toThrow(
        'NATFLEET_STATES_ENDPOINT: expected an https:// URL',
      );
    }
  });
});
