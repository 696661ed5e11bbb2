import { describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'yaml';
import { imageStack } from '../../cloudformation/image.js';
import { renderStacks } from '../../cloudformation/index.js';
import {
  COMPONENTS,
  COMPONENT_DATA_LIMIT,
  componentDocument,
  gzipBase64,
} from '../../lib/image/components.js';
import { TEST_NAT } from '../../lib/health.js';
import { AMI_PLACEHOLDER } from '../../lib/image/recipe.js';
import { TAG, amiParameter, imagePipelineName } from '../../lib/names.js';
import type { Template } from '../../lib/cfn.js';
import { ROOT, exampleEnv, tempDir } from '../helpers.js';

const imagebuilderDir = () => join(ROOT, 'imagebuilder');

/** Runs the document's own command for an archive `f` (into a scratch folder for /tmp/natfleet)
 * and reads back the files it wrote, in the archive's order. */
function unpacked(data: string, f: { content: string; path: string }): string[] {
  const command = data.split('\n').find((l) => l.includes(`base64 -d ${f.path} | gunzip | awk`));
  if (!command) throw new Error(`no command of the document unpacks ${f.path}`);
  const dir = tempDir();
  writeFileSync(join(dir, 'archive'), f.content);
  const run = command
    .replace(/^\s*- /, '')
    .replaceAll(f.path, join(dir, 'archive'))
    .replaceAll('/tmp/natfleet/', `${dir}/`);
  execFileSync('bash', ['-c', run]);
  const names = [
    ...gunzipSync(Buffer.from(f.content, 'base64'))
      .toString('utf8')
      .matchAll(/^#natfleet-file (\S+) /gm),
  ];
  return names.map((m) => readFileSync(join(dir, m[1]!), 'utf8'));
}

const prod = exampleEnv('prod');
const staging = exampleEnv('staging');
const ofType = (t: Template, type: string) =>
  Object.entries(t.Resources).filter(([, r]) => r.Type === type);
const props = (t: Template, id: string) => t.Resources[id]!.Properties!;

describe('image components', () => {
  it('embed every script named in the document, byte for byte', () => {
    for (const name of COMPONENTS) {
      const doc = componentDocument(name);
      expect(doc.data.length).toBeLessThanOrEqual(COMPONENT_DATA_LIMIT);
      const parsed = parse(doc.data);
      expect(parsed.name).toBe(name);
      expect(parsed.schemaVersion).toBe('1.0');
      const files = parsed.phases
        .flatMap((p: { steps: { action: string; inputs: unknown }[] }) => p.steps)
        .filter((s: { action: string }) => s.action === 'CreateFile')
        .flatMap((s: { inputs: { content: string }[] }) => s.inputs);
      expect(files.length).toBe(doc.values.length);
      expect(doc.values.flat()).toEqual(doc.embedded);
      files.forEach((f: { content: string; path: string }, i: number) => {
        const rels = doc.values[i]!;
        const text = (rel: string) => readFileSync(join(imagebuilderDir(), rel), 'utf8');
        if (!doc.gzipped.includes(rels[0]!)) return expect(f.content).toBe(text(rels[0]!));
        if (rels.length > 1) return expect(unpacked(doc.data, f)).toEqual(rels.map(text));
        expect(gunzipSync(Buffer.from(f.content, 'base64')).toString('utf8')).toBe(text(rels[0]!));
        // ... and a command of the document unpacks it where its readers expect it.
        expect(doc.data).toContain(`base64 -d ${f.path} | gunzip > `);
      });
      expect(doc.data).not.toContain('natfleet-embed');
    }
    expect(componentDocument('enable-nat').embedded).toContain('scripts/nat-boot.sh');
  });

  it('unpack each gzipped script to the path the other scripts run it from', () => {
    const enable = componentDocument('enable-nat');
    // enable-nat.sh installs nat-boot.sh and nat-handoff.sh from beside itself.
    expect(enable.embedded).toEqual([
      'scripts/natfleet-lib.sh',
      'scripts/nat-boot.sh',
      'scripts/nat-handoff.sh',
      'scripts/enable-nat.sh',
    ]);
    expect(enable.data).toContain('f = "/tmp/natfleet/" $2');
    expect(componentDocument('install-test-nat').data).toContain(
      '| gunzip > /usr/local/libexec/natfleet/test-nat.sh\n',
    );
    expect(componentDocument('test-nat').data).toContain(
      '| gunzip > /tmp/natfleet-test/test-nat.sh\n',
    );
    expect(gzipBase64('same text')).toBe(gzipBase64('same text')); // content versions hold
    // The very commands the documents run unpack what the render packed.
    const script = readFileSync(join(imagebuilderDir(), 'scripts/test-nat.sh'), 'utf8');
    const r = spawnSync('bash', ['-c', 'base64 -d | gunzip'], {
      input: gzipBase64(script),
      encoding: 'utf8',
    });
    expect(r.stdout).toBe(script);
  });

  it('ship the same text as the repository holds (the copy bundles carry)', () => {
    for (const name of COMPONENTS)
      expect(componentDocument(name).data).toBe(componentDocument(name, imagebuilderDir()).data);
  });

  it('refuse a document over Image Builder’s size limit, naming it', () => {
    const dir = tempDir();
    cpSync(imagebuilderDir(), dir, { recursive: true });
    writeFileSync(join(dir, 'scripts/harden-nat.sh'), '#'.repeat(COMPONENT_DATA_LIMIT));
    expect(() => componentDocument('harden-nat', dir)).toThrow(
      /harden-nat: document is \d+ characters/,
    );
  });
});

describe('image stack', () => {
  const t = imageStack(prod).template;

  it('passes cfn-lint with no finding, for both architectures', () => {
    if (spawnSync('cfn-lint', ['--version']).status !== 0)
      throw new Error('cfn-lint is not on PATH (it ships with the machine image’s Python)');
    const dir = tempDir();
    const files = [prod, staging].map((env) => {
      const f = join(dir, `${env.name}-image.json`);
      writeFileSync(f, JSON.stringify(imageStack(env).template));
      return f;
    });
    execFileSync('cfn-lint', ['--format', 'parseable', ...files], { stdio: 'pipe' });
  });

  it('is part of every environment, right after artifacts', () => {
    expect(
      renderStacks(prod)
        .map((s) => s.kind)
        .filter((k) => k !== 'access')
        .slice(0, 2),
    ).toEqual(['artifacts', 'image']);
  });

  it('builds on Amazon Linux 2023 for the configured architecture, from the public parameter', () => {
    expect(props(t, 'Recipe').ParentImage).toBe(
      'ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64',
    );
    expect(props(imageStack(staging).template, 'Recipe').ParentImage).toMatch(/x86_64$/);
    expect(JSON.stringify(t)).not.toMatch(/ami-[0-9a-f]{8}/);
  });

  it('runs enable-nat, harden-nat and install-test-nat, then the reboot test, then test-nat', () => {
    const arns = JSON.stringify(props(t, 'Recipe').Components);
    const order = [
      '"EnableNatComponent"',
      '"HardenNatComponent"',
      '"InstallTestNatComponent"',
      'reboot-test-linux',
      '"TestNatComponent"',
    ];
    const at = order.map((s) => arns.indexOf(s));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    const components = ofType(t, 'AWS::ImageBuilder::Component');
    expect(components.map(([, r]) => r.Properties!.Name)).toEqual(
      COMPONENTS.map((c) => `natfleet-prod-${c}`),
    );
    expect(props(t, 'EnableNatComponent').Data).toBe(componentDocument('enable-nat').data);
    // The image's contract with the checker's auto-fallback: test-nat where the checker runs it.
    const install = componentDocument('install-test-nat').data;
    expect(install).toContain(`${TEST_NAT}\n`);
    expect(componentDocument('install-test-nat').embedded).toEqual(['scripts/test-nat.sh']);
  });

  it('versions components and recipe by content, so a changed script deploys as a new version', () => {
    const dir = tempDir();
    cpSync(imagebuilderDir(), dir, { recursive: true });
    const script = join(dir, 'scripts/test-nat.sh');
    writeFileSync(script, `${readFileSync(script, 'utf8')}\n# changed\n`);
    const changed = imageStack(prod, dir).template;
    expect(props(changed, 'TestNatComponent').Version).not.toBe(
      props(t, 'TestNatComponent').Version,
    );
    expect(props(changed, 'EnableNatComponent').Version).toBe(
      props(t, 'EnableNatComponent').Version,
    );
    expect(props(changed, 'Recipe').Version).not.toBe(props(t, 'Recipe').Version);
    expect(props(t, 'Recipe').Version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('builds with IMDSv2, terminates on failure, has no inbound and only HTTPS out', () => {
    const infra = props(t, 'Infrastructure');
    expect(infra.InstanceMetadataOptions).toEqual({
      HttpTokens: 'required',
      HttpPutResponseHopLimit: 1,
    });
    expect(infra.TerminateInstanceOnFailure).toBe(true);
    expect(infra.InstanceTypes).toEqual(['t4g.small']);
    const sg = props(t, 'SecurityGroup');
    expect(sg.SecurityGroupIngress).toBeUndefined();
    expect(sg.SecurityGroupEgress).toEqual([
      expect.objectContaining({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }),
    ]);
    const policies = JSON.stringify(props(t, 'InstanceRole'));
    expect(policies).toContain('AmazonSSMManagedInstanceCore');
    expect(policies).toContain('EC2InstanceProfileForImageBuilder');
    expect(policies).not.toContain('"Action":"*"');
    expect(imageStack(prod).parameters).toEqual({
      VpcId: prod.vpcId,
      SubnetId: prod.zones[0]!.privateSubnet,
    });
  });

  it('has a pipeline with no schedule and a lifecycle policy that keeps image.keep AMIs', () => {
    const pipeline = props(t, 'Pipeline');
    expect(pipeline.Name).toBe(imagePipelineName('prod'));
    expect(pipeline.Schedule).toBeUndefined();
    const lifecycle = props(t, 'Lifecycle');
    expect(lifecycle.PolicyDetails).toEqual([
      expect.objectContaining({ Filter: { Type: 'COUNT', Value: prod.image.keep } }),
    ]);
    const amiTags = (
      props(t, 'Distribution').Distributions as {
        AmiDistributionConfiguration: { AmiTags: Record<string, string> };
      }[]
    )[0]!.AmiDistributionConfiguration.AmiTags;
    expect(amiTags[TAG.environment]).toBe('prod');
    // The lifecycle selects exactly what the distribution tags.
    for (const [k, v] of Object.entries(
      (lifecycle.ResourceSelection as { TagMap: Record<string, string> }).TagMap,
    ))
      expect(amiTags[k]).toBe(v);
  });

  it('creates the AMI parameter before any image exists', () => {
    const p = props(t, 'AmiParameter');
    expect(p.Name).toBe(amiParameter('prod'));
    expect(p.Value).toBe(AMI_PLACEHOLDER);
    expect(p.DataType).toBe('text');
    // Nothing in the stack waits for or names an AMI.
    expect(t.Resources.AmiParameter!.DependsOn).toBeUndefined();
  });
});
