// Cross-field rules. They read the raw document defensively so that they still report
// their problems when other fields are structurally wrong: loading reports everything at once.
import { describe, formatPath, type Problem } from './problems.js';
import { hasUserinfo, withoutUserinfo } from './limits.js';
import { probeUrlProblem, regionProblem, vpcCidrProblem } from './checks.js';
import { ENVIRONMENT_NAME, REGION } from './schema.js';
import { regionalGateway } from './gateway-rules.js';
import { floatingEgress } from './egress-rules.js';
import { isObj, list, str, type EnvironmentView, type Obj, type Rule } from './view.js';

/** Flags every repeat of a value, pointing at the repeat and naming the first place. */
function unique(
  items: { value: string | undefined; path: (string | number)[] }[],
  what: string,
): Problem[] {
  const problems: Problem[] = [];
  const first = new Map<string, (string | number)[]>();
  for (const { value, path } of items) {
    if (value === undefined) continue;
    const prev = first.get(value);
    if (prev) {
      problems.push({
        path,
        expected: `${what} (first at ${formatPath(prev)})`,
        found: JSON.stringify(value),
      });
    } else first.set(value, path);
  }
  return problems;
}

const zonesOnce: Rule = ({ zones }) =>
  unique(
    zones.map(({ z, path }) => ({
      value: str(z.availabilityZone),
      path: [...path, 'availabilityZone'],
    })),
    'each zone once',
  );

const routeTablesInOneZone: Rule = ({ zones }) =>
  unique(
    zones.flatMap(({ z, path }) =>
      list(z.routeTables).map((r, j) => ({ value: str(r), path: [...path, 'routeTables', j] })),
    ),
    'each route table in one zone only',
  );

const subnetsOnce: Rule = ({ zones }) =>
  unique(
    zones.flatMap(({ z, path }) => [
      { value: str(z.publicSubnet), path: [...path, 'publicSubnet'] },
      { value: str(z.privateSubnet), path: [...path, 'privateSubnet'] },
    ]),
    'each subnet once',
  );

const elasticIpsOnce: Rule = ({ zones }) =>
  unique(
    zones.map(({ z, path }) => ({ value: str(z.eipAllocation), path: [...path, 'eipAllocation'] })),
    'each Elastic IP allocation once',
  );

const zonesInRegion: Rule = ({ zones, region }) =>
  region === undefined
    ? []
    : zones.flatMap(({ z, path }) => {
        const az = str(z.availabilityZone);
        return az && !az.startsWith(region)
          ? [
              {
                path: [...path, 'availabilityZone'],
                expected: `a zone of region ${region}`,
                found: JSON.stringify(az),
              },
            ]
          : [];
      });

/** shared: a subnet among the zones' public subnets (or an adopted gateway), none per zone. */
const sharedGateway: Rule = ({ env, base, zones }) => {
  const gateway = isObj(env.gateway) ? env.gateway : {};
  if ((str(gateway.mode) ?? 'shared') !== 'shared') return [];
  const problems: Problem[] = [];
  const publicSubnets = zones.map(({ z }) => str(z.publicSubnet)).filter(Boolean);
  const subnet = str(gateway.subnet);
  if (subnet === undefined && gateway.natGatewayId === undefined) {
    problems.push({
      path: [...base, 'gateway', 'subnet'],
      expected: 'the shared gateway’s public subnet (or natGatewayId to adopt one)',
      found: 'nothing',
    });
  } else if (subnet !== undefined && !publicSubnets.includes(subnet)) {
    problems.push({
      path: [...base, 'gateway', 'subnet'],
      expected: `one of the zones’ public subnets (${publicSubnets.join(', ')})`,
      found: JSON.stringify(subnet),
    });
  }
  for (const { z, path } of zones) {
    if (z.natGatewayId !== undefined) {
      problems.push({
        path: [...path, 'natGatewayId'],
        expected: 'no per-zone gateway with gateway.mode shared (use gateway.natGatewayId)',
        found: describe(z.natGatewayId),
      });
    }
  }
  return problems;
};

/** per-zone: each zone's gateway sits in its public subnet; nothing set for the VPC. */
const perZoneGateway: Rule = ({ env, base }) => {
  const gateway = isObj(env.gateway) ? env.gateway : {};
  if (str(gateway.mode) !== 'per-zone') return [];
  return ['subnet', 'natGatewayId'].flatMap((key) =>
    gateway[key] === undefined
      ? []
      : [
          {
            path: [...base, 'gateway', key],
            expected: `no gateway.${key} with gateway.mode per-zone (each zone’s gateway sits in its public subnet)`,
            found: describe(gateway[key]),
          },
        ],
  );
};

const architectureMatchesType: Rule = ({ env, base }) => {
  const instance = isObj(env.instance) ? env.instance : {};
  const type = str(instance.type);
  const arch = str(instance.architecture) ?? 'arm64';
  const wantedArch = type ? architectureOf(type) : undefined;
  if (!wantedArch || (arch !== 'arm64' && arch !== 'x86_64') || arch === wantedArch) return [];
  return [
    {
      path: [...base, 'instance', 'architecture'],
      expected: `${wantedArch} for instance type ${type}`,
      found: instance.architecture === undefined ? '"arm64" (the default)' : JSON.stringify(arch),
    },
  ];
};

const checkerUrls: Rule = ({ env, base }) => {
  const checker = isObj(env.checker) ? env.checker : {};
  return list(checker.urls).flatMap((u, i) => {
    const url = str(u);
    const path = [...base, 'checker', 'urls', i];
    if (url !== undefined && hasUserinfo(url)) {
      return [
        {
          path,
          expected:
            'a URL without user:password@ (it would be stored in clear in templates, logs and metrics)',
          found: JSON.stringify(withoutUserinfo(url)),
        },
      ];
    }
    const problem = url === undefined ? undefined : probeUrlProblem(url);
    return problem ? [{ path, expected: problem, found: JSON.stringify(url) }] : [];
  });
};

/** Real, private (unless allowed) VPC ranges; never 0.0.0.0/0 (lib/config/checks.ts). */
const vpcCidrs: Rule = ({ env, base }) => {
  const allowPublic = env.allowPublicVpcCidrs === true;
  return list(env.vpcCidrs).flatMap((c, i) => {
    const cidr = str(c);
    const problem = cidr === undefined ? undefined : vpcCidrProblem(cidr, allowPublic);
    return problem
      ? [{ path: [...base, 'vpcCidrs', i], expected: problem, found: JSON.stringify(cidr) }]
      : [];
  });
};

const knownRegion: Rule = ({ env, base, region }) => {
  const problem = region === undefined ? undefined : regionProblem(region);
  return problem
    ? [{ path: [...base, 'region'], expected: problem, found: JSON.stringify(env.region) }]
    : [];
};

const timeoutWithinInterval: Rule = ({ env, base }) => {
  const checker = isObj(env.checker) ? env.checker : {};
  const interval = checker.intervalSeconds ?? 5;
  const timeout = checker.timeoutSeconds;
  // An interval that is itself invalid is reported by the structure check alone.
  if (
    typeof timeout !== 'number' ||
    typeof interval !== 'number' ||
    interval < 1 ||
    timeout <= interval
  ) {
    return [];
  }
  return [
    {
      path: [...base, 'checker', 'timeoutSeconds'],
      expected: `at most intervalSeconds (${interval}), so rounds do not overlap`,
      found: String(timeout),
    },
  ];
};

const topicInAccountAndRegion: Rule = ({ env, base, region }) => {
  const topic = isObj(env.notifications) ? str(env.notifications.topicArn) : undefined;
  const account = str(env.accountId);
  if (!topic || !account || !/^\d{12}$/.test(account) || !region) return [];
  if (topic.includes(`:${region}:${account}:`)) return [];
  return [
    {
      path: [...base, 'notifications', 'topicArn'],
      expected: `a topic in ${region} of account ${account}`,
      found: JSON.stringify(topic),
    },
  ];
};

/** Every cross-field rule, in the order their problems are listed (before sorting by line). */
export const RULES: Record<string, Rule> = {
  zonesOnce,
  routeTablesInOneZone,
  subnetsOnce,
  elasticIpsOnce,
  zonesInRegion,
  sharedGateway,
  perZoneGateway,
  regionalGateway,
  floatingEgress,
  architectureMatchesType,
  checkerUrls,
  vpcCidrs,
  knownRegion,
  timeoutWithinInterval,
  topicInAccountAndRegion,
};

export function environmentView(name: string, env: Obj): EnvironmentView {
  const base = ['environments', name];
  return {
    env,
    base,
    zones: list(env.zones).map((z, i) => ({ z: isObj(z) ? z : {}, path: [...base, 'zones', i] })),
    region: new RegExp(REGION).test(str(env.region) ?? '') ? str(env.region) : undefined,
  };
}

/** Graviton families carry a "g" among the letters after the generation digit (t4g, c7gn). */
export function architectureOf(instanceType: string): 'arm64' | 'x86_64' | undefined {
  const m = /^[a-z]+\d+([a-z-]*)\./.exec(instanceType);
  if (!m) return undefined;
  return m[1]!.includes('g') ? 'arm64' : 'x86_64';
}

export function ruleProblems(doc: unknown): Problem[] {
  const problems: Problem[] = [];
  const envs = isObj(doc) && isObj(doc.environments) ? doc.environments : {};
  for (const [name, env] of Object.entries(envs)) {
    // A misnamed environment is reported by the structure check; its contents wait for the fix.
    if (isObj(env) && new RegExp(ENVIRONMENT_NAME).test(name)) {
      const v = environmentView(name, env);
      for (const rule of Object.values(RULES)) problems.push(...rule(v));
    }
  }
  return problems;
}
