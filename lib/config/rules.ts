// Cross-field rules. They read the raw document defensively so that they still report
// their problems when other fields are structurally wrong: loading reports everything at once.
import { describe, formatPath, type Problem } from './problems.js';
import { hasUserinfo, isHttpUrl, withoutUserinfo } from './limits.js';
import { ENVIRONMENT_NAME, REGION } from './schema.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Flags every repeat of a value, pointing at the repeat and naming the first place. */
function unique(
  items: { value: string | undefined; path: (string | number)[] }[],
  what: string,
  problems: Problem[],
) {
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
}

function environmentRules(name: string, env: Obj, problems: Problem[]) {
  const base = ['environments', name];
  const zones = list(env.zones).map((z, i) => ({
    z: isObj(z) ? z : {},
    path: [...base, 'zones', i],
  }));
  // Rules compare only values that are themselves valid; the structure check reports the rest.
  const region = new RegExp(REGION).test(str(env.region) ?? '') ? str(env.region) : undefined;

  unique(
    zones.map(({ z, path }) => ({
      value: str(z.availabilityZone),
      path: [...path, 'availabilityZone'],
    })),
    'each zone once',
    problems,
  );
  unique(
    zones.flatMap(({ z, path }) =>
      list(z.routeTables).map((r, j) => ({ value: str(r), path: [...path, 'routeTables', j] })),
    ),
    'each route table in one zone only',
    problems,
  );
  unique(
    zones.flatMap(({ z, path }) => [
      { value: str(z.publicSubnet), path: [...path, 'publicSubnet'] },
      { value: str(z.privateSubnet), path: [...path, 'privateSubnet'] },
    ]),
    'each subnet once',
    problems,
  );
  unique(
    zones.map(({ z, path }) => ({ value: str(z.eipAllocation), path: [...path, 'eipAllocation'] })),
    'each Elastic IP allocation once',
    problems,
  );

  if (region) {
    for (const { z, path } of zones) {
      const az = str(z.availabilityZone);
      if (az && !az.startsWith(region)) {
        problems.push({
          path: [...path, 'availabilityZone'],
          expected: `a zone of region ${region}`,
          found: JSON.stringify(az),
        });
      }
    }
  }

  const gateway = isObj(env.gateway) ? env.gateway : {};
  const mode = str(gateway.mode) ?? 'shared';
  const publicSubnets = zones.map(({ z }) => str(z.publicSubnet)).filter(Boolean);
  const gw = [...base, 'gateway'];
  if (mode === 'shared') {
    const subnet = str(gateway.subnet);
    if (subnet === undefined && gateway.natGatewayId === undefined) {
      problems.push({
        path: [...gw, 'subnet'],
        expected: 'the shared gateway’s public subnet (or natGatewayId to adopt one)',
        found: 'nothing',
      });
    } else if (subnet !== undefined && !publicSubnets.includes(subnet)) {
      problems.push({
        path: [...gw, 'subnet'],
        expected: `one of the zones’ public subnets (${publicSubnets.join(', ')})`,
        found: JSON.stringify(subnet),
      });
    }
    zones.forEach(({ z, path }) => {
      if (z.natGatewayId !== undefined) {
        problems.push({
          path: [...path, 'natGatewayId'],
          expected: 'no per-zone gateway with gateway.mode shared (use gateway.natGatewayId)',
          found: describe(z.natGatewayId),
        });
      }
    });
  } else if (mode === 'per-zone') {
    for (const key of ['subnet', 'natGatewayId']) {
      if (gateway[key] !== undefined) {
        problems.push({
          path: [...gw, key],
          expected: `no gateway.${key} with gateway.mode per-zone (each zone’s gateway sits in its public subnet)`,
          found: describe(gateway[key]),
        });
      }
    }
  }

  const instance = isObj(env.instance) ? env.instance : {};
  const type = str(instance.type);
  const arch = str(instance.architecture) ?? 'arm64';
  const wantedArch = type ? architectureOf(type) : undefined;
  if (wantedArch && (arch === 'arm64' || arch === 'x86_64') && arch !== wantedArch) {
    problems.push({
      path: [...base, 'instance', 'architecture'],
      expected: `${wantedArch} for instance type ${type}`,
      found: instance.architecture === undefined ? '"arm64" (the default)' : JSON.stringify(arch),
    });
  }

  const checker = isObj(env.checker) ? env.checker : {};
  list(checker.urls).forEach((u, i) => {
    const url = str(u);
    if (url !== undefined && hasUserinfo(url)) {
      problems.push({
        path: [...base, 'checker', 'urls', i],
        expected:
          'a URL without user:password@ (it would be stored in clear in templates, logs and metrics)',
        found: JSON.stringify(withoutUserinfo(url)),
      });
    } else if (url !== undefined && !isHttpUrl(url)) {
      problems.push({
        path: [...base, 'checker', 'urls', i],
        expected: 'an http:// or https:// URL',
        found: JSON.stringify(url),
      });
    }
  });
  const interval = checker.intervalSeconds ?? 5;
  const timeout = checker.timeoutSeconds;
  // An interval that is itself invalid is reported by the structure check alone.
  if (
    typeof timeout === 'number' &&
    typeof interval === 'number' &&
    interval >= 1 &&
    timeout > interval
  ) {
    problems.push({
      path: [...base, 'checker', 'timeoutSeconds'],
      expected: `at most intervalSeconds (${interval}), so rounds do not overlap`,
      found: String(timeout),
    });
  }

  const topic = isObj(env.notifications) ? str(env.notifications.topicArn) : undefined;
  const account = str(env.accountId);
  if (
    topic &&
    account &&
    /^\d{12}$/.test(account) &&
    region &&
    !topic.includes(`:${region}:${account}:`)
  ) {
    problems.push({
      path: [...base, 'notifications', 'topicArn'],
      expected: `a topic in ${region} of account ${account}`,
      found: JSON.stringify(topic),
    });
  }
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
    if (isObj(env) && new RegExp(ENVIRONMENT_NAME).test(name))
      environmentRules(name, env, problems);
  }
  return problems;
}
