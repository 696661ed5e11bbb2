// The attack of issue 12 against moto_server: a pull-request job writes a template that adds an
// AdministratorAccess role trusted by a foreign account at every key the next apply could read
// (apply's, plan's, and the old content-addressed key). The apply that follows, with
// natfleet.yml unchanged, must put into its change set only what natfleet.yml renders.
// moto enforces no bucket policy, so the writes succeed here: this is the worst case, the one
// in which the policy has failed.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CloudFormationClient,
  GetTemplateCommand,
  type CreateChangeSetCommandInput,
} from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  deploy,
  deployClients,
  type DeployClients,
  type Mode,
  type StackRenderer,
} from '../../lib/deploy/deploy.js';
import type { Environment } from '../../lib/config/schema.js';
import type { Template } from '../../lib/cfn.js';
import { renderStacks } from '../../cloudformation/index.js';
import { artifactsBucket, stackName, templateKey, type StackKind } from '../../lib/names.js';
import { sha256 } from '../../lib/deploy/zip.js';
import { motoRoles, startMoto, versioningAsTemplated, type Moto } from '../moto.js';
import { buildVpc } from '../../lab/vpc.js';

const timing = { minDelay: 0.2, maxDelay: 1, maxWait: 120 };
const FOREIGN = '999999999999';

let moto: Moto;
let env: Environment;

/** natfleet's template with a role a foreign account may assume, with every right. */
function backdoored(t: Template): Template {
  return {
    ...t,
    Resources: {
      ...t.Resources,
      Backdoor: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: 'natfleet-backdoor',
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: `arn:aws:iam::${FOREIGN}:root` },
                Action: 'sts:AssumeRole',
              },
            ],
          },
          ManagedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'],
        },
      },
    },
  };
}

/** deploy's clients, with every CreateChangeSet request kept. */
function recordingClients() {
  const c = deployClients(env.region);
  const asked: CreateChangeSetCommandInput[] = [];
  c.cfn.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'CreateChangeSetCommand')
        asked.push(args.input as CreateChangeSetCommandInput);
      return next(args);
    },
    { step: 'initialize', name: 'recordCreateChangeSet' },
  );
  return { clients: { ...c, s3: versioningAsTemplated(c.s3) }, asked };
}

/**
 * The image stack made larger than CloudFormation's inline limit (51,200 bytes), so that it goes
 * through the bucket however small its scripts are today: padding in one resource's Metadata.
 */
const largeImage: StackRenderer = (e, inputs) =>
  renderStacks(e, inputs).map((s) => {
    if (s.kind !== 'image') return s;
    const [first, r] = Object.entries(s.template.Resources)[0]!;
    const padded = { ...r, Metadata: { ...r.Metadata, padding: 'x'.repeat(60_000) } };
    return {
      ...s,
      template: { ...s.template, Resources: { ...s.template.Resources, [first]: padded } },
    };
  });

/** One deploy of one stack, as the actions run it; it must end without an error. */
async function deployed(
  e: Environment,
  clients: DeployClients,
  mode: Mode,
  stack: StackKind,
  render: StackRenderer = renderStacks,
) {
  const r = await deploy(e, clients, {
    render,
    mode,
    stacks: [stack],
    checkerDir: '/nonexistent',
    timing,
  });
  expect(r.error).toBeUndefined();
  return r;
}

beforeAll(async () => {
  moto = await startMoto();
  ({ env } = await buildVpc(new EC2Client({ region: 'eu-west-1' }), 'atk', ['eu-west-1a']));
}, 60_000);

afterAll(async () => {
  await moto?.stop();
});

describe('the access stack', () => {
  it('deploys into moto, named, with the four roles', async () => {
    const withGithub = {
      ...env,
      github: { repository: 'acme/network-fleet', defaultBranch: 'main' },
    };
    const { clients } = recordingClients();
    const r = await deployed(withGithub, clients, 'apply', 'access');
    expect(r.stacks.map((s) => [s.kind, s.outcome])).toEqual([['access', 'created']]);
    const roles = await motoRoles(moto.endpoint);
    for (const role of ['plan', 'deploy', 'operate', 'cloudformation'])
      expect(roles).toContain(`<RoleName>natfleet-atk-${role}</RoleName>`);
    expect(roles).toContain('repo:acme/network-fleet:environment:atk');
  }, 120_000);
});

describe('a pull request cannot swap the template the next apply executes', () => {
  it('apply puts only what natfleet.yml renders into its change set', async () => {
    const { clients, asked } = recordingClients();
    await deployed(env, clients, 'apply', 'artifacts');

    // The image stack's template is over the inline limit: it goes through the bucket.
    const image = largeImage(env, {}).find((s) => s.kind === 'image')!;
    const body = JSON.stringify(image.template);
    expect(body.length).toBeGreaterThan(51_200);
    const hash = sha256(Buffer.from(body));
    const name = stackName(env.name, 'image');
    const bucket = artifactsBucket(env.name, env.accountId, env.region);
    const keys = [
      templateKey('apply', name, hash),
      templateKey('plan', name, hash),
      `templates/${name}/${hash}.json`,
    ];

    // The "pull-request job": plain credentials of the account, writing where apply reads.
    const pr = new S3Client({ region: env.region, forcePathStyle: true });
    const evil = JSON.stringify(backdoored(image.template));
    for (const Key of keys) {
      await pr.send(new PutObjectCommand({ Bucket: bucket, Key, Body: evil }));
    }

    const r = await deployed(env, clients, 'apply', 'image', largeImage);
    const report = r.stacks.find((s) => s.kind === 'image')!;
    expect(report.outcome).toBe('created');
    // Only natfleet's resources, every one of them.
    expect(report.changes.map((c) => c.logicalId).sort()).toEqual(
      Object.keys(image.template.Resources).sort(),
    );

    // The change set was made from apply's own upload, named by its version.
    const url = new URL(asked.at(-1)!.TemplateURL!);
    expect(url.pathname).toBe(`/${keys[0]}`);
    const versionId = url.searchParams.get('versionId')!;
    expect(versionId).toBeTruthy();
    const pinned = await pr.send(
      new GetObjectCommand({ Bucket: bucket, Key: keys[0], VersionId: versionId }),
    );
    expect(await pinned.Body!.transformToString()).toBe(body);

    // And nothing of the attacker's reached the account.
    const stackTemplate = await new CloudFormationClient({ region: env.region }).send(
      new GetTemplateCommand({ StackName: name }),
    );
    expect(JSON.parse(String(stackTemplate.TemplateBody))).toEqual(image.template);
    const roles = await motoRoles(moto.endpoint);
    expect(roles).toContain('<ListRolesResponse');
    expect(roles).not.toContain('natfleet-backdoor');
    expect(roles).not.toContain(FOREIGN);
    expect(roles).toContain('natfleet-atk-image');
  }, 180_000);

  it('a plan reads only plan objects it put itself, and apply never reads them', async () => {
    const { clients, asked } = recordingClients();
    await deployed(env, clients, 'plan', 'image', largeImage);
    const url = new URL(asked.at(-1)!.TemplateURL!);
    expect(url.pathname).toMatch(/^\/plan\/templates\/natfleet-atk-image\/[0-9a-f]{64}\.json$/);
    expect(url.searchParams.get('versionId')).toBeTruthy();
    expect(asked.every((a) => a.ChangeSetName!.startsWith('natfleet-plan-'))).toBe(true);
  }, 120_000);
});
