// The one source of natfleet.yml's shape: the TypeScript types and schema/natfleet.schema.json
// both come from here. Every `description` doubles as the "expected …" text of a load error.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { AVAILABILITY_ZONE, CHECKER_LIMITS, ENVIRONMENT_NAME, type IntLimit } from './limits.js';

export { ENVIRONMENT_NAME };

const id = (prefix: string, what: string) =>
  Type.String({
    pattern: `^${prefix}-[0-9a-f]{8,17}$`,
    description: `${what} (${prefix}-…)`,
  });

const oneOf = <T extends string>(values: readonly T[], description: string) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    { description: `${description}: ${values.join(' | ')}` },
  );

const int = (min: number, max: number, dflt: number, description: string) =>
  Type.Integer({ minimum: min, maximum: max, default: dflt, description });
const limited = (l: IntLimit, description: string) => int(l.min, l.max, l.default, description);

const strict = <T extends Parameters<typeof Type.Object>[0]>(
  props: T,
  description: string,
  extra: { default?: object } = {},
) => Type.Object(props, { additionalProperties: false, description, ...extra });

export const REGION = '^[a-z]{2}(-[a-z]+)+-\\d$';

/**
 * The largest fleet natfleet.yml accepts: what fits every AWS limit once rendered (lib/limits.ts;
 * test/unit/largest-fleet.test.ts renders exactly this fleet and checks each limit). Zones: no
 * region has more than 6. URLs: the checker's 4 KB of environment variables. Route tables: the
 * ReplaceInstances history bound (lib/history.ts) under Step Functions' 25,000 events.
 * VPC ranges: the VPC's own maximum of 50, under the security group's 60 inbound rules.
 */
export const FLEET_BOUNDS = {
  zones: 6,
  routeTablesPerZone: 40,
  urls: 10,
  urlLength: 200,
  vpcCidrs: 50,
} as const;
export const ARCHITECTURES = ['arm64', 'x86_64'] as const;
export const GATEWAY_MODES = ['shared', 'per-zone', 'regional'] as const;
export const ENDPOINT_MODES = ['create', 'existing', 'none'] as const;
/** What the NAT translates to: the instance's primary address, or a floating secondary address
 * that moves to the new instance on replacement with the connections' state (ADR 0140). */
export const EGRESS_MODES = ['primary', 'floating'] as const;
export const IPV4 = '^((25[0-5]|2[0-4]\\d|1?\\d?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1?\\d?\\d)$';
export const GITHUB_REPOSITORY = '^[A-Za-z0-9-]{1,39}/[A-Za-z0-9._-]{1,100}$';
export const OIDC_PROVIDER_ARN =
  '^arn:aws[a-z-]*:iam::\\d{12}:oidc-provider/token\\.actions\\.githubusercontent\\.com$';

export const ZoneSchema = strict(
  {
    availabilityZone: Type.String({
      pattern: AVAILABILITY_ZONE,
      description: 'an availability zone name (e.g. eu-west-1a)',
    }),
    publicSubnet: id('subnet', 'a subnet id'),
    privateSubnet: id('subnet', 'a subnet id'),
    routeTables: Type.Array(id('rtb', 'a route table id'), {
      minItems: 1,
      maxItems: FLEET_BOUNDS.routeTablesPerZone,
      description: `the private route tables this zone serves (1 to ${FLEET_BOUNDS.routeTablesPerZone})`,
    }),
    eipAllocation: Type.Optional(id('eipalloc', 'an Elastic IP allocation id')),
    natGatewayId: Type.Optional(id('nat', 'a NAT gateway id to adopt as this zone’s standby')),
    floatingAddress: Type.Optional(
      Type.String({
        pattern: IPV4,
        description:
          'a free private IPv4 address of the zone’s public subnet, the NAT’s floating egress address (instance.egress floating)',
      }),
    ),
  },
  'one availability zone: its NAT instance, standby and route tables',
);

export const GatewaySchema = strict(
  {
    mode: Type.Optional({ ...oneOf(GATEWAY_MODES, 'standby gateway mode'), default: 'shared' }),
    subnet: Type.Optional(id('subnet', 'a public subnet id for the shared gateway')),
    natGatewayId: Type.Optional(
      id('nat', 'a NAT gateway id to adopt as the standby of every zone (shared or regional)'),
    ),
  },
  'the standby NAT Gateway(s)',
  { default: {} },
);

export const CheckerSchema = strict(
  {
    urls: Type.Array(
      Type.String({
        maxLength: FLEET_BOUNDS.urlLength,
        description: `an http:// or https:// URL (at most ${FLEET_BOUNDS.urlLength} characters)`,
      }),
      {
        minItems: 1,
        maxItems: FLEET_BOUNDS.urls,
        description: `URLs probed through the NAT (1 to ${FLEET_BOUNDS.urls})`,
      },
    ),
    intervalSeconds: Type.Optional(
      limited(CHECKER_LIMITS.intervalSeconds, 'seconds between probe rounds (1–30)'),
    ),
    timeoutSeconds: Type.Optional(
      limited(CHECKER_LIMITS.timeoutSeconds, 'per-URL timeout in seconds (1–30)'),
    ),
    unhealthyThreshold: Type.Optional(
      limited(CHECKER_LIMITS.unhealthyThreshold, 'consecutive failed rounds before failover (≥ 1)'),
    ),
    autoFallback: Type.Optional(Type.Boolean({ default: false, description: 'true or false' })),
    healthyMinutes: Type.Optional(
      limited(
        CHECKER_LIMITS.healthyMinutes,
        'minutes an instance must be healthy before auto-fallback (≥ 1)',
      ),
    ),
    stepFunctionsEndpoint: Type.Optional({
      ...oneOf(ENDPOINT_MODES, 'Step Functions VPC endpoint'),
      default: 'create',
    }),
  },
  'the connectivity checker',
);

export const EnvironmentSchema = strict(
  {
    accountId: Type.String({ pattern: '^\\d{12}$', description: 'a 12-digit AWS account id' }),
    region: Type.String({
      pattern: REGION,
      description: 'an AWS region (e.g. eu-west-1)',
    }),
    vpcId: id('vpc', 'a VPC id'),
    vpcCidrs: Type.Array(
      Type.String({
        pattern: '^(\\d{1,3}\\.){3}\\d{1,3}/\\d{1,2}$',
        description: 'an IPv4 CIDR (e.g. 10.0.0.0/16)',
      }),
      {
        minItems: 1,
        maxItems: FLEET_BOUNDS.vpcCidrs,
        description: `the VPC’s IPv4 CIDRs, allowed to send through the NAT (1 to ${FLEET_BOUNDS.vpcCidrs})`,
      },
    ),
    allowPublicVpcCidrs: Type.Optional(
      Type.Boolean({
        default: false,
        description:
          'true or false: accept vpcCidrs outside the private ranges (RFC 1918, 100.64.0.0/10)',
      }),
    ),
    instance: strict(
      {
        type: Type.String({
          pattern: '^[a-z][a-z0-9-]*\\.[a-z0-9]+$',
          description: 'an EC2 instance type (e.g. t4g.small)',
        }),
        architecture: Type.Optional({
          ...oneOf(ARCHITECTURES, 'CPU architecture'),
          default: 'arm64',
        }),
        egress: Type.Optional({
          ...oneOf(EGRESS_MODES, 'the address the NAT translates to'),
          default: 'primary',
        }),
      },
      'the NAT instance',
    ),
    image: Type.Optional(
      strict(
        {
          rebuildEveryDays: Type.Optional(int(1, 365, 14, 'days between image builds (≥ 1)')),
          keep: Type.Optional(int(1, 50, 3, 'images to keep (≥ 1)')),
        },
        'the NAT image pipeline',
        { default: {} },
      ),
    ),
    gateway: Type.Optional(GatewaySchema),
    zones: Type.Array(ZoneSchema, {
      minItems: 1,
      maxItems: FLEET_BOUNDS.zones,
      description: `the zones (1 to ${FLEET_BOUNDS.zones})`,
    }),
    checker: CheckerSchema,
    github: Type.Optional(
      strict(
        {
          repository: Type.String({
            pattern: GITHUB_REPOSITORY,
            description: 'the fleet repository as owner/name (e.g. acme/network-fleet)',
          }),
          defaultBranch: Type.Optional(
            Type.String({
              pattern: '^[A-Za-z0-9._/-]{1,100}$',
              default: 'main',
              description: 'the branch deploys run from (e.g. main)',
            }),
          ),
          oidcProviderArn: Type.Optional(
            Type.String({
              pattern: OIDC_PROVIDER_ARN,
              description:
                'the account’s GitHub OIDC provider to adopt (arn:aws:iam::…:oidc-provider/token.actions.githubusercontent.com)',
            }),
          ),
        },
        'the GitHub repository whose workflows the access stack trusts (docs/security.md)',
      ),
    ),
    notifications: Type.Optional(
      strict(
        {
          topicArn: Type.String({
            pattern: '^arn:aws[a-z-]*:sns:[a-z0-9-]+:\\d{12}:[A-Za-z0-9_-]{1,256}$',
            description: 'an SNS topic ARN',
          }),
        },
        'where alarms go',
      ),
    ),
  },
  'one environment: one VPC in one account and region',
);

export const ConfigSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String({ description: 'path or URL of this schema' })),
    version: Type.Literal(1, { description: 'the configuration format version: 1' }),
    environments: Type.Record(Type.String({ pattern: ENVIRONMENT_NAME }), EnvironmentSchema, {
      additionalProperties: false,
      minProperties: 1,
      description:
        'at least one environment, named with lowercase letters, digits and dashes (up to 16)',
    }),
  },
  {
    additionalProperties: false,
    title: 'natfleet.yml',
    description: 'natfleet fleet configuration',
  },
);

export type RawConfig = Static<typeof ConfigSchema>;
export type Zone = Static<typeof ZoneSchema>;
export type Architecture = (typeof ARCHITECTURES)[number];
export type GatewayMode = (typeof GATEWAY_MODES)[number];
export type EndpointMode = (typeof ENDPOINT_MODES)[number];
export type EgressMode = (typeof EGRESS_MODES)[number];

type RawEnvironment = Static<typeof EnvironmentSchema>;
type Gateway = Static<typeof GatewaySchema>;

/** An environment after defaults are applied: every setting that has a default has its value. */
export type Environment = Omit<RawEnvironment, 'instance' | 'image' | 'gateway' | 'checker'> & {
  name: string;
  // egress stays optional in the type: environments built in code predate it (primary).
  instance: Required<Omit<RawEnvironment['instance'], 'egress'>> & { egress?: EgressMode };
  image: Required<NonNullable<RawEnvironment['image']>>;
  gateway: Gateway & { mode: GatewayMode };
  checker: Required<RawEnvironment['checker']>;
};

export interface FleetConfig {
  environments: Record<string, Environment>;
}

export function jsonSchema(): TSchema {
  // A plain JSON copy: TypeBox keeps its own symbols on the objects.
  return JSON.parse(
    JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', ...ConfigSchema }),
  );
}
