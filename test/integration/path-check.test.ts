// The path check (ADR 0150): Fallback and ReplaceInstances move a zone to an instance only
// after the instance ran the health command (lib/health.ts) through SSM RunCommand and it ended
// Success. Run in the in-process runner against moto, RunCommand answered by a double (moto
// has no agent): passes, fails with the instance's words, never ends, the agent not registered
// yet, one zone of three failing, held zones never checked.
import { describe, expect, it } from '@jest/globals';
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { healthCommands } from '../../lib/health.js';
import { TAG } from '../../lib/names.js';
import { PATH_CHECK, PATH_MAX_POLLS } from '../../lib/workflows/path.js';
import { zoneReasons } from '../../lib/workflows/report.js';
import { isPathCheck, RunCommandDouble, type Answer, type Sent } from '../run-command.js';
import { eipHolder, worldPerTest, type World } from '../workflows-world.js';

const newWorld = worldPerTest();

async function instance(w: World, id: string) {
  const out = await w.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
  return out.Reservations![0]!.Instances![0]!;
}

/** A world whose instances answer the path check as `answer` says. `before` keeps, per checked
 * instance, its zone and where that zone's routes pointed while it was checked. */
async function world(answer: (s: Sent, zone: string) => Answer | string) {
  const zoneOf = new Map<string, string>();
  const before: Record<string, { zone: string; targets: (string | undefined)[] }> = {};
  const ssm = new RunCommandDouble((s) => answer(s, zoneOf.get(s.instance) ?? '?'));
  const w: World = await newWorld({
    ssm: ssm.wrap,
    around: async (t, call) => {
      if (t.state === PATH_CHECK.start) {
        const id = (t.input as { InstanceIds: string[] }).InstanceIds[0]!;
        const zone = (await instance(w, id)).Tags!.find((x) => x.Key === TAG.zone)!.Value!;
        zoneOf.set(id, zone);
        before[id] ??= { zone, targets: (await targets(w))[zone]! };
      }
      return call();
    },
  });
  return { w, ssm, before, checks: () => ssm.sent.filter(isPathCheck) };
}

/** Per zone: where its tables' default routes point now (an instance id or a gateway id; a
 * route to an ENI is named by the instance that has it). */
async function targets(w: World) {
  const out = await w.ec2.send(new DescribeInstancesCommand({}));
  const byEni = new Map(
    (out.Reservations ?? [])
      .flatMap((r) => r.Instances ?? [])
      .flatMap((i) =>
        (i.NetworkInterfaces ?? []).map((n) => [n.NetworkInterfaceId!, i.InstanceId!]),
      ),
  );
  const routes = await w.routes();
  return Object.fromEntries(
    w.zones.map((z) => [
      z.zone,
      [
        ...new Set(
          routes
            .filter((r) => z.routeTables.includes(r.routeTableId))
            .map(
              ({ defaultRoute: d }) =>
                d?.natGatewayId ?? d?.instanceId ?? byEni.get(d?.networkInterfaceId ?? ''),
            ),
        ),
      ],
    ]),
  );
}

const live = async (w: World, zone: string) => {
  const out = await w.ec2.send(
    new DescribeInstancesCommand({
      Filters: [
        { Name: 'instance-state-name', Values: ['pending', 'running'] },
        { Name: `tag:${TAG.zone}`, Values: [zone] },
      ],
    }),
  );
  return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId!);
};

const BROKEN = 'test-nat: FAIL forwarding (net.ipv4.ip_forward = 0)\ntest-nat failed';

describe('ReplaceInstances proves each new instance’s path before its zone moves', () => {
  it('a check that passes: every zone on its new instance, each checked while its routes were still on the old one, with the checker’s command', async () => {
    const { w, before, checks } = await world(() => 'Success');
    const e = await w.run('ReplaceInstances', { reason: 'patch' });
    expect(e.r.status).toBe('SUCCEEDED');
    const now = await targets(w);
    expect(checks()).toHaveLength(3);
    for (const c of checks()) {
      const zone = w.zones.find((z) => z.zone === before[c.instance]!.zone)!;
      expect(now[zone.zone]).toEqual([c.instance]);
      expect(before[c.instance]!.targets).toEqual([zone.instanceId]);
      expect(c.command).toBe(healthCommands(w.env.checker.urls).join('\n'));
    }
  });

  it('a check that fails: the zone on its gateway with the instance’s words in the report, its new instance terminated, the old one left, the roll stopped', async () => {
    const { w, checks } = await world((_, zone) =>
      zone === 'eu-west-1b' ? { status: 'Failed', stderr: BROKEN } : 'Success',
    );
    const [a, b, c] = w.zones as [World['zones'][0], World['zones'][0], World['zones'][0]];
    const e = await w.run('ReplaceInstances', { reason: 'patch' });
    expect(e.r).toMatchObject({ status: 'FAILED', error: 'ZoneFailed' });
    const why = zoneReasons(e.r);
    expect(why[b.zone]).toContain('PathCheckFailed: the path check on i-');
    expect(why[b.zone]).toContain('ended Failed: test-nat: FAIL forwarding');
    expect(why[b.zone]).toContain(`the zone is on standby gateway ${b.gateway}`);
    const now = await targets(w);
    expect(now[b.zone]).toEqual([b.gateway]);
    expect(now[a.zone]).not.toEqual([a.instanceId]); // rolled before b
    expect(now[c.zone]).toEqual([c.instanceId]); // not reached
    expect(await live(w, b.zone)).toEqual([b.instanceId]);
    // The roll moved b's Elastic IP to the new instance for the check: it is back on the old.
    expect(await eipHolder(w.ec2, w.eips[b.zone]!)).toBe(b.instanceId);
    expect(checks()).toHaveLength(2); // a, then b: c never launched
  });

  it('a check that never ends: given up after its bound, rolled back like a failure', async () => {
    const { w, ssm } = await world((_, zone) =>
      zone === 'eu-west-1a' ? { pending: Infinity } : 'Success',
    );
    const a = w.zones[0]!;
    const e = await w.run('ReplaceInstances', { reason: 'patch', zones: [a.zone] });
    expect(e.r).toMatchObject({ status: 'FAILED', error: 'ZoneFailed' });
    expect(zoneReasons(e.r)[a.zone]).toMatch(
      new RegExp(
        `PathCheckTooSlow: the path check on i-\\w+ not finished within ${PATH_MAX_POLLS * 3} s`,
      ),
    );
    expect(ssm.polls).toBe(PATH_MAX_POLLS);
    expect((await targets(w))[a.zone]).toEqual([a.gateway]);
    expect(await live(w, a.zone)).toEqual([a.instanceId]);
  });

  it('an agent not registered yet: SendCommand retried, then the check passes and the zone moves', async () => {
    let refusals = 2;
    const { w, ssm } = await world(() =>
      refusals-- > 0 ? { refuse: 'InvalidInstanceId' } : 'Success',
    );
    const a = w.zones[0]!;
    const e = await w.run('ReplaceInstances', { reason: 'patch', zones: [a.zone] });
    expect(e.r.status).toBe('SUCCEEDED');
    expect(ssm.refused).toBe(2);
    expect((await targets(w))[a.zone]).toEqual(await live(w, a.zone));
  });

  it('an agent that never registers: given up after the bounded retries, rolled back', async () => {
    const { w, ssm } = await world(() => ({ refuse: 'InvalidInstanceId' }));
    const a = w.zones[0]!;
    const e = await w.run('ReplaceInstances', { reason: 'patch', zones: [a.zone] });
    expect(e.r).toMatchObject({ status: 'FAILED', error: 'ZoneFailed' });
    expect(zoneReasons(e.r)[a.zone]).toContain('Ssm.InvalidInstanceIdException');
    expect(ssm.refused).toBe(1 + 6); // the first try and SSM_RETRY's attempts
    expect((await targets(w))[a.zone]).toEqual([a.gateway]);
    expect(await live(w, a.zone)).toEqual([a.instanceId]);
  });
});

describe('Fallback proves each instance’s path before its zone goes back', () => {
  it('three zones on their gateways, one instance failing its check: the other two go back, that zone stays with the reason', async () => {
    const { w, checks } = await world((_, zone) =>
      zone === 'eu-west-1c'
        ? { status: 'Failed', stderr: 'no URL answered from the instance' }
        : 'Success',
    );
    expect((await w.run('Failover', { reason: 'drill' })).r.status).toBe('SUCCEEDED');
    const e = await w.run('Fallback', { reason: 'recovered' });
    expect(e.r.status).toBe('SUCCEEDED');
    const [a, b, c] = w.zones as [World['zones'][0], World['zones'][0], World['zones'][0]];
    expect(await targets(w)).toEqual({
      [a.zone]: [a.instanceId],
      [b.zone]: [b.instanceId],
      [c.zone]: [c.gateway],
    });
    expect(zoneReasons(e.r)[c.zone]).toBe(
      `path check failed: PathCheckFailed: the path check on ${c.instanceId} ended Failed: no URL answered from the instance: on standby gateway ${c.gateway}`,
    );
    expect(
      checks()
        .map((s) => s.instance)
        .sort(),
    ).toEqual([a.instanceId, b.instanceId, c.instanceId].sort());
  });

  it('a check that never ends keeps the zone on its gateway', async () => {
    const { w } = await world(() => ({ pending: Infinity }));
    const a = w.zones[0]!;
    expect((await w.run('Failover', { zones: [a.zone] })).r.status).toBe('SUCCEEDED');
    const e = await w.run('Fallback', { zones: [a.zone] });
    expect(e.r.status).toBe('SUCCEEDED');
    expect(zoneReasons(e.r)[a.zone]).toMatch(/^path check failed: PathCheckTooSlow: /);
    expect((await targets(w))[a.zone]).toEqual([a.gateway]);
  });

  it('held zones are not checked at all, by Fallback or ReplaceInstances', async () => {
    const { w, checks } = await world(() => 'Success');
    const [a, b] = [w.zones[0]!, w.zones[1]!];
    const hold = { zones: [a.zone, b.zone], reason: 'isp trouble', hold: { by: 'ops' } };
    expect((await w.run('Failover', hold)).r.status).toBe('SUCCEEDED');
    expect((await w.run('Fallback', {})).r.status).toBe('SUCCEEDED');
    expect((await w.run('ReplaceInstances', { zones: [a.zone, b.zone] })).r.status).toBe(
      'SUCCEEDED',
    );
    const checked = new Set(checks().map((s) => s.instance));
    expect(checked).toEqual(new Set([w.zones[2]!.instanceId]));
    expect(await targets(w)).toMatchObject({ [a.zone]: [a.gateway], [b.zone]: [b.gateway] });
  });
});
