// The one source of state/<env>.json's shape: the TypeScript types, the committed
// schema/natfleet-state.schema.json and the key order of the written file all come from here.
import { Type, type Static, type TSchema } from '@sinclair/typebox';

const id = (prefix: string, what: string) =>
  Type.String({ pattern: `^${prefix}-[0-9a-f]{8,17}$`, description: `${what} (${prefix}-…)` });

const time = (description: string) =>
  Type.String({ pattern: '^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d', description });

const ipv4 = Type.String({
  pattern: '^(\\d{1,3}\\.){3}\\d{1,3}$',
  description: 'an IPv4 address',
});

const strict = <T extends Parameters<typeof Type.Object>[0]>(props: T, description: string) =>
  Type.Object(props, { additionalProperties: false, description });

export const RECORD_VERSION = 1;
/** mixed: the zone's tables disagree, or point at neither its instance nor a NAT gateway. */
export const RECORD_MODES = ['instance', 'gateway', 'mixed'] as const;
export const TARGET_KINDS = ['instance', 'gateway', 'other', 'none'] as const;

export const ImageRecordSchema = strict(
  {
    amiId: id('ami', 'an AMI id'),
    name: Type.Optional(Type.String({ description: 'the AMI name' })),
    version: Type.Optional(Type.String({ description: 'the image version (e.g. 1.0.3/2)' })),
    buildDate: Type.Optional(time('when the image was built (ISO 8601)')),
  },
  'the AMI the SSM parameter names, which new NAT instances start from',
);

export const InstanceRecordSchema = strict(
  {
    instanceId: id('i', 'an instance id'),
    eniId: id('eni', 'a network interface id'),
    amiId: id('ami', 'an AMI id'),
    launchTime: time('when the instance was launched (ISO 8601)'),
    publicIp: Type.Optional(ipv4),
  },
  "the zone's running NAT instance",
);

export const GatewayRecordSchema = strict(
  {
    natGatewayId: id('nat', 'a NAT gateway id'),
    // Written only for a regional gateway, so records of zonal ones stay as they were.
    availabilityMode: Type.Optional(
      Type.Literal('regional', { description: '"regional" for a regional NAT gateway' }),
    ),
    publicIp: Type.Optional(ipv4),
  },
  "the zone's standby NAT gateway (a regional one: with the address it uses in this zone)",
);

export const RouteRecordSchema = strict(
  {
    target: Type.String({ description: 'the 0.0.0.0/0 target id, or "none"' }),
    kind: Type.Union(
      TARGET_KINDS.map((k) => Type.Literal(k)),
      { description: `the target's kind: ${TARGET_KINDS.join(' | ')}` },
    ),
    blackhole: Type.Optional(Type.Literal(true, { description: 'true when the target is gone' })),
  },
  "a route table's default route",
);

export const ZoneRecordSchema = strict(
  {
    mode: Type.Union(
      RECORD_MODES.map((m) => Type.Literal(m)),
      { description: `where the zone's traffic goes: ${RECORD_MODES.join(' | ')}` },
    ),
    instance: Type.Optional(InstanceRecordSchema),
    gateway: Type.Optional(GatewayRecordSchema),
    hold: Type.Optional(
      strict(
        {
          reason: Type.String({ description: 'why the operator holds the zone' }),
          by: Type.String({ description: 'who holds it' }),
          at: Type.String({ description: 'since when (ISO 8601)' }),
        },
        "an operator's hold of the zone on its gateway (natfleet failover --hold)",
      ),
    ),
    routeTables: Type.Record(Type.String({ pattern: '^rtb-[0-9a-f]{8,17}$' }), RouteRecordSchema, {
      additionalProperties: false,
      description: 'each managed route table by id, with its default route',
    }),
  },
  'one availability zone as it was found',
);

export const GatewayTimeSchema = strict(
  {
    since: time('the previous record’s time'),
    zoneHours: Type.Number({ minimum: 0, description: 'zone-hours on a NAT gateway (≥ 0)' }),
    usd: Type.Number({ minimum: 0, description: 'their NAT gateway hourly cost in USD (≥ 0)' }),
  },
  'time spent on the standby gateways since the previous record',
);

export const StateRecordSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String({ description: 'path or URL of this schema' })),
    version: Type.Literal(RECORD_VERSION, { description: 'the record format version: 1' }),
    environment: Type.String({
      pattern: '^[a-z][a-z0-9-]{0,15}$',
      description: 'the environment name',
    }),
    region: Type.String({ description: 'the AWS region' }),
    recordedAt: time('when the record was taken (ISO 8601)'),
    reason: Type.String({ minLength: 1, description: 'why it was recorded' }),
    run: Type.Optional(Type.String({ description: "the workflow run's URL" })),
    image: Type.Optional(ImageRecordSchema),
    zones: Type.Record(
      Type.String({ pattern: '^[a-z]{2}(-[a-z]+)+-\\d[a-z]$' }),
      ZoneRecordSchema,
      {
        additionalProperties: false,
        description: 'each zone by availability zone name',
      },
    ),
    gatewayTime: Type.Optional(GatewayTimeSchema),
  },
  {
    additionalProperties: false,
    title: 'state/<env>.json',
    description: 'natfleet: what one environment looked like when it was recorded',
  },
);

export type StateRecord = Static<typeof StateRecordSchema>;
export type ZoneRecord = Static<typeof ZoneRecordSchema>;
export type RouteRecord = Static<typeof RouteRecordSchema>;
export type ImageRecord = Static<typeof ImageRecordSchema>;
export type RecordMode = (typeof RECORD_MODES)[number];

export function stateJsonSchema(): TSchema {
  return JSON.parse(
    JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', ...StateRecordSchema }),
  );
}
