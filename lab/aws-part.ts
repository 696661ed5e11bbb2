// What AWS does for a floating egress address (ADR 0140), played by the lab where moto does not
// (ADR 0171), shared by the handoff lab and `natfleet lab`:
// - AssignPrivateIpAddresses with AllowReassignment moves the address: moto adds it to the new
//   ENI and leaves it on the old one, so the lab takes it off every other ENI;
// - AssociateAddress with a PrivateIpAddress ties the Elastic IP to that address (moto records
//   the ENI's primary address instead), so the lab remembers the address it was given;
// - the internet gateway delivers a private address to the ENI that holds it (a permanent
//   neighbour entry on the public segment) and translates it to its Elastic IP.
import {
  DescribeNetworkInterfacesCommand,
  UnassignPrivateIpAddressesCommand,
} from '@aws-sdk/client-ec2';
import type { Sender } from '../lib/workflows/sdk.js';
import { must, run } from './exec.js';

/** The Elastic IP associations the lab saw, allocation id → private address. */
export type Associations = Map<string, string>;

interface Eni {
  NetworkInterfaceId?: string;
  PrivateIpAddresses?: { PrivateIpAddress?: string; Primary?: boolean }[];
}

/** The workflows' EC2 client with AWS's reassignment and association semantics. */
export function reassigningEc2(client: Sender, associations: Associations): Sender {
  return {
    async send(c: unknown) {
      const name = (c as object).constructor.name;
      const input = (c as { input: Record<string, unknown> }).input;
      const out = await client.send(c);
      if (name === 'AssignPrivateIpAddressesCommand' && input.AllowReassignment === true) {
        const moved = new Set((input.PrivateIpAddresses as string[] | undefined) ?? []);
        const enis = (
          (await client.send(new DescribeNetworkInterfacesCommand({}))) as {
            NetworkInterfaces?: Eni[];
          }
        ).NetworkInterfaces;
        for (const eni of enis ?? []) {
          if (eni.NetworkInterfaceId === input.NetworkInterfaceId) continue;
          const held = (eni.PrivateIpAddresses ?? [])
            .filter((p) => !p.Primary && moved.has(p.PrivateIpAddress ?? ''))
            .map((p) => p.PrivateIpAddress!);
          if (held.length)
            await client.send(
              new UnassignPrivateIpAddressesCommand({
                NetworkInterfaceId: eni.NetworkInterfaceId!,
                PrivateIpAddresses: held,
              }),
            );
        }
      }
      if (
        name === 'AssociateAddressCommand' &&
        typeof input.AllocationId === 'string' &&
        typeof input.PrivateIpAddress === 'string'
      )
        associations.set(input.AllocationId, input.PrivateIpAddress);
      return out;
    },
  };
}

/** The public segment delivers `address` to the interface with `mac` (none: to nobody). */
export async function deliverTo(
  inetNs: string,
  dev: string,
  address: string,
  mac: string | undefined,
): Promise<void> {
  if (!mac) {
    await run(['ip', '-n', inetNs, 'neigh', 'del', address, 'dev', dev]);
    return;
  }
  await must(['ip', '-n', inetNs, 'route', 'replace', `${address}/32`, 'dev', dev]);
  await must(
    ['ip', '-n', inetNs, 'neigh', 'replace', address, 'lladdr', mac, 'dev', dev, 'nud'].concat(
      'permanent',
    ),
  );
}

const IGW_TABLE = 'lab_igw';

/** The internet gateway's one-to-one translation: each private address to its Elastic IP
 * (only translated packets reach the internet's servers; the replies are turned back). */
export async function translate(inetNs: string, map: Map<string, string>): Promise<void> {
  const rules = [...map].map(([priv, pub]) => `    ip saddr ${priv} snat to ${pub}`).join('\n');
  const text = `table ip ${IGW_TABLE}\ndelete table ip ${IGW_TABLE}\ntable ip ${IGW_TABLE} {\n  chain in {\n    type nat hook input priority 100;\n${rules}\n  }\n}\n`;
  await must(['ip', 'netns', 'exec', inetNs, 'nft', '-f', '-'], { input: text });
}
