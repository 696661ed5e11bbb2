// ReplaceInstances with instance.egress floating, run in the in-process runner against moto:
// the floating address and its Elastic IP move to the new ENI, nat-handoff.sh runs through SSM
// RunCommand in the order the handoff lab proves (copy, switch, move, final delta), and the
// failures: a final delta that fails gives the address back and puts the zone on its gateway; a
// copy that fails costs the state, not the replacement. SSM RunCommand is a double (moto has no
// agent); the instance side of it is test/lab/handoff.test.ts.
import { describe, expect, it } from '@jest/globals';
import {
  AssignPrivateIpAddressesCommand,
  AssociateAddressCommand,
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { HANDOFF_SCRIPT } from '../../lib/workflows/handoff.js';
import type { Sender } from '../../lib/workflows/sdk.js';
import { worldPerTest, type World } from '../workflows-world.js';
import { isPathCheck, RunCommandDouble, type Sent } from '../run-command.js';

const newWorld = worldPerTest();
const FLOATING = ['10.0.0.50', '10.0.1.50', '10.0.2.50'];

/** The fleet as it runs with floating egress: each old ENI holds its zone's address and EIP. */
async function floating(w: { env: World['env'] }, ec2: EC2Client, zones: World['zones']) {
  w.env.instance.egress = 'floating';
  for (const [i, z] of zones.entries()) {
    w.env.zones[i]!.floatingAddress = FLOATING[i]!;
    await ec2.send(
      new AssignPrivateIpAddressesCommand({
        NetworkInterfaceId: z.eniId,
        PrivateIpAddresses: [FLOATING[i]!],
      }),
    );
    await ec2.send(
      new AssociateAddressCommand({
        AllocationId: w.env.zones[i]!.eipAllocation!,
        NetworkInterfaceId: z.eniId,
        PrivateIpAddress: FLOATING[i]!,
        AllowReassociation: true,
      }),
    );
  }
}

/** The address calls as sent: moto keeps a reassigned address on both ENIs and associates an
 * Elastic IP with the primary address whatever PrivateIpAddress says, so the parameters that
 * AWS acts on are checked here as sent. */
type Call = { name: string; input: Record<string, unknown> };
const recording =
  (calls: Call[]) =>
  (real: Sender): Sender => ({
    send: async (c: unknown) => {
      const name = (c as object).constructor.name.replace(/Command$/, '');
      if (name === 'AssignPrivateIpAddresses' || name === 'AssociateAddress')
        calls.push({ name, input: (c as { input: Record<string, unknown> }).input });
      return real.send(c);
    },
  });

/** `outcome` answers the handoff's commands (n counts them); every path check passes. */
async function world(outcome: (command: string, n: number) => string) {
  let handoffs = 0;
  const ssm = new RunCommandDouble((s: Sent) =>
    isPathCheck(s) ? 'Success' : outcome(s.command, ++handoffs),
  );
  const calls: Call[] = [];
  const w = await newWorld({
    ssm: ssm.wrap,
    ec2: recording(calls),
    edit: (env, zones, ec2) => floating({ env }, ec2, zones),
  });
  return { w, ssm: { sent: () => ssm.sent.filter((s) => !isPathCheck(s)), all: ssm }, calls };
}

/** The ENIs that hold `address` (every ENI read: moto filters no secondary addresses). */
const holder = async (ec2: EC2Client, address: string) => {
  const out = await ec2.send(new DescribeNetworkInterfacesCommand({}));
  return (out.NetworkInterfaces ?? [])
    .filter((n) => (n.PrivateIpAddresses ?? []).some((a) => a.PrivateIpAddress === address))
    .map((n) => n.NetworkInterfaceId);
};

const eipOn = async (ec2: EC2Client, allocation: string) => {
  const a = (await ec2.send(new DescribeAddressesCommand({ AllocationIds: [allocation] })))
    .Addresses?.[0];
  return { eni: a?.NetworkInterfaceId, privateIp: a?.PrivateIpAddress };
};

async function liveInZone(w: World, zone: string) {
  const out = await w.ec2.send(
    new DescribeInstancesCommand({
      Filters: [
        { Name: 'instance-state-name', Values: ['running'] },
        { Name: 'tag:natfleet:zone', Values: [zone] },
      ],
    }),
  );
  return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
}

const privateIp = async (w: World, id: string) =>
  (await w.ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations![0]!
    .Instances![0]!.PrivateIpAddress;

describe('ReplaceInstances with a floating egress address', () => {
  it('moves each zone’s address and Elastic IP to the new ENI, with the state copied before and after the switch', async () => {
    const { w, ssm, calls } = await world(() => 'Success');
    const e = await w.run('ReplaceInstances', { reason: 'patch' });
    expect(e.r).toMatchObject({ status: 'SUCCEEDED' });
    for (const [i, z] of w.zones.entries()) {
      const [fresh, ...more] = await liveInZone(w, z.zone);
      expect(more).toEqual([]);
      expect(fresh!.InstanceId).not.toBe(z.instanceId);
      const eni = fresh!.NetworkInterfaces![0]!.NetworkInterfaceId!;
      const newIp = fresh!.PrivateIpAddress!;
      expect(await holder(w.ec2, FLOATING[i]!)).toContain(eni);
      expect((await eipOn(w.ec2, w.eips[z.zone]!)).eni).toBe(eni);
      expect(calls.filter((c) => c.input.NetworkInterfaceId === eni)).toEqual([
        {
          name: 'AssignPrivateIpAddresses',
          input: {
            NetworkInterfaceId: eni,
            PrivateIpAddresses: [FLOATING[i]],
            AllowReassignment: true,
          },
        },
        {
          name: 'AssociateAddress',
          input: {
            AllocationId: w.eips[z.zone],
            NetworkInterfaceId: eni,
            PrivateIpAddress: FLOATING[i],
            AllowReassociation: true,
          },
        },
      ]);
      // Copy (receiver first), then — after the switch and the move — the final delta.
      const mine = ssm
        .sent()
        .filter((s) => s.instance === fresh!.InstanceId || s.instance === z.instanceId);
      expect(mine.map((s) => [s.instance === z.instanceId ? 'old' : 'new', s.command])).toEqual([
        ['new', `${HANDOFF_SCRIPT} receive ${FLOATING[i]} ${await privateIp(w, z.instanceId)}`],
        ['old', `${HANDOFF_SCRIPT} send ${FLOATING[i]} ${newIp}`],
        [
          'new',
          `${HANDOFF_SCRIPT} receive ${FLOATING[i]} ${await privateIp(w, z.instanceId)} final`,
        ],
        ['old', `${HANDOFF_SCRIPT} send ${FLOATING[i]} ${newIp}`],
      ]);
      // The path is proved on the new instance once it holds the address: after the final delta.
      const order = ssm.all.sent.filter((s) => s.instance === fresh!.InstanceId);
      expect(order.map((s) => (isPathCheck(s) ? 'path' : s.command.split(' ')[1]))).toEqual([
        'receive',
        'receive',
        'path',
      ]);
    }
  });

  it('a final delta that fails gives the address back to the old instance and puts the zone on its gateway', async () => {
    const { w, calls } = await world((command) => (/ final$/.test(command) ? 'Failed' : 'Success'));
    const e = await w.run('ReplaceInstances', { reason: 'patch' });
    expect(e.r).toMatchObject({ status: 'FAILED', error: 'ZoneFailed' });
    expect(e.r.cause).toMatch(
      /stopped at eu-west-1a: HandoffFailed: nat-handoff\.sh on i-\w+ ended Failed/,
    );
    const [a] = w.zones;
    const live = await liveInZone(w, a!.zone);
    expect(live.map((i) => i.InstanceId)).toEqual([a!.instanceId]); // the new one terminated
    expect(await holder(w.ec2, FLOATING[0]!)).toContain(a!.eniId);
    expect((await eipOn(w.ec2, w.eips[a!.zone]!)).eni).toBe(a!.eniId);
    // Moved to the new ENI, associated there, then both given back to the old one.
    const onOld = calls.filter((c) => c.input.NetworkInterfaceId === a!.eniId);
    expect(calls.map((c) => c.name)).toEqual([
      'AssignPrivateIpAddresses',
      'AssociateAddress',
      'AssignPrivateIpAddresses',
      'AssociateAddress',
    ]);
    expect(calls.indexOf(onOld[0]!)).toBe(2);
    expect(onOld.map((c) => c.input)).toEqual([
      { NetworkInterfaceId: a!.eniId, PrivateIpAddresses: [FLOATING[0]], AllowReassignment: true },
      {
        AllocationId: w.eips[a!.zone],
        NetworkInterfaceId: a!.eniId,
        PrivateIpAddress: FLOATING[0],
        AllowReassociation: true,
      },
    ]);
    const routes = await w.routes();
    for (const t of a!.routeTables)
      expect(routes.find((r) => r.routeTableId === t)?.defaultRoute?.natGatewayId).toBe(a!.gateway);
  });

  it('a copy that fails costs the state, not the replacement: the address moves and the new instance adopts it', async () => {
    const { w, ssm } = await world((command, n) => (n === 1 ? 'Failed' : 'Success'));
    const e = await w.run('ReplaceInstances', { reason: 'patch', zones: ['eu-west-1a'] });
    expect(e.r).toMatchObject({ status: 'SUCCEEDED' });
    const [fresh] = await liveInZone(w, 'eu-west-1a');
    expect(await holder(w.ec2, FLOATING[0]!)).toContain(
      fresh!.NetworkInterfaces![0]!.NetworkInterfaceId,
    );
    expect(ssm.sent().map((s) => s.command.split(' ').slice(1).join(' '))).toEqual([
      `receive ${FLOATING[0]} ${await privateIp(w, w.zones[0]!.instanceId)}`,
      `send ${FLOATING[0]} ${fresh!.PrivateIpAddress}`,
      `adopt ${FLOATING[0]} final`,
    ]);
  });
});
