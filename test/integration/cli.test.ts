import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { HELP, run } from '../../cli/run.js';
import { actionNode } from '../action.js';
import { EXAMPLE, ROOT, captureIo, exampleText, planArgs, tempDir } from '../helpers.js';

async function natfleet(...args: string[]) {
  const io = captureIo();
  const code = await run(args, io, {});
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}

describe('natfleet CLI', () => {
  it('validates the example', async () => {
    const r = await natfleet('validate', '--config', EXAMPLE);
    expect(r.code).toBe(0);
    expect(r.out).toContain('valid — 2 environments');
    expect(r.out).toContain('prod: account 123456789012, eu-west-1');
  });

  it('lists five mistakes with their places and exits 1', async () => {
    const bad = join(tempDir(), 'natfleet.yml');
    writeFileSync(
      bad,
      exampleText()
        .replace('subnet-0aa00000000000002', 'sub-123')
        .replace('vpcId: vpc-0a1b2c3d4e5f60718', 'vpcId: vpc-xyz')
        .replace('intervalSeconds: 1', 'intervalSeconds: 45')
        .replace('- https://www.example.com', '- ftp://www.example.com')
        .replace('region: us-east-1', 'region: us-east-one'),
    );
    const r = await natfleet('validate', '--config', bad);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    const lines = r.err.split('\n');
    expect(lines[0]).toBe(`${bad}: 5 problems`);
    expect(lines.slice(1).map((l) => l.trim().split(':')[0])).toEqual([
      'environments.prod.vpcId',
      'environments.prod.zones[1].publicSubnet',
      'environments.prod.checker.urls[1]',
      'environments.prod.checker.intervalSeconds',
      'environments.staging.region',
    ]);
  });

  it('plans an environment: files, stacks and the cost table', async () => {
    const out = tempDir();
    const r = await natfleet(...planArgs(out, '10240'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/natfleet-prod-artifacts +2 +1 AWS::S3::Bucket, 1 AWS::S3::BucketPolicy/);
    // prod is in eu-west-1: 10240 GB × $0.048, eu-west-1's rate (ADR 0082)
    expect(r.out).toMatch(/NAT Gateway data processing \(10240 GB\) +\$491\.52 +\$0\.00/);
    expect(r.out).toMatch(/total +\$607\.59 +\$\d+\.\d\d/);
    expect(r.out).toContain('Prices: eu-west-1 list prices from the table of');
    expect(r.out).toContain('natfleet saves $');
    for (const stack of ['natfleet-prod-artifacts', 'natfleet-prod-gateway']) {
      const t = JSON.parse(readFileSync(join(out, `${stack}.template.json`), 'utf8'));
      expect(t.AWSTemplateFormatVersion).toBe('2010-09-09');
      expect(
        JSON.parse(readFileSync(join(out, `${stack}.parameters.json`), 'utf8')),
      ).toBeInstanceOf(Array);
    }
    const params = JSON.parse(
      readFileSync(join(out, 'natfleet-prod-gateway.parameters.json'), 'utf8'),
    );
    expect(params).toEqual([
      { ParameterKey: 'SubnetShared', ParameterValue: 'subnet-0aa00000000000001' },
    ]);
  });

  it('writes nothing for a bad plan request', async () => {
    const out = join(tempDir(), 'plan');
    expect(
      (await natfleet('plan', '--env', 'qa', '--config', EXAMPLE, '--out', out)).err,
    ).toContain('unknown environment "qa": the configuration defines prod, staging');
    const gb = await natfleet(...planArgs(out, 'lots'));
    expect(gb).toMatchObject({
      code: 2,
      err: 'natfleet: plan: --gb-per-month expects a number ≥ 0, got "lots"',
    });
    expect((await natfleet('plan', '--config', EXAMPLE)).code).toBe(2);
    expect(existsSync(out)).toBe(false);
  });

  it('has --help on every verb and rejects unknown verbs and options', async () => {
    for (const verb of ['validate', 'plan', 'schema']) {
      const r = await natfleet(verb, '--help');
      expect(r.code).toBe(0);
      expect(r.out).toMatch(new RegExp(`^Usage: natfleet ${verb}`));
    }
    expect((await natfleet('--help')).out).toContain('Commands:');
    expect(await natfleet('frobnicate')).toMatchObject({ code: 2 });
    expect(await natfleet('validate', '--env', 'prod')).toMatchObject({
      code: 2,
      err: 'natfleet: validate: unknown option --env',
    });
    expect((await natfleet('validate', '--nope')).code).toBe(2);
  });

  it('says its version, the one package.json and the release carry', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    for (const flag of ['--version', '-V', 'version']) {
      expect(await natfleet(flag)).toEqual({ code: 0, out: `natfleet ${pkg.version}`, err: '' });
    }
    const bundle = spawnSync(actionNode, [join(ROOT, 'cli/dist/index.js'), '--version'], {
      encoding: 'utf8',
    });
    expect([bundle.status, bundle.stdout]).toEqual([0, `natfleet ${pkg.version}\n`]);
  });

  it("help <command> is that command's --help, for every command", async () => {
    const commands = [...(await natfleet('--help')).out.matchAll(/^ {2}(\w+)\b/gm)].map(
      (m) => m[1],
    );
    expect(commands).toEqual(Object.keys(HELP));
    for (const verb of commands) {
      const help = await natfleet('help', verb!);
      expect(help).toEqual(await natfleet(verb!, '--help'));
      expect(help.code).toBe(0);
      expect(help.out).toMatch(new RegExp(`^Usage: natfleet ${verb}\\b`));
    }
    expect(await natfleet('help', 'frobnicate')).toMatchObject({ code: 2 });
    expect((await natfleet('help', 'plan', 'deploy')).err).toBe(
      'natfleet: help: expected one command, got plan deploy',
    );
  });

  it('suggests the command meant', async () => {
    for (const [typed, meant] of [
      ['valdiate', 'validate'],
      ['failvoer', 'failover'],
      ['deplyo', 'deploy'],
    ]) {
      const r = await natfleet(typed!);
      expect(r.code).toBe(2);
      expect(r.err.split('\n')[0]).toBe(
        `natfleet: unknown command "${typed}" (did you mean ${meant}?)`,
      );
    }
    expect((await natfleet('frobnicate')).err.split('\n')[0]).toBe(
      'natfleet: unknown command "frobnicate"',
    );
  });

  it('takes the configuration path from NATFLEET_CONFIG', async () => {
    const io = captureIo();
    expect(await run(['validate'], io, { NATFLEET_CONFIG: EXAMPLE })).toBe(0);
  });
});
