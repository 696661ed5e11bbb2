import { describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderStacks } from '../../cloudformation/index.js';
import { parseConfig } from '../../lib/config/load.js';
import { TAG, stackName } from '../../lib/names.js';
import type { Template } from '../../lib/cfn.js';
import { exampleEnv, exampleText, tempDir } from '../helpers.js';

function hasCfnLint(): boolean {
  return spawnSync('cfn-lint', ['--version']).status === 0;
}

const tagged = (t: Template) =>
  Object.entries(t.Resources).filter(([, r]) => Array.isArray(r.Properties?.Tags));

describe('CloudFormation templates', () => {
  const envs = [exampleEnv('prod'), exampleEnv('staging')];

  it('pass cfn-lint with no error and no warning', () => {
    if (!hasCfnLint())
      throw new Error('cfn-lint is not on PATH (it ships with the machine image’s Python)');
    const dir = tempDir();
    const files = envs.flatMap((env) =>
      renderStacks(env).map((s) => {
        const f = join(dir, `${s.name}.template.json`);
        writeFileSync(f, JSON.stringify(s.template, null, 2));
        return f;
      }),
    );
    expect(files.length).toBeGreaterThanOrEqual(4);
    // cfn-lint exits non-zero on any error (2), warning (4) or informational finding (8).
    execFileSync('cfn-lint', ['--format', 'parseable', ...files], { stdio: 'pipe' });
  });

  it('name stacks and tag resources through the names module', () => {
    for (const env of envs) {
      for (const s of renderStacks(env)) {
        expect(s.name).toBe(stackName(env.name, s.kind));
        for (const [, r] of tagged(s.template)) {
          const tags = r.Properties!.Tags as { Key: string; Value: string }[];
          expect(tags).toContainEqual({ Key: TAG.environment, Value: env.name });
          expect(tags.map((t) => t.Key)).toContain(TAG.role);
        }
      }
    }
  });

  it('make one standby per zone in per-zone mode, tagged with its zone', () => {
    const gw = renderStacks(exampleEnv('staging')).find((s) => s.kind === 'gateway')!;
    const gateways = Object.entries(gw.template.Resources).filter(
      ([, r]) => r.Type === 'AWS::EC2::NatGateway',
    );
    expect(gateways.map(([id]) => id)).toEqual(['GatewayUsEast1a', 'GatewayUsEast1b']);
    expect(gw.parameters).toEqual({
      SubnetUsEast1a: 'subnet-1aa00000000000001',
      SubnetUsEast1b: 'subnet-1aa00000000000002',
    });
    const tags = gateways[0]![1].Properties!.Tags as { Key: string; Value: string }[];
    expect(tags).toContainEqual({ Key: TAG.zone, Value: 'us-east-1a' });
  });

  it('create no gateway stack when the standby is adopted', () => {
    const text = exampleText().replace(
      '# natGatewayId: nat-0123456789abcdef0',
      'natGatewayId: nat-0123456789abcdef0',
    );
    const prod = parseConfig(text).environments.prod!;
    expect(renderStacks(prod).map((s) => s.kind)).not.toContain('gateway');
  });

  it('keep the artifacts bucket private, encrypted, versioned and TLS-only', () => {
    const a = renderStacks(envs[0]!).find((s) => s.kind === 'artifacts')!.template;
    const bucket = a.Resources.Bucket!.Properties!;
    expect(bucket.BucketName).toBe('natfleet-prod-artifacts-123456789012-eu-west-1');
    expect(bucket.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(
      Object.values(bucket.PublicAccessBlockConfiguration as object).every((v) => v === true),
    ).toBe(true);
    const policy = JSON.stringify(a.Resources.BucketPolicy!.Properties!.PolicyDocument);
    expect(policy).toContain('"aws:SecureTransport":"false"');
    expect(policy).toContain('"Effect":"Deny"');
  });
});
