// The regional standby end to end as far as the tools reach. cfn-lint's schemas and the SDK's
// model know AvailabilityMode; moto 5.2.1 does not (its CreateNatGateway asks for a subnet, and
// it returns no AvailabilityMode), so in moto a zonal gateway tagged as the stack tags the
// regional one stands in for its single id. Test names say which tool checks what.
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateNatGatewayCommand,
  CreateVpcCommand,
  DescribeNatGatewaysCommand,
  type DescribeNatGatewaysCommandOutput,
  type NatGateway,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { renderStacks } from '../../cloudformation/index.js';
import { deploy, deployClients } from '../../lib/deploy/deploy.js';
import { preflight } from '../../lib/deploy/preflight.js';
import { STSClient } from '@aws-sdk/client-sts';
import { observeZoneTargets } from '../../lib/aws/fleet.js';
import { differences } from '../../lib/record/compare.js';
import { recordProblems } from '../../lib/record/format.js';
import { snapshot } from '../../lib/record/snapshot.js';
import { tempDir } from '../helpers.js';
import { regionalProd } from '../regional.js';
import { worldPerTest, type World } from '../workflows-world.js';

const lint = (files: string[]) =>
  spawnSync('cfn-lint', ['--format', 'parseable', ...files], { encoding: 'utf8' });

function writeTemplates(env = regionalProd(), patch?: (t: object) => void): string[] {
  const dir = tempDir();
  const stacks = renderStacks(env).filter((s) => !patch || s.kind === 'gateway');
  return stacks.map((s) => {
    const t = structuredClone(s.template);
    if (s.kind === 'gateway') patch?.(t);
    const f = join(dir, `${s.name}.template.json`);
    writeFileSync(f, JSON.stringify(t, null, 2));
    return f;
  });
}

describe('regional standby templates (checked by cfn-lint’s schemas only)', () => {
  it('the example prod with gateway.mode regional passes cfn-lint with no finding', () => {
    const files = writeTemplates();
    expect(files.some((f) => f.endsWith('natfleet-prod-gateway.template.json'))).toBe(true);
    const r = lint(files);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('cfn-lint’s schema really checks AvailabilityMode and the regional gateway’s attributes', () => {
    const typo = lint(
      writeTemplates(undefined, (t) => {
        const g = (t as { Resources: Record<string, { Properties: Record<string, unknown> }> })
          .Resources.GatewayRegional!;
        g.Properties.AvailabilityMode = 'regionl';
      }),
    );
    expect(typo.stdout).toMatch(/E3030:'regionl' is not one of \['regional', 'zonal'\]/);
    const attr = lint(
      writeTemplates(undefined, (t) => {
        const o = (t as { Outputs: Record<string, { Value: unknown }> }).Outputs;
        o.GatewayRouteTable!.Value = { 'Fn::GetAtt': ['GatewayRegional', 'RouteTableIds'] };
      }),
    );
    expect(attr.stdout).toMatch(/E6101:'RouteTableIds' is not one of \[.*'RouteTableId'\]/);
  });
});

const newWorld = worldPerTest();

/** Every route table of the world: its default route's target. */
const targets = async (w: World) =>
  Object.fromEntries(
    (await w.routes()).map((r) => [
      r.routeTableId,
      r.defaultRoute?.natGatewayId ?? r.defaultRoute?.networkInterfaceId,
    ]),
  );

describe('regional standby in moto (routes and workflows; a zonal gateway stands in)', () => {
  it('moto 5.2.1 cannot create a regional gateway through the SDK: it asks for a subnet', async () => {
    const w = await newWorld();
    const vpc = await w.ec2.send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16' }));
    // The SDK's model takes AvailabilityMode and VpcId without a subnet; moto does not.
    await expect(
      w.ec2.send(
        new CreateNatGatewayCommand({
          AvailabilityMode: 'regional',
          VpcId: vpc.Vpc!.VpcId!,
          ConnectivityType: 'public',
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidSubnetID.NotFound' });
  });

  it('deploy --plan of a new regional environment plans the gateway and gives the workflows its id', async () => {
    const w = await newWorld();
    const env = { ...w.env, name: 'fresh', gateway: { mode: 'regional' as const } };
    const r = await deploy(env, deployClients(env.region), {
      render: renderStacks,
      stacks: ['gateway', 'workflows'],
      mode: 'plan',
      checkerDir: tempDir(),
      timing: { minDelay: 0.2, maxDelay: 1, maxWait: 120 },
    });
    expect(r.error).toBeUndefined();
    const gw = r.stacks.find((x) => x.kind === 'gateway')!;
    expect(gw.changes).toEqual([
      expect.objectContaining({ logicalId: 'GatewayRegional', type: 'AWS::EC2::NatGateway' }),
    ]);
    expect(r.warnings).toContainEqual(
      expect.stringMatching(
        /stand-ins for .*GatewayRegional \(GatewayRegional of natfleet-fresh-gateway\)/,
      ),
    );
  });

  it('deploy refuses to adopt a gateway AWS reports as zonal for a regional standby (the SDK model’s AvailabilityMode)', async () => {
    const w = await newWorld();
    const env = {
      ...w.env,
      gateway: { mode: 'regional' as const, natGatewayId: w.zones[0]!.gateway },
    };
    const sts = new STSClient({ region: env.region });
    const as = (mode: 'zonal' | 'regional') => withMode(w.ec2, mode);
    await expect(preflight(env, sts, as('zonal'))).rejects.toThrow(
      `environments.prod.gateway.natGatewayId: NAT gateway ${w.zones[0]!.gateway} is zonal (in ${w.zones[0]!.publicSubnet}), but gateway.mode regional needs a regional one (or set gateway.mode shared)`,
    );
    await expect(preflight(env, sts, as('regional'))).resolves.toBeUndefined();
    // moto itself says nothing of the mode: accepted, as an older API's answer would be.
    await expect(preflight(env, sts, w.ec2)).resolves.toBeUndefined();
    sts.destroy();
  });

  it('Failover moves every route table of every zone to the one regional gateway', async () => {
    const w = await newWorld({ regional: true });
    const gw = w.regionalGateway!;
    expect(new Set(Object.values(w.refs.gateways))).toEqual(new Set([gw]));
    const e = await w.run('Failover', { reason: 'az outage drill' });
    expect(e.r.status).toBe('SUCCEEDED');
    const t = await targets(w);
    for (const z of w.zones) for (const rt of z.routeTables) expect(t[rt]).toBe(gw);
    const out = e.r.output as { zones: { zone: string; status: string }[] };
    expect(out.zones.map((z) => z.status)).toEqual(['done', 'done', 'done']);
  });

  it('Failover of one zone leaves the others on their instances, and Fallback brings it back', async () => {
    const w = await newWorld({ regional: true });
    const [a, b, c] = w.zones as [World['zones'][0], World['zones'][0], World['zones'][0]];
    expect((await w.run('Failover', { zones: [b.zone] })).r.status).toBe('SUCCEEDED');
    let t = await targets(w);
    for (const rt of b.routeTables) expect(t[rt]).toBe(w.regionalGateway);
    for (const z of [a, c]) for (const rt of z.routeTables) expect(t[rt]).toBe(z.eniId);
    expect((await w.run('Fallback', { reason: 'recovered' })).r.status).toBe('SUCCEEDED');
    t = await targets(w);
    for (const z of w.zones) for (const rt of z.routeTables) expect(t[rt]).toBe(z.eniId);
  });

  it('the Replace rollback puts the failed zone on the regional gateway and stops the roll', async () => {
    const w = await newWorld({ regional: true, eipOverride: { 1: 'eipalloc-00000000000000bad' } });
    const before = await targets(w);
    const e = await w.run('ReplaceInstances', { reason: 'patch' });
    expect(e.r).toMatchObject({ status: 'FAILED', error: 'ZoneFailed' });
    expect(e.r.cause).toContain(`the zone is on standby gateway ${w.regionalGateway}`);
    const t = await targets(w);
    for (const rt of w.zones[1]!.routeTables) expect(t[rt]).toBe(w.regionalGateway);
    for (const rt of w.zones[2]!.routeTables) expect(t[rt]).toBe(before[rt]);
  });

  it('the fleet finds the regional gateway by its tags for every zone, and the record shows it', async () => {
    const w = await newWorld({ regional: true });
    const seen = await observeZoneTargets(w.ec2, w.env);
    expect(seen.map((z) => z.gateway)).toEqual(w.zones.map(() => w.regionalGateway));
    await w.run('Failover', {});
    const r = await snapshot({ ec2: w.ec2, ssm: w.ssm }, w.env, {
      reason: 'failover',
      now: new Date(),
    });
    for (const z of w.zones) {
      expect(r.zones[z.zone]!.mode).toBe('gateway');
      expect(r.zones[z.zone]!.gateway?.natGatewayId).toBe(w.regionalGateway);
    }
    expect(recordProblems(r)).toEqual([]);
  });

  it('the record names the regional mode and each zone’s own address (AWS’s reply shaped as the SDK model has it)', async () => {
    const w = await newWorld({ regional: true });
    const ips = ['198.51.100.11', '198.51.100.12', '198.51.100.13'];
    const asAws = regionalReplies(
      w.ec2,
      w.regionalGateway!,
      w.zones.map((z) => z.zone),
      ips,
    );
    const before = await snapshot({ ec2: w.ec2, ssm: w.ssm }, w.env, {
      reason: 'r',
      now: new Date(),
    });
    const r = await snapshot({ ec2: asAws, ssm: w.ssm }, w.env, { reason: 'r', now: new Date() });
    w.zones.forEach((z, i) => {
      expect(r.zones[z.zone]!.gateway).toEqual({
        natGatewayId: w.regionalGateway,
        availabilityMode: 'regional',
        publicIp: ips[i],
      });
    });
    expect(recordProblems(r)).toEqual([]);
    // Drift shows it: the same gateway seen as regional, with a new address per zone.
    const paths = differences(before, r).map((d) => d.path);
    for (const z of w.zones) expect(paths).toContain(`zones.${z.zone}.gateway.availabilityMode`);
  });
});

/** moto's EC2 with each gateway DescribeNatGateways returns rewritten by `edit`. */
function editGateways(ec2: EC2Client, edit: (g: NatGateway) => NatGateway): EC2Client {
  const send = async (c: unknown) => {
    const out = await ec2.send(c as DescribeNatGatewaysCommand);
    if (!(c instanceof DescribeNatGatewaysCommand)) return out;
    const o = out as DescribeNatGatewaysCommandOutput;
    return { ...o, NatGateways: (o.NatGateways ?? []).map(edit) };
  };
  return { send } as unknown as EC2Client;
}

/**
 * The regional gateway as the SDK model describes it: AvailabilityMode, and one address per
 * zone naming its AvailabilityZone.
 */
function regionalReplies(ec2: EC2Client, id: string, zones: string[], ips: string[]): EC2Client {
  return editGateways(ec2, (g) =>
    g.NatGatewayId !== id
      ? g
      : {
          ...g,
          AvailabilityMode: 'regional' as const,
          SubnetId: undefined,
          NatGatewayAddresses: zones
            .map((zone, i) => ({ AvailabilityZone: zone, PublicIp: ips[i], IsPrimary: true }))
            .reverse(), // not in zone order: each zone must find its own
        },
  );
}

/** moto's EC2 with every NAT gateway reported in the given AvailabilityMode. */
function withMode(ec2: EC2Client, mode: 'zonal' | 'regional'): EC2Client {
  return editGateways(ec2, (g) => ({ ...g, AvailabilityMode: mode }));
}
