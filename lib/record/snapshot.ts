// Snapshot of an environment's live fleet into a record: the image the SSM parameter names,
// and per zone its mode, NAT instance, standby gateway and route tables. Observing the fleet is
// lib/aws/fleet.ts's job; this file only adds what the record needs on top.
import {
  DescribeImagesCommand,
  DescribeNatGatewaysCommand,
  type EC2Client,
  type Image,
  type Instance,
} from '@aws-sdk/client-ec2';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { Environment } from '../config/schema.js';
import { pricesFor } from '../cost/regions.js';
import type { ZoneTargets } from '../fleet.js';
import { natInstances, observeRouteTables, observeZoneTargets } from '../aws/fleet.js';
import { amiParameter } from '../names.js';
import { readHolds } from '../holds.js';
import { routeMatches, type ObservedRoute, type ObservedTable } from '../routes.js';
import {
  RECORD_VERSION,
  type ImageRecord,
  type RouteRecord,
  type StateRecord,
  type ZoneRecord,
} from './schema.js';

export interface RecordMeta {
  reason: string;
  now: Date;
  run?: string;
  /** The record this one follows, for the time spent on the gateways since. */
  previous?: StateRecord;
}

/** Version and build date of an Image Builder image, when its API is at hand (not in moto). */
export type ImageLookup = (
  imageBuildVersionArn: string,
) => Promise<{ version?: string; buildDate?: string }>;

const tagOf = (tags: { Key?: string; Value?: string }[] | undefined, key: string) =>
  tags?.find((t) => t.Key === key)?.Value;

export function routeRecord(table: ObservedTable | undefined): RouteRecord {
  if (!table) return { target: 'not found', kind: 'none' };
  const r: ObservedRoute | undefined = table.defaultRoute;
  if (!r) return { target: 'none', kind: 'none' };
  const kind = r.natGatewayId
    ? 'gateway'
    : r.networkInterfaceId || r.instanceId
      ? 'instance'
      : 'other';
  const target = r.natGatewayId ?? r.networkInterfaceId ?? r.instanceId ?? r.otherTarget ?? 'none';
  return { target, kind, ...(r.state === 'blackhole' ? { blackhole: true as const } : {}) };
}

/** instance: every table on the zone's own instance; gateway: every table on a NAT gateway. */
export function zoneMode(
  z: ZoneTargets,
  tables: (ObservedTable | undefined)[],
): ZoneRecord['mode'] {
  const routes = tables.map((t) => t?.defaultRoute);
  const inst = z.instance;
  if (inst && routes.every((r) => routeMatches(r, { kind: 'instance', ...inst })))
    return 'instance';
  if (routes.every((r) => r?.state === 'active' && r.natGatewayId)) return 'gateway';
  return 'mixed';
}

/**
 * Zone-hours on a gateway since the previous record. A zone counts from the first record that
 * finds it on the gateway until the first that finds it back, so the drift check's interval is
 * the accuracy. The cost is the gateway's hourly price; data processing per GB comes on top.
 */
export function gatewayTime(
  previous: StateRecord | undefined,
  now: Date,
): StateRecord['gatewayTime'] {
  if (!previous) return undefined;
  const hours = Math.max(0, (now.getTime() - Date.parse(previous.recordedAt)) / 3_600_000);
  const zones = Object.values(previous.zones).filter((z) => z.mode === 'gateway').length;
  const zoneHours = Math.round(zones * hours * 100) / 100;
  const usd = Math.round(zoneHours * pricesFor(previous.region).natGateway.perHour * 100) / 100;
  return { since: previous.recordedAt, zoneHours, usd };
}

function instanceRecord(i: Instance | undefined, eniId: string): ZoneRecord['instance'] {
  if (!i?.InstanceId || !i.ImageId || !i.LaunchTime) return undefined;
  return {
    instanceId: i.InstanceId,
    eniId,
    amiId: i.ImageId,
    launchTime: i.LaunchTime.toISOString(),
    ...(i.PublicIpAddress ? { publicIp: i.PublicIpAddress } : {}),
  };
}

async function imageRecord(
  ec2: EC2Client,
  ssm: SSMClient,
  env: string,
  lookup?: ImageLookup,
): Promise<ImageRecord | undefined> {
  let amiId: string | undefined;
  try {
    amiId = (await ssm.send(new GetParameterCommand({ Name: amiParameter(env) }))).Parameter?.Value;
  } catch (e) {
    if ((e as Error).name === 'ParameterNotFound') return undefined;
    throw e;
  }
  if (!amiId) return undefined;
  const out = await ec2.send(
    new DescribeImagesCommand({ Filters: [{ Name: 'image-id', Values: [amiId] }] }),
  );
  const img: Image | undefined = out.Images?.[0];
  // Image Builder tags the AMIs it makes with the image's ARN: …:image/<name>/<version>/<build>.
  const arn = tagOf(img?.Tags, 'Ec2ImageBuilderArn');
  const fromArn = arn?.match(/:image\/[^/]+\/(.+)$/)?.[1];
  const found = arn && lookup ? await lookup(arn) : {};
  const version = found.version ?? fromArn;
  const buildDate = found.buildDate ?? img?.CreationDate;
  return {
    amiId,
    ...(img?.Name ? { name: img.Name } : {}),
    ...(version ? { version } : {}),
    ...(buildDate ? { buildDate: new Date(buildDate).toISOString() } : {}),
  };
}

type GatewaySeen = NonNullable<ZoneRecord['gateway']>;

/**
 * The standbys as a zone's record shows them. A regional gateway has addresses per zone (each
 * names its AvailabilityZone): the zone gets its own, else the first.
 */
async function gatewaysSeen(
  ec2: EC2Client,
  ids: string[],
): Promise<Map<string, (zone: string) => GatewaySeen>> {
  if (ids.length === 0) return new Map();
  const out = await ec2.send(
    new DescribeNatGatewaysCommand({ Filter: [{ Name: 'nat-gateway-id', Values: ids }] }),
  );
  return new Map(
    (out.NatGateways ?? []).map((g) => [
      g.NatGatewayId!,
      (zone: string) => {
        const addrs = g.NatGatewayAddresses ?? [];
        const ip = (addrs.find((a) => a.AvailabilityZone === zone) ?? addrs[0])?.PublicIp;
        return {
          natGatewayId: g.NatGatewayId!,
          ...(g.AvailabilityMode === 'regional' ? { availabilityMode: 'regional' as const } : {}),
          ...(ip ? { publicIp: ip } : {}),
        };
      },
    ]),
  );
}

/** The environment as it is now in AWS, as a record. Reads only. */
export async function snapshot(
  clients: { ec2: EC2Client; ssm: SSMClient },
  env: Environment,
  meta: RecordMeta,
  lookup?: ImageLookup,
): Promise<StateRecord> {
  const { ec2, ssm } = clients;
  const targets = await observeZoneTargets(ec2, env);
  const [tables, instances, image, seen, holds] = await Promise.all([
    observeRouteTables(
      ec2,
      targets.flatMap((z) => z.routeTables),
    ),
    natInstances(ec2, env.name),
    imageRecord(ec2, ssm, env.name, lookup),
    gatewaysSeen(ec2, [...new Set(targets.flatMap((z) => (z.gateway ? [z.gateway] : [])))]),
    readHolds(ec2, env),
  ]);
  const byTable = new Map(tables.map((t) => [t.routeTableId, t]));
  const zones: Record<string, ZoneRecord> = {};
  for (const z of targets) {
    const own = z.routeTables.map((id) => byTable.get(id));
    const inst = z.instance
      ? instanceRecord(
          instances.find((i) => i.InstanceId === z.instance!.instanceId),
          z.instance.eniId,
        )
      : undefined;
    const gw = z.gateway ? seen.get(z.gateway)?.(z.zone) : undefined;
    const hold = holds.find((h) => h.zone === z.zone);
    zones[z.zone] = {
      mode: zoneMode(z, own),
      ...(inst ? { instance: inst } : {}),
      ...(gw ? { gateway: gw } : {}),
      ...(hold ? { hold: { reason: hold.reason, by: hold.by, at: hold.at } } : {}),
      routeTables: Object.fromEntries(z.routeTables.map((id, n) => [id, routeRecord(own[n])])),
    };
  }
  const time = gatewayTime(meta.previous, meta.now);
  return {
    version: RECORD_VERSION,
    environment: env.name,
    region: env.region,
    recordedAt: meta.now.toISOString(),
    reason: meta.reason,
    ...(meta.run ? { run: meta.run } : {}),
    ...(image ? { image } : {}),
    zones,
    ...(time ? { gatewayTime: time } : {}),
  };
}
