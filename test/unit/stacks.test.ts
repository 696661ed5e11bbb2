// The fleet and checker templates hold the rules: least-privilege IAM, IMDSv2, encrypted
// disks, nothing that needs an image at deploy time, names from the names module.
import { describe, expect, it } from '@jest/globals';
import { parseConfig } from '../../lib/config/load.js';
import type { Environment } from '../../lib/config/schema.js';
import { zoneKey, type Json, type Resource, type Template } from '../../lib/cfn.js';
import * as names from '../../lib/names.js';
import { renderStacks } from '../../cloudformation/index.js';
import { fleetStack } from '../../cloudformation/fleet.js';
import { checkerStack } from '../../cloudformation/checker.js';
import { exampleEnv, exampleText } from '../helpers.js';
import { regionalProd } from '../regional.js';
import { alarmFailedRounds } from '../../lib/defaults.js';

const prod = exampleEnv('prod');
const staging = exampleEnv('staging');

const ofType = (t: Template, type: string) =>
  Object.entries(t.Resources).filter(([, r]) => r.Type === type);

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: Json;
}

/** Every Allow statement of a role's inline policies. */
function statements(r: Resource): Statement[] {
  const policies = (r.Properties!.Policies ?? []) as unknown as {
    PolicyDocument: { Statement: Statement[] };
  }[];
  return policies.flatMap((p) => p.PolicyDocument.Statement);
}
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
// The CloudFormation service role holds the stacks' own power by design; its bounds (resources,
// conditions, denials) are tested in test/unit/access.test.ts.
const allStatements = (env: Environment) =>
  renderStacks(env).flatMap((s) =>
    ofType(s.template, 'AWS::IAM::Role')
      .filter(
        ([, r]) => r.Properties?.RoleName !== names.accessRoleName(env.name, 'cloudformation'),
      )
      .flatMap(([, r]) => statements(r)),
  );

function withChecker(patch: string): Environment {
  const text = exampleText().replace('autoFallback: false', patch);
  return parseConfig(text).environments.prod!;
}

describe('fleet stack', () => {
  const t = fleetStack(prod).template;

  it('lets in only the VPC’s CIDRs, all protocols, and lets everything out', () => {
    const sg = t.Resources.SecurityGroup!.Properties!;
    expect(sg.SecurityGroupIngress).toEqual([
      expect.objectContaining({
        IpProtocol: '-1',
        FromPort: -1,
        ToPort: -1,
        CidrIp: '10.20.0.0/16',
      }),
    ]);
    const st = fleetStack(staging).template.Resources.SecurityGroup!.Properties!;
    expect((st.SecurityGroupIngress as { CidrIp: string }[]).map((r) => r.CidrIp)).toEqual([
      '10.30.0.0/16',
      '100.64.0.0/20',
    ]);
    expect(sg.SecurityGroupEgress).toEqual([
      expect.objectContaining({ IpProtocol: '-1', CidrIp: '0.0.0.0/0' }),
    ]);
  });

  it('gives the instance role the SSM managed instance core policy and nothing else', () => {
    const role = t.Resources.Role!.Properties!;
    expect(role.ManagedPolicyArns).toEqual([
      { 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore' },
    ]);
    expect(role.Policies).toBeUndefined();
    expect(JSON.stringify(role.AssumeRolePolicyDocument)).toContain('ec2.amazonaws.com');
    expect(role.RoleName).toBe(names.instanceRoleName('prod'));
  });

  it('launches with IMDSv2 only, hop limit 1, encrypted disks and the image from SSM', () => {
    const lt = t.Resources.LaunchTemplate!.Properties!;
    const data = lt.LaunchTemplateData as Record<string, Json>;
    expect(lt.LaunchTemplateName).toBe(names.launchTemplateName('prod'));
    expect(data.MetadataOptions).toEqual({
      HttpEndpoint: 'enabled',
      HttpTokens: 'required',
      HttpPutResponseHopLimit: 1,
    });
    expect(data.BlockDeviceMappings).toEqual([
      expect.objectContaining({ Ebs: expect.objectContaining({ Encrypted: true }) }),
    ]);
    expect(data.ImageId).toBe(`resolve:ssm:${names.amiParameter('prod')}`);
    expect(data.InstanceType).toBe('t4g.small');
    const tagSpecs = data.TagSpecifications as unknown as {
      ResourceType: string;
      Tags: names.Tag[];
    }[];
    for (const ts of tagSpecs) {
      expect(ts.Tags).toEqual(names.tags('prod', 'nat-instance'));
    }
  });

  it('creates an Elastic IP for each zone that does not bring its own', () => {
    const eips = ofType(t, 'AWS::EC2::EIP');
    // prod: eu-west-1a and 1b bring eipAllocation; 1c does not.
    expect(eips.map(([id]) => id)).toEqual(['EipEuWest1c']);
    expect(eips[0]![1].Properties!.Tags).toContainEqual({
      Key: names.TAG.zone,
      Value: 'eu-west-1c',
    });
    expect(eips[0]![1].DeletionPolicy).toBe('Retain');
    expect(ofType(fleetStack(staging).template, 'AWS::EC2::EIP')).toHaveLength(2);
  });
});

describe('nothing needs an image at deploy time (first run)', () => {
  it.each([prod, staging])('no instance, no AMI parameter, no dynamic SSM reference', (env) => {
    for (const s of renderStacks(env)) {
      const text = JSON.stringify(s.template);
      expect(text).not.toContain('{{resolve:ssm');
      expect(text).not.toContain('AWS::EC2::Image::Id');
      expect(ofType(s.template, 'AWS::EC2::Instance')).toEqual([]);
      expect(ofType(s.template, 'AWS::AutoScaling::AutoScalingGroup')).toEqual([]);
    }
  });
});

describe('checker stack', () => {
  const t = checkerStack(prod, 'checker/abc.zip');

  it('runs one arm64 Node.js ≥ 22 Lambda per zone in that zone’s private subnet', () => {
    const fns = ofType(t.template, 'AWS::Lambda::Function');
    expect(fns).toHaveLength(3);
    for (const [id, fn] of fns) {
      const p = fn.Properties!;
      const key = id.replace(/^Function/, '');
      const zone = prod.zones.find((z) => zoneKey(z.availabilityZone) === key)!;
      expect(p.Runtime).toMatch(/^nodejs(2[2-9]|[3-9]\d)\.x$/);
      expect(p.Architectures).toEqual(['arm64']);
      expect(p.ReservedConcurrentExecutions).toBe(2);
      expect(p.Code).toEqual({
        S3Bucket: names.artifactsBucket('prod', prod.accountId, prod.region),
        S3Key: { Ref: 'CodeKey' },
      });
      const subnetRef = (p.VpcConfig as { SubnetIds: { Ref: string }[] }).SubnetIds[0]!.Ref;
      expect(subnetRef).toBe(`PrivateSubnet${key}`);
      expect(t.parameters[subnetRef]).toBe(zone.privateSubnet);
    }
    expect(t.parameters.CodeKey).toBe('checker/abc.zip');
    expect(t.parameters.PrivateSubnetEuWest1b).toBe('subnet-0bb00000000000002');
    const fn = t.template.Resources.FunctionEuWest1b!.Properties!;
    expect(fn.FunctionName).toBe(names.checkerFunctionName('prod', 'eu-west-1b'));
  });

  it('runs every minute and keeps its logs for a bounded time under the checker’s name', () => {
    const rule = t.template.Resources.ScheduleEuWest1a!.Properties!;
    expect(rule.ScheduleExpression).toBe('rate(1 minute)');
    const lg = t.template.Resources.LogGroupEuWest1a!.Properties!;
    expect(lg.LogGroupName).toBe(names.checkerLogGroup('prod', 'eu-west-1a'));
    expect(lg.RetentionInDays).toBeGreaterThan(0);
  });

  it('may start only Failover, by the name of its state machine', () => {
    const role = t.template.Resources.Role!;
    const states = statements(role).filter((s) => actions(s).some((a) => a.startsWith('states:')));
    expect(states).toEqual([
      expect.objectContaining({
        Action: 'states:StartExecution',
        Resource: [{ 'Fn::Sub': names.stateMachineArnSub('prod', 'Failover') }],
      }),
    ]);
    expect(names.stateMachineArnSub('prod', 'Failover')).toMatch(
      /:stateMachine:natfleet-prod-Failover$/,
    );
  });

  it('may also start Fallback when auto-fallback is on', () => {
    const auto = checkerStack(withChecker('autoFallback: true')).template.Resources.Role!;
    const start = statements(auto).find((s) => actions(s).includes('states:StartExecution'))!;
    expect(start.Resource).toEqual([
      { 'Fn::Sub': names.stateMachineArnSub('prod', 'Failover') },
      { 'Fn::Sub': names.stateMachineArnSub('prod', 'Fallback') },
    ]);
  });

  it('alarms on failed rounds, on a long stay on the gateway and on a dead checker, to the topic', () => {
    const alarms = ofType(t.template, 'AWS::CloudWatch::Alarm');
    expect(alarms).toHaveLength(9);
    // A checker that errors or goes silent alarms: missing data breaches.
    const alive = t.template.Resources.CheckerAliveAlarmEuWest1a!.Properties!;
    expect(alive).toMatchObject({
      AlarmName: names.alarmName('prod', 'eu-west-1a', 'checker-alive'),
      TreatMissingData: 'breaching',
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      AlarmActions: [prod.notifications!.topicArn],
    });
    const metrics = JSON.stringify(alive.Metrics);
    expect(metrics).toContain('"MetricName":"Errors"');
    expect(metrics).toContain('"Ref":"FunctionEuWest1a"');
    expect(metrics).toContain(`"MetricName":"${names.METRICS.failedRounds}"`);
    const failed = t.template.Resources.FailedRoundsAlarmEuWest1a!.Properties!;
    expect(failed).toMatchObject({
      AlarmName: names.alarmName('prod', 'eu-west-1a', 'failed-rounds'),
      Namespace: names.METRICS.namespace,
      MetricName: names.METRICS.failedRounds,
      Threshold: alarmFailedRounds(prod.checker.intervalSeconds, prod.checker.unhealthyThreshold),
      AlarmActions: [prod.notifications!.topicArn],
    });
    const onGw = t.template.Resources.OnGatewayAlarmEuWest1a!.Properties!;
    expect(onGw).toMatchObject({
      MetricName: names.METRICS.onInstance,
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
    });
    expect(onGw.AlarmActions).toEqual([prod.notifications!.topicArn]);
    // Without a topic the alarms still exist, with no actions.
    const quiet = checkerStack(staging).template.Resources.FailedRoundsAlarmUsEast1a!.Properties!;
    expect(quiet.AlarmActions).toBeUndefined();
  });

  it('sends a failed-rounds alarm to Failover for its zone through EventBridge', () => {
    const rule = t.template.Resources.AlarmFailoverEuWest1c!.Properties!;
    const target = (rule.Targets as Record<string, Json>[])[0]!;
    expect(target.Arn).toEqual({ 'Fn::Sub': names.stateMachineArnSub('prod', 'Failover') });
    expect(JSON.parse(target.Input as string)).toEqual({
      zones: ['eu-west-1c'],
      reason: `alarm ${names.alarmName('prod', 'eu-west-1c', 'failed-rounds')}`,
    });
    expect(JSON.stringify(rule.EventPattern)).toContain(
      `alarm:${names.alarmName('prod', 'eu-west-1c', 'failed-rounds')}`,
    );
    const events = statements(t.template.Resources.AlarmRole!);
    expect(events).toEqual([
      expect.objectContaining({
        Action: 'states:StartExecution',
        Resource: { 'Fn::Sub': names.stateMachineArnSub('prod', 'Failover') },
      }),
    ]);
  });

  it('creates the Step Functions endpoint only when asked', () => {
    const endpoints = (env: Environment) =>
      ofType(checkerStack(env).template, 'AWS::EC2::VPCEndpoint');
    const [[, ep]] = endpoints(prod) as [[string, Resource]];
    expect(ep.Properties!.ServiceName).toEqual({
      'Fn::Sub': 'com.amazonaws.${AWS::Region}.states',
    });
    expect(ep.Properties!.PrivateDnsEnabled).toBe(false);
    expect((ep.Properties!.SubnetIds as Json[]).length).toBe(3);
    for (const mode of ['existing', 'none']) {
      const text = exampleText().replace(
        'stepFunctionsEndpoint: create',
        `stepFunctionsEndpoint: ${mode}`,
      );
      expect(endpoints(parseConfig(text).environments.prod!)).toEqual([]);
    }
  });
});

describe('IAM across every stack', () => {
  it.each([prod, staging])(
    'no wildcard action, and no EC2 write action on every resource',
    (env) => {
      const st = allStatements(env);
      expect(st.length).toBeGreaterThan(0);
      for (const s of st) {
        for (const a of actions(s)) {
          expect(a).not.toMatch(/\*/);
          // The only EC2 actions allowed on "*" are Lambda's own ENI handling and reads.
          if (a.startsWith('ec2:') && s.Resource === '*') {
            expect(a).toMatch(
              /^ec2:(Describe\w+|CreateNetworkInterface|DeleteNetworkInterface|AssignPrivateIpAddresses|UnassignPrivateIpAddresses)$/,
            );
          }
        }
      }
    },
  );
});

describe('names of the fleet and checker resources', () => {
  // The longest environment name the schema allows and a long zone name.
  const ENV = 'abcdefghijklmnop';
  const AZ = 'ap-southeast-2a';

  it('stay within AWS limits for the longest names allowed', () => {
    for (const n of [
      names.instanceRoleName(ENV),
      names.instanceProfileName(ENV),
      names.checkerRoleName(ENV),
      names.alarmRoleName(ENV),
    ])
      expect(n.length).toBeLessThanOrEqual(64); // IAM
    expect(names.checkerRuleName(ENV, AZ).length).toBeLessThanOrEqual(64); // EventBridge
    expect(names.alarmRuleName(ENV, AZ).length).toBeLessThanOrEqual(64);
    expect(names.launchTemplateName(ENV).length).toBeLessThanOrEqual(128);
    expect(names.alarmName(ENV, AZ, 'failed-rounds').length).toBeLessThanOrEqual(255);
    expect(names.securityGroupName(ENV, 'nat-instance')).not.toMatch(/^sg-/);
  });
});

describe('a regional standby (gateway.mode regional)', () => {
  const regional = regionalProd();
  const stacks = renderStacks(regional);
  const gw = stacks.find((s) => s.kind === 'gateway')!;

  it('is one regional NAT Gateway of the VPC: no subnet, no Elastic IP of natfleet’s', () => {
    expect(Object.keys(gw.template.Resources)).toEqual(['GatewayRegional']);
    const p = gw.template.Resources.GatewayRegional!.Properties!;
    expect(p).toMatchObject({
      AvailabilityMode: 'regional',
      ConnectivityType: 'public',
      VpcId: { Ref: 'VpcId' },
    });
    expect(p.SubnetId).toBeUndefined();
    expect(p.AllocationId).toBeUndefined();
    expect(gw.parameters).toEqual({ VpcId: 'vpc-0a1b2c3d4e5f60718' });
    expect(gw.template.Parameters!.VpcId!.Type).toBe('AWS::EC2::VPC::Id');
    const tags = p.Tags as { Key: string; Value: string }[];
    expect(tags).toContainEqual({ Key: names.TAG.role, Value: 'standby-gateway' });
    expect(tags.map((t) => t.Key)).not.toContain(names.TAG.zone); // it serves every zone
    expect(gw.template.Outputs!.GatewayRouteTable!.Value).toEqual({
      'Fn::GetAtt': ['GatewayRegional', 'RouteTableId'],
    });
  });

  it('is every zone’s standby in the workflows: one input, one substitution', () => {
    const wf = stacks.find((s) => s.kind === 'workflows')!;
    expect(wf.inputs!.GatewayRegional).toEqual({
      stack: 'gateway',
      logicalId: 'GatewayRegional',
      value: 'id',
      placeholder: 'nat-00000000000000000',
    });
    expect(Object.keys(wf.inputs!).filter((k) => k.startsWith('Gateway'))).toEqual([
      'GatewayRegional',
    ]);
    const failover = JSON.stringify(wf.template.Resources);
    for (const z of regional.zones) expect(failover).toContain(z.availabilityZone);
    expect(failover).toContain('${GatewayRegional}');
    expect(failover).not.toMatch(/\$\{Gateway(Shared|EuWest1[abc])\}/);
  });

  it('is adopted for every zone by id, and then no gateway stack is made', () => {
    const adopted = regionalProd('nat-0fedcba9876543210');
    const all = renderStacks(adopted);
    expect(all.map((s) => s.kind)).not.toContain('gateway');
    const wf = all.find((s) => s.kind === 'workflows')!;
    expect(Object.keys(wf.inputs!).some((k) => k.startsWith('Gateway'))).toBe(false);
    const body = JSON.stringify(wf.template.Resources);
    expect(body.split('nat-0fedcba9876543210').length - 1).toBeGreaterThanOrEqual(
      adopted.zones.length,
    );
  });

  it('leaves the checker and its alarms as they are in shared mode', () => {
    const checker = (env: Environment) =>
      JSON.stringify(renderStacks(env).find((s) => s.kind === 'checker')!.template);
    expect(checker(regional)).toBe(checker(prod));
  });
});
