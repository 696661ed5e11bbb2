// The change-set flow against mocked SDK clients: a small CloudFormation model answers the calls
// the way the service does for each scenario.
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  ListStacksCommand,
  type ChangeSetStatus,
  type StackEvent,
} from '@aws-sdk/client-cloudformation';
import {
  DescribeAddressesCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deploy, parseStackFilter, type DeployOptions } from '../../lib/deploy/deploy.js';
import { renderStacks } from '../../cloudformation/index.js';
import { checkerArtifact } from '../../lib/deploy/artifact.js';
import { sha256 } from '../../lib/deploy/zip.js';
import { planComment, reportText } from '../../lib/deploy/report.js';
import { settings } from '../../actions/deploy/src/deploy.js';
import { stackName } from '../../lib/names.js';
import { exampleEnv, tempDir } from '../helpers.js';
import { awsHas } from '../aws-has.js';

const env = exampleEnv('prod');
const FLEET = stackName('prod', 'fleet');
const timing = { minDelay: 0.01, maxDelay: 0.02, maxWait: 5 };

const cfn = mockClient(CloudFormationClient);
const ec2 = mockClient(EC2Client);
const s3 = mockClient(S3Client);
const sts = mockClient(STSClient);
const clients = {
  cfn: new CloudFormationClient({ region: 'eu-west-1' }),
  ec2: new EC2Client({ region: 'eu-west-1' }),
  s3: new S3Client({ region: 'eu-west-1' }),
  sts: new STSClient({ region: 'eu-west-1' }),
};

interface Scenario {
  /** The stack's status before the run; undefined = no stack. */
  status?: string;
  /** How the change set ends. */
  changeSet: { Status: ChangeSetStatus; StatusReason?: string };
  /** Where the stack ends after ExecuteChangeSet. */
  final?: string;
  events?: Partial<StackEvent>[];
}

function model(s: Scenario) {
  let status = s.status;
  let events: StackEvent[] = [];
  cfn.on(DescribeStacksCommand).callsFake(() => {
    if (status === undefined) {
      throw Object.assign(new Error(`Stack with id ${FLEET} does not exist`), {
        name: 'ValidationError',
      });
    }
    return {
      Stacks: [
        {
          StackName: FLEET,
          StackStatus: status,
          CreationTime: new Date(),
          Outputs: [{ OutputKey: 'LaunchTemplateId', OutputValue: 'lt-0123' }],
        },
      ],
    };
  });
  // A plan's new stack waits in REVIEW_IN_PROGRESS and no other stack shares its name.
  cfn.on(ListStacksCommand).resolves({ StackSummaries: [] });
  cfn.on(CreateChangeSetCommand).callsFake((input) => {
    if (input.ChangeSetType === 'CREATE') status = 'REVIEW_IN_PROGRESS';
    return { Id: 'cs-1', StackId: FLEET };
  });
  cfn.on(DescribeChangeSetCommand).resolves({
    ...s.changeSet,
    Changes:
      s.changeSet.Status === 'CREATE_COMPLETE'
        ? [
            {
              Type: 'Resource',
              ResourceChange: {
                Action: 'Modify',
                LogicalResourceId: 'LaunchTemplate',
                ResourceType: 'AWS::EC2::LaunchTemplate',
                Replacement: 'False',
              },
            },
            {
              Type: 'Resource',
              ResourceChange: {
                Action: 'Modify',
                LogicalResourceId: 'SecurityGroup',
                ResourceType: 'AWS::EC2::SecurityGroup',
                Replacement: 'True',
              },
            },
          ]
        : [],
  });
  cfn.on(DeleteChangeSetCommand).resolves({});
  cfn.on(DeleteStackCommand).callsFake(() => {
    status = undefined;
    return {};
  });
  cfn.on(ExecuteChangeSetCommand).callsFake(() => {
    status = s.final;
    events = (s.events ?? []).map((e, i) => ({
      ...e,
      EventId: `e${i}`,
      StackId: FLEET,
      StackName: FLEET,
      Timestamp: new Date(),
    }));
    return {};
  });
  cfn.on(DescribeStackEventsCommand).callsFake(() => ({ StackEvents: [...events].reverse() }));
}

const goodAccount = () => awsHas(env, ec2, sts);

const run = (mode: 'plan' | 'apply', extra: Partial<DeployOptions> = {}) => {
  const lines: string[] = [];
  return deploy(env, clients, {
    mode,
    render: renderStacks,
    stacks: ['fleet'],
    checkerDir: '/nonexistent',
    changeSetName: 'natfleet-test',
    timing,
    log: (l) => lines.push(l),
    ...extra,
  }).then((r) => ({ ...r, lines }));
};

const calls = (c: typeof cfn, cmd: Parameters<typeof cfn.commandCalls>[0]) =>
  c.commandCalls(cmd).map((x) => x.args[0].input);

beforeEach(() => {
  cfn.reset();
  ec2.reset();
  s3.reset();
  sts.reset();
  goodAccount();
});

describe('deploy change sets', () => {
  it('creates a new stack with a CREATE change set and reports its outputs', async () => {
    model({ changeSet: { Status: 'CREATE_COMPLETE' }, final: 'CREATE_COMPLETE' });
    const r = await run('apply');
    expect(r.error).toBeUndefined();
    expect(r.ok).toBe(true);
    const [create] = calls(cfn, CreateChangeSetCommand);
    expect(create).toMatchObject({
      StackName: FLEET,
      ChangeSetType: 'CREATE',
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      Parameters: [{ ParameterKey: 'VpcId', ParameterValue: env.vpcId }],
    });
    expect(calls(cfn, ExecuteChangeSetCommand)).toHaveLength(1);
    expect(r.stacks[0]).toMatchObject({
      outcome: 'created',
      type: 'CREATE',
      outputs: { LaunchTemplateId: 'lt-0123' },
    });
  });

  it('updates an existing stack with an UPDATE change set', async () => {
    model({
      status: 'UPDATE_COMPLETE',
      changeSet: { Status: 'CREATE_COMPLETE' },
      final: 'UPDATE_COMPLETE',
    });
    const r = await run('apply');
    expect(r.ok).toBe(true);
    expect(calls(cfn, CreateChangeSetCommand)[0]!.ChangeSetType).toBe('UPDATE');
    expect(r.stacks[0]!.outcome).toBe('updated');
  });

  it('treats "no changes" as success, deletes the change set and executes nothing', async () => {
    model({
      status: 'CREATE_COMPLETE',
      changeSet: {
        Status: 'FAILED',
        StatusReason:
          "The submitted information didn't contain changes. Submit different information to create a change set.",
      },
    });
    const r = await run('apply');
    expect(r.ok).toBe(true);
    expect(r.stacks[0]!.outcome).toBe('no changes');
    expect(calls(cfn, ExecuteChangeSetCommand)).toHaveLength(0);
    expect(calls(cfn, DeleteChangeSetCommand)).toHaveLength(1);
  });

  it('stops on a failed change set with its reason; nothing is executed', async () => {
    model({
      status: 'UPDATE_COMPLETE',
      changeSet: {
        Status: 'FAILED',
        StatusReason: 'Parameter validation failed: parameter value vpc-0 does not exist',
      },
    });
    const r = await run('apply', { stacks: ['fleet', 'checker'], checkerDir: fixtureDir() });
    expect(r.ok).toBe(false);
    expect(r.error).toContain('the change set of natfleet-prod-fleet failed');
    expect(r.error).toContain('vpc-0 does not exist');
    expect(r.stacks.map((s) => s.outcome)).toEqual(['failed', 'not reached']);
    expect(calls(cfn, ExecuteChangeSetCommand)).toHaveLength(0);
  });

  it('reports the failed resources of a rolled-back update and stops', async () => {
    model({
      status: 'UPDATE_COMPLETE',
      changeSet: { Status: 'CREATE_COMPLETE' },
      final: 'UPDATE_ROLLBACK_COMPLETE',
      events: [
        {
          LogicalResourceId: 'LaunchTemplate',
          ResourceType: 'AWS::EC2::LaunchTemplate',
          ResourceStatus: 'UPDATE_IN_PROGRESS',
        },
        {
          LogicalResourceId: 'LaunchTemplate',
          ResourceType: 'AWS::EC2::LaunchTemplate',
          ResourceStatus: 'UPDATE_FAILED',
          ResourceStatusReason: 'Invalid instance type t4g.nope',
        },
      ],
    });
    const r = await run('apply', { stacks: ['fleet', 'checker'], checkerDir: fixtureDir() });
    expect(r.ok).toBe(false);
    expect(r.stacks[0]).toMatchObject({
      outcome: 'failed',
      status: 'UPDATE_ROLLBACK_COMPLETE',
      failures: [
        {
          logicalId: 'LaunchTemplate',
          status: 'UPDATE_FAILED',
          reason: 'Invalid instance type t4g.nope',
        },
      ],
    });
    expect(r.stacks[1]!.outcome).toBe('not reached');
    expect(r.error).toContain('rolled back to its previous state');
    expect(r.error).toContain('LaunchTemplate (AWS::EC2::LaunchTemplate) UPDATE_FAILED');
    // The first stack of the run failed: nothing before it changed.
    expect(r.error).toContain('Nothing else was changed by this run.');
    // The events were logged while waiting.
    expect(r.lines.some((l) => l.includes('UPDATE_FAILED LaunchTemplate'))).toBe(true);
    expect(reportText(r).join('\n')).toContain('not reached');
  });

  it('refuses a fleet beyond an AWS limit before any AWS call, naming the limit', async () => {
    const oversized: typeof renderStacks = (e, a) =>
      renderStacks(e, a).map((st) => {
        if (st.kind !== 'fleet') return st;
        const t = structuredClone(st.template);
        const role = t.Resources.Role!.Properties as Record<string, unknown>;
        role.Policies = [
          {
            PolicyName: 'big',
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: Array.from({ length: 200 }, (_, i) => ({
                Effect: 'Allow',
                Action: 'ec2:ReplaceRoute',
                Resource: `arn:aws:ec2:eu-west-1:123456789012:route-table/rtb-${String(i).padStart(17, '0')}`,
              })),
            },
          },
        ];
        return { ...st, template: t };
      });
    const r = await run('apply', { render: oversized });
    expect(r.ok).toBe(false);
    expect(r.error).toContain('10,240 characters of inline policy per role');
    expect(calls(cfn, CreateChangeSetCommand)).toHaveLength(0);
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(0);
  });

  it('says to delete a stack whose first creation rolled back', async () => {
    model({
      changeSet: { Status: 'CREATE_COMPLETE' },
      final: 'ROLLBACK_COMPLETE',
      events: [
        {
          LogicalResourceId: 'Role',
          ResourceType: 'AWS::IAM::Role',
          ResourceStatus: 'CREATE_FAILED',
          ResourceStatusReason: 'natfleet-prod-nat-instance already exists',
        },
      ],
    });
    const r = await run('apply');
    expect(r.ok).toBe(false);
    expect(r.error).toContain('must be deleted before the next try');
    expect(r.error).toContain('already exists');
  });

  it('explains a template that CloudFormation rejects; nothing is executed', async () => {
    model({ status: 'UPDATE_COMPLETE', changeSet: { Status: 'CREATE_COMPLETE' } });
    cfn.on(CreateChangeSetCommand).rejects(
      Object.assign(new Error('Template format error: Unresolved resource dependencies [X]'), {
        name: 'ValidationError',
      }),
    );
    const r = await run('apply');
    expect(r.ok).toBe(false);
    expect(r.error).toContain(
      'CloudFormation rejected the template of natfleet-prod-fleet: Template format error',
    );
    expect(r.error).toContain('Nothing was changed for this stack');
    expect(r.stacks[0]!.outcome).toBe('failed');
    expect(calls(cfn, ExecuteChangeSetCommand)).toHaveLength(0);
  });

  it('refuses a stack in ROLLBACK_COMPLETE and says what to do', async () => {
    model({ status: 'ROLLBACK_COMPLETE', changeSet: { Status: 'CREATE_COMPLETE' } });
    const r = await run('apply');
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/natfleet-prod-fleet is in ROLLBACK_COMPLETE/);
    expect(r.error).toContain(
      'aws cloudformation delete-stack --stack-name natfleet-prod-fleet --region eu-west-1',
    );
    expect(calls(cfn, CreateChangeSetCommand)).toHaveLength(0);
  });

  it('plans: gathers changes, marks replacement, deletes the change set, deletes no stack', async () => {
    model({ changeSet: { Status: 'CREATE_COMPLETE' } });
    const r = await run('plan');
    expect([r.ok, r.error]).toEqual([true, undefined]);
    expect(r.stacks[0]!.outcome).toBe('planned');
    expect(calls(cfn, ExecuteChangeSetCommand)).toHaveLength(0);
    expect(calls(cfn, DeleteChangeSetCommand)).toHaveLength(1);
    expect(calls(cfn, DeleteStackCommand)).toEqual([]);
    // The empty shell a CREATE change set leaves is planned with CREATE again next time.
    const again = await run('plan');
    expect(again.stacks[0]!.type).toBe('CREATE');
    const md = planComment(r);
    expect(md.startsWith('<!-- natfleet-plan:prod -->\n')).toBe(true);
    expect(md).toContain(
      '| Modify | SecurityGroup | AWS::EC2::SecurityGroup | ⚠️ **REPLACEMENT** |',
    );
    expect(md).toContain('| Modify | LaunchTemplate | AWS::EC2::LaunchTemplate |  |');
    const text = reportText(r).join('\n');
    expect(text).toContain('Modify  SecurityGroup (AWS::EC2::SecurityGroup)  !! REPLACEMENT');
    expect(text).toMatch(/natfleet-prod-fleet\s+CREATE\s+planned\s+2 modify, 1 replaced/);
  });

  it('a plan never uploads the checker; apply uploads it once per content', async () => {
    model({ status: 'UPDATE_COMPLETE', changeSet: { Status: 'CREATE_COMPLETE' } });
    const dir = fixtureDir();
    const plan = await run('plan', { stacks: ['checker'], checkerDir: dir });
    expect(plan.ok).toBe(true);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    const key = plan.checker!.key;
    expect(key).toMatch(/^checker\/[0-9a-f]{64}\.zip$/);
    expect(calls(cfn, CreateChangeSetCommand)[0]!.Parameters).toContainEqual({
      ParameterKey: 'CodeKey',
      ParameterValue: key,
    });

    s3.on(HeadObjectCommand).rejects(
      Object.assign(new Error('NotFound'), {
        name: 'NotFound',
        $metadata: { httpStatusCode: 404 },
      }),
    );
    const bytes = checkerArtifact(dir).body;
    s3.on(PutObjectCommand).resolves({ VersionId: 'v1' });
    s3.on(GetObjectCommand).resolves({
      Body: { transformToByteArray: async () => new Uint8Array(bytes) },
    } as never);
    model({
      status: 'UPDATE_COMPLETE',
      changeSet: { Status: 'CREATE_COMPLETE' },
      final: 'UPDATE_COMPLETE',
    });
    const first = await run('apply', { stacks: ['checker'], checkerDir: dir });
    expect(first.checker).toEqual({ key, uploaded: true });
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toMatchObject({
      Bucket: 'natfleet-prod-artifacts-123456789012-eu-west-1',
      Key: key,
    });
    s3.reset();
    // Kept only when S3 vouches for the same SHA-256.
    const checksum = Buffer.from(sha256(bytes), 'hex').toString('base64');
    s3.on(HeadObjectCommand).resolves({ ChecksumSHA256: checksum });
    const again = await run('apply', { stacks: ['checker'], checkerDir: dir });
    expect(again.checker).toEqual({ key, uploaded: false });
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('runs every change set as the service role it is given', async () => {
    model({ status: 'UPDATE_COMPLETE', changeSet: { Status: 'CREATE_COMPLETE' } });
    const roleArn = 'arn:aws:iam::123456789012:role/natfleet-prod-cloudformation';
    await run('plan', { roleArn });
    expect(calls(cfn, CreateChangeSetCommand)[0]).toMatchObject({ RoleARN: roleArn });
    cfn.reset();
    model({ status: 'UPDATE_COMPLETE', changeSet: { Status: 'CREATE_COMPLETE' } });
    await run('plan');
    expect(calls(cfn, CreateChangeSetCommand)[0]).not.toHaveProperty('RoleARN');
  });

  it('deploys the access stack only when named, and only with a github section', async () => {
    model({ status: 'UPDATE_COMPLETE', changeSet: { Status: 'CREATE_COMPLETE' } });
    const all = await run('plan', { stacks: [] });
    expect(all.stacks.map((x) => x.kind)).not.toContain('access');
    const named = await run('plan', { stacks: ['access'] });
    expect(named.stacks.map((x) => x.kind)).toEqual(['access']);
    const r = await deploy({ ...env, github: undefined }, clients, {
      render: renderStacks,
      mode: 'plan',
      stacks: ['access'],
      checkerDir: '/nonexistent',
    });
    expect(r.error).toContain('the access stack needs environments.prod.github.repository');
  });

  it('says to deploy the artifacts stack first when its bucket is missing', async () => {
    model({ status: 'UPDATE_COMPLETE', changeSet: { Status: 'CREATE_COMPLETE' } });
    const notFound = Object.assign(new Error('NotFound'), {
      name: 'NotFound',
      $metadata: { httpStatusCode: 404 },
    });
    s3.on(HeadObjectCommand).rejects(notFound);
    s3.on(HeadBucketCommand).rejects(notFound);
    const r = await run('apply', { stacks: ['checker'], checkerDir: fixtureDir() });
    expect(r.ok).toBe(false);
    expect(r.error).toContain(
      'the artifacts bucket natfleet-prod-artifacts-123456789012-eu-west-1 does not exist: deploy the artifacts stack first',
    );
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(calls(cfn, CreateChangeSetCommand)).toHaveLength(0);
  });

  it('apply without a checker bundle stops before any AWS call', async () => {
    model({ changeSet: { Status: 'CREATE_COMPLETE' } });
    const r = await run('apply', { stacks: ['checker'], checkerDir: '/nonexistent/dist' });
    expect(r.ok).toBe(false);
    expect(r.error).toContain('the checker bundle /nonexistent/dist does not exist');
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(0);
  });
});

describe('deploy preflight', () => {
  it('explains expired credentials', async () => {
    sts.reset();
    sts.on(GetCallerIdentityCommand).rejects(
      Object.assign(new Error('The security token included in the request is expired'), {
        name: 'ExpiredToken',
      }),
    );
    model({ changeSet: { Status: 'CREATE_COMPLETE' } });
    const r = await run('plan');
    expect(r.ok).toBe(false);
    expect(r.error).toContain('the AWS credentials were rejected');
    expect(r.error).toContain('expired');
    expect(calls(cfn, CreateChangeSetCommand)).toHaveLength(0);
  });

  it('explains missing credentials', async () => {
    sts.reset();
    sts.on(GetCallerIdentityCommand).rejects(
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      }),
    );
    const r = await run('plan');
    expect(r.error).toContain('no AWS credentials found');
    expect(r.error).toContain('aws-actions/configure-aws-credentials');
  });

  it('names the wrong account', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '999999999999' });
    const r = await run('plan');
    expect(r.error).toContain(
      'the AWS credentials are for account 999999999999 but environment prod is in account 123456789012',
    );
  });

  it('lists every id of natfleet.yml that AWS does not have, and changes nothing', async () => {
    ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [] });
    ec2.on(DescribeSubnetsCommand).resolves({
      Subnets: [
        {
          SubnetId: env.zones[0]!.publicSubnet,
          VpcId: 'vpc-0other',
          AvailabilityZone: 'eu-west-1a',
        },
      ],
    });
    ec2.on(DescribeRouteTablesCommand).resolves({ RouteTables: [] });
    ec2.on(DescribeAddressesCommand).resolves({ Addresses: [] });
    model({ changeSet: { Status: 'CREATE_COMPLETE' } });
    const r = await run('apply');
    expect(r.ok).toBe(false);
    expect(r.error).toContain(
      'environments.prod.vpcId: VPC vpc-0a1b2c3d4e5f60718 does not exist in eu-west-1',
    );
    expect(r.error).toContain(
      'environments.prod.zones[0].publicSubnet: subnet subnet-0aa00000000000001 is in vpc-0other',
    );
    expect(r.error).toContain(
      'environments.prod.zones[2].privateSubnet: subnet subnet-0bb00000000000003 does not exist',
    );
    expect(r.error).toContain('environments.prod.zones[1].routeTables[1]: route table');
    expect(r.error).toContain(
      `environments.prod.zones[0].eipAllocation: Elastic IP ${env.zones[0]!.eipAllocation} does not exist`,
    );
    expect(calls(cfn, CreateChangeSetCommand)).toHaveLength(0);
  });

  it('rejects an unknown stack in the filter', () => {
    expect(() => parseStackFilter('fleet, nope')).toThrow(
      'unknown stack(s) nope in the stacks filter: expected some of access, artifacts, image, gateway, fleet, checker, workflows',
    );
    expect(parseStackFilter(' fleet,checker ')).toEqual(['fleet', 'checker']);
    expect(parseStackFilter('')).toEqual([]);
  });
});

function fixtureDir() {
  const dir = tempDir('natfleet-checker-');
  writeFileSync(join(dir, 'index.js'), 'export const handler = async () => "ok";\n');
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
  return dir;
}

describe('deploy action settings', () => {
  const inputs =
    (values: Record<string, string>) =>
    (name: string): string =>
      values[name] ?? '';
  const warnings: string[] = [];
  const core = (values: Record<string, string>) =>
    ({
      getInput: inputs(values),
      warning: (m: string) => void warnings.push(m),
    }) as unknown as Parameters<typeof settings>[0];

  it('reads every input, with defaults', () => {
    expect(settings(core({ environment: 'prod', token: 't' }), '/n/checker/dist')).toEqual({
      environment: 'prod',
      config: 'natfleet.yml',
      mode: 'plan',
      stacks: [],
      checkerDir: '/n/checker/dist',
      roleArn: '',
      token: 't',
    });
    expect(
      settings(core({ environment: 'prod', mode: 'apply', stacks: 'fleet,checker' }), '/d'),
    ).toMatchObject({ mode: 'apply', stacks: ['fleet', 'checker'] });
    expect(warnings).toEqual([]);
  });

  it('still reads the old token name, with a warning', () => {
    expect(settings(core({ environment: 'prod', 'github-token': 'old' }), '/d').token).toBe('old');
    expect(warnings).toEqual([expect.stringContaining('input github-token is deprecated')]);
  });

  it('says which input is wrong', () => {
    expect(() => settings(core({ environment: 'prod', mode: 'yolo' }), '/d')).toThrow(
      'input mode: expected plan or apply, got "yolo"',
    );
    expect(() => settings(core({}), '/d')).toThrow('input environment');
    expect(() => settings(core({ environment: 'prod', stacks: 'fleet,flet' }), '/d')).toThrow(
      'input stacks: unknown stack(s) flet in the stacks filter: expected some of',
    );
  });
});
