// Zone holds: an operator's Failover may hold a zone on its standby gateway. The hold is three
// tags on each of the zone's route tables — why, who, since when — so every workflow reads it
// with the DescribeRouteTables it makes anyway, and it lives as long as the tables (ADR 0111).
// Fallback, ReplaceInstances and Maintenance skip a held zone; `natfleet release` lifts it.
import { DeleteTagsCommand, DescribeRouteTablesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { Environment } from './config/schema.js';
import { PREFIX } from './names.js';

export const HOLD_TAG = {
  reason: `${PREFIX}:hold`,
  by: `${PREFIX}:hold-by`,
  at: `${PREFIX}:hold-at`,
} as const;

export interface Hold {
  zone: string;
  reason: string;
  by: string;
  at: string;
  /** The zone's tables that carry the hold (a partial hold still holds). */
  routeTables: string[];
}

type Tags = { Key?: string; Value?: string }[] | undefined;
const tag = (tags: Tags, key: string) => tags?.find((t) => t.Key === key)?.Value;

/** The holds of an environment, one per held zone. */
export async function readHolds(ec2: EC2Client, env: Environment): Promise<Hold[]> {
  const ids = env.zones.flatMap((z) => z.routeTables);
  if (!ids.length) return [];
  const out = await ec2.send(
    new DescribeRouteTablesCommand({
      Filters: [
        { Name: 'route-table-id', Values: ids },
        { Name: 'tag-key', Values: [HOLD_TAG.reason] },
      ],
    }),
  );
  const byTable = new Map((out.RouteTables ?? []).map((t) => [t.RouteTableId!, t.Tags]));
  const holds: Hold[] = [];
  for (const z of env.zones) {
    const held = z.routeTables.filter((t) => byTable.has(t));
    const tags = byTable.get(held[0] ?? '');
    if (!held.length) continue;
    holds.push({
      zone: z.availabilityZone,
      reason: tag(tags, HOLD_TAG.reason) ?? '',
      by: tag(tags, HOLD_TAG.by) ?? 'unknown',
      at: tag(tags, HOLD_TAG.at) ?? 'unknown',
      routeTables: held,
    });
  }
  return holds;
}

/** Lifts the holds of the given zones (all held zones when absent); returns the zones released. */
export async function releaseHolds(
  ec2: EC2Client,
  env: Environment,
  zones?: string[],
): Promise<Hold[]> {
  const holds = (await readHolds(ec2, env)).filter((h) => !zones || zones.includes(h.zone));
  const tables = holds.flatMap((h) => h.routeTables);
  if (tables.length) {
    await ec2.send(
      new DeleteTagsCommand({
        Resources: tables,
        Tags: Object.values(HOLD_TAG).map((Key) => ({ Key })),
      }),
    );
  }
  return holds;
}

export const holdLine = (h: Hold) => `${h.zone}: held by ${h.by} since ${h.at}: ${h.reason}`;
