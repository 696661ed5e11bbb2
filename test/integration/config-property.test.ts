// Validate ⊇ runtime, as a property: any configuration validate accepts renders stacks that fit
// AWS's limits and that cfn-lint accepts, and a checker environment the checker accepts.
// Configurations are drawn from a seeded generator over tricky values (fixed seed: the same
// cases on every run; a failure names its case).
import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { renderStacks } from '../../cloudformation/index.js';
import { checkerVariables, readSettings } from '../../lib/checker/settings.js';
import { parseConfig } from '../../lib/config/load.js';
import { ConfigError } from '../../lib/config/problems.js';
import { limitProblems } from '../../lib/limits.js';
import { stateMachineArn } from '../../lib/names.js';
import { exampleText, tempDir } from '../helpers.js';

/** A small deterministic generator (mulberry32). */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const some = <T>(xs: readonly T[], max: number): T[] =>
    Array.from({ length: 1 + Math.floor(next() * max) }, () => pick(xs));
  return { next, pick, some };
}

const URLS = [
  'https://checkip.amazonaws.com',
  'http://203.0.113.7/health',
  'https://example.com:8443/a?b=c',
  'https://[2001:db8::1]/',
  'http://[::ffff:192.0.2.1]/',
  'https://example.com/a,b',
  'https://user:pass@example.com/',
  'ftp://example.com/',
  'https://',
  'not a url',
  ' https://padded.example.com ',
  'https://bücher.example/',
  'HTTPS://UPPER.EXAMPLE.COM/',
  'https://example.com/#frag',
  'http://localhost:80',
];
const CIDRS = [
  '10.0.0.0/16',
  '172.16.0.0/12',
  '192.168.1.0/24',
  '100.64.0.0/10',
  '100.128.0.0/16',
  '0.0.0.0/0',
  '999.999.999.999/99',
  '10.0.0.1/16',
  '8.8.8.0/24',
  '10.0.0.0/33',
  '010.0.0.0/16',
  '172.32.0.0/16',
];
const REGIONS = ['eu-west-1', 'us-east-9', 'eu-west-1', 'xx-nowhere-1'];

function drawConfig(seed: number): string {
  const r = random(seed);
  const doc = parse(exampleText()) as {
    environments: Record<string, Record<string, unknown> & { checker: Record<string, unknown> }>;
  };
  const prod = doc.environments.prod!;
  // Mostly good values, so that both outcomes are common.
  const maybe = <T>(good: T, pool: readonly T[]) => (r.next() < 0.75 ? good : r.pick(pool));
  prod.checker.urls = r.some(URLS, 2).map((u) => maybe('https://checkip.amazonaws.com', [u]));
  prod.vpcCidrs = r.some(CIDRS, 2).map((c) => maybe('10.20.0.0/16', [c]));
  prod.checker.intervalSeconds = r.pick([1, 5, 30, 31]);
  prod.checker.timeoutSeconds = r.pick([1, 2, 5, 30]);
  prod.checker.autoFallback = r.next() < 0.5;
  if (r.next() < 0.3) prod.allowPublicVpcCidrs = true;
  prod.region = maybe('eu-west-1', REGIONS);
  return stringify(doc);
}

describe('whatever validate accepts', () => {
  const accepted: { seed: number; text: string }[] = [];
  let refused = 0;
  for (let seed = 1; seed <= 300; seed++) {
    const text = drawConfig(seed);
    try {
      parseConfig(text);
      accepted.push({ seed, text });
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      refused++;
    }
  }

  it('draws both kinds of case', () => {
    expect(accepted.length).toBeGreaterThan(10);
    expect(refused).toBeGreaterThan(10);
  });

  it('the checker accepts its settings, and the stacks fit every AWS limit', () => {
    for (const { seed, text } of accepted) {
      for (const env of Object.values(parseConfig(text).environments)) {
        expect({ seed, problems: limitProblems(env, renderStacks(env)) }).toEqual({
          seed,
          problems: [],
        });
        for (const z of env.zones) {
          const arn = (wf: 'Failover' | 'Fallback') =>
            stateMachineArn(env.region, env.accountId, env.name, wf);
          const vars = checkerVariables(env, z.availabilityZone, {
            failover: arn('Failover'),
            ...(env.checker.autoFallback ? { fallback: arn('Fallback') } : {}),
            statesEndpoint: `https://vpce-0123456789abcdef0-abcdefgh.states.${env.region}.vpce.amazonaws.com`,
          });
          expect(() => readSettings(vars as Record<string, string>)).not.toThrow();
        }
      }
    }
  });

  it('renders stacks cfn-lint accepts', () => {
    const dir = tempDir();
    const files: string[] = [];
    // A few distinct accepted cases: cfn-lint takes seconds per run.
    for (const { seed, text } of accepted.slice(0, 2)) {
      for (const env of Object.values(parseConfig(text).environments)) {
        for (const s of renderStacks(env)) {
          const f = join(dir, `${seed}-${s.name}.json`);
          writeFileSync(f, JSON.stringify(s.template));
          files.push(f);
        }
      }
    }
    execFileSync('cfn-lint', ['--format', 'parseable', ...files], { stdio: 'pipe' });
  });
});
