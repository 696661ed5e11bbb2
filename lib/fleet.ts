// The fleet model: which zones there are, what route tables each serves and what can be its
// default route's target. Pure: no AWS calls.
import type { Environment } from './config/schema.js';

export type Mode = 'instance' | 'gateway';

export type Target =
  | { kind: 'instance'; eniId: string; instanceId?: string }
  | { kind: 'gateway'; natGatewayId: string };

/** A zone's possible targets as they stand now (ids are learned from AWS or the stacks). */
export interface ZoneTargets {
  zone: string;
  routeTables: string[];
  gateway?: string;
  /** The zone's NAT instance; `ready` = running, status checks passed, source/dest check off. */
  instance?: { instanceId: string; eniId: string; ready: boolean };
}

/** Zones and route tables as configured, before anything is known about live targets. */
export function fleetZones(env: Environment): ZoneTargets[] {
  return env.zones.map((z) => ({
    zone: z.availabilityZone,
    routeTables: [...z.routeTables],
    gateway: adoptedStandby(env, z.availabilityZone),
  }));
}

/** The gateway a zone adopts as its standby: one for every zone unless the mode is per-zone. */
export function adoptedStandby(env: Environment, zone: string): string | undefined {
  if (env.gateway.mode !== 'per-zone') return env.gateway.natGatewayId;
  return env.zones.find((z) => z.availabilityZone === zone)?.natGatewayId;
}
