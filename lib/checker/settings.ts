// The checker's configuration: environment variables set by the checker stack, read and
// validated once at cold start. Limits and defaults come from the natfleet.yml schema.
import { CHECKER_PROBE_SECONDS } from '../defaults.js';
import type { Environment } from '../config/schema.js';
import {
  AVAILABILITY_ZONE,
  CHECKER_LIMITS,
  ENVIRONMENT_NAME,
  hasUserinfo,
  isHttpUrl,
  type IntLimit,
} from '../config/limits.js';
import { probeUrlProblem } from '../config/checks.js';

export interface CheckerSettings {
  environment: string;
  zone: string;
  urls: string[];
  intervalSeconds: number;
  timeoutSeconds: number;
  unhealthyThreshold: number;
  /** Upper bound of one invocation's probing; the Lambda context's remaining time also bounds it. */
  probeSeconds: number;
  routeTables: string[];
  failoverArn: string;
  autoFallback: boolean;
  healthyMinutes: number;
  fallbackArn?: string;
  /** The Step Functions interface endpoint (https://vpce-….states.<region>.vpce.amazonaws.com). */
  statesEndpoint?: string;
}

export const VAR = {
  environment: 'NATFLEET_ENVIRONMENT',
  zone: 'NATFLEET_ZONE',
  urls: 'NATFLEET_URLS',
  intervalSeconds: 'NATFLEET_INTERVAL_SECONDS',
  timeoutSeconds: 'NATFLEET_TIMEOUT_SECONDS',
  unhealthyThreshold: 'NATFLEET_UNHEALTHY_THRESHOLD',
  probeSeconds: 'NATFLEET_PROBE_SECONDS',
  routeTables: 'NATFLEET_ROUTE_TABLES',
  failoverArn: 'NATFLEET_FAILOVER_ARN',
  autoFallback: 'NATFLEET_AUTO_FALLBACK',
  healthyMinutes: 'NATFLEET_HEALTHY_MINUTES',
  fallbackArn: 'NATFLEET_FALLBACK_ARN',
  statesEndpoint: 'NATFLEET_STATES_ENDPOINT',
} as const satisfies Record<keyof CheckerSettings, string>;

export class CheckerSettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `natfleet checker: bad configuration, the checker is NOT checking:\n` +
        problems.map((p) => `  - ${p}`).join('\n'),
    );
    this.name = 'CheckerSettingsError';
  }
}

type Vars = Record<string, string | undefined>;
const STATE_MACHINE_ARN =
  /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/;
const ROUTE_TABLE = /^rtb-[0-9a-f]{8,17}$/;

export function readSettings(vars: Vars): CheckerSettings {
  const problems: string[] = [];
  // A credential in a URL is never repeated, not even in the message that refuses it.
  const bad = (name: string, expected: string) =>
    problems.push(
      `${name}: expected ${expected}, got ${JSON.stringify(redactUserinfo(vars[name] ?? ''))}`,
    );
  const text = (name: string, test: (v: string) => boolean, expected: string) => {
    const v = vars[name]?.trim();
    if (!v || !test(v)) bad(name, expected);
    return v ?? '';
  };
  const list = (name: string, test: (v: string) => boolean, expected: string) => {
    const items = (vars[name] ?? '').split(',').map((s) => s.trim());
    if (items.length === 0 || items.some((s) => !s || !test(s))) bad(name, expected);
    return items;
  };
  const int = (name: string, { min, max, default: dflt }: IntLimit) => {
    const raw = vars[name]?.trim();
    if (!raw) return dflt;
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < min || n > max) bad(name, `a whole number from ${min} to ${max}`);
    return n;
  };

  const zonePattern = new RegExp(AVAILABILITY_ZONE);
  const settings: CheckerSettings = {
    environment: text(
      VAR.environment,
      (v) => new RegExp(ENVIRONMENT_NAME).test(v),
      'an environment name',
    ),
    zone: text(VAR.zone, (v) => zonePattern.test(v), 'an availability zone name (e.g. eu-west-1a)'),
    urls: list(
      VAR.urls,
      (u) => probeUrlProblem(u) === undefined,
      'comma-separated http:// or https:// URLs (no IPv6 literals, no user:password@)',
    ),
    intervalSeconds: int(VAR.intervalSeconds, CHECKER_LIMITS.intervalSeconds),
    timeoutSeconds: int(VAR.timeoutSeconds, CHECKER_LIMITS.timeoutSeconds),
    unhealthyThreshold: int(VAR.unhealthyThreshold, CHECKER_LIMITS.unhealthyThreshold),
    probeSeconds: int(VAR.probeSeconds, { min: 1, max: 900, default: CHECKER_PROBE_SECONDS }),
    routeTables: list(
      VAR.routeTables,
      (v) => ROUTE_TABLE.test(v),
      'comma-separated route table ids (rtb-…)',
    ),
    failoverArn: text(VAR.failoverArn, (v) => STATE_MACHINE_ARN.test(v), 'a state machine ARN'),
    autoFallback: false,
    healthyMinutes: int(VAR.healthyMinutes, CHECKER_LIMITS.healthyMinutes),
  };
  const auto = vars[VAR.autoFallback]?.trim() ?? '';
  if (auto === 'true') settings.autoFallback = true;
  else if (auto !== '' && auto !== 'false') bad(VAR.autoFallback, 'true or false');
  if (vars[VAR.fallbackArn] || settings.autoFallback) {
    settings.fallbackArn = text(
      VAR.fallbackArn,
      (v) => STATE_MACHINE_ARN.test(v),
      'a state machine ARN (required when auto-fallback is on)',
    );
  }
  if (vars[VAR.statesEndpoint]?.trim()) {
    settings.statesEndpoint = text(
      VAR.statesEndpoint,
      isEndpointUrl,
      'an https:// URL of a VPC endpoint host, nothing else (no path, no user:password@)',
    );
  }
  if (settings.timeoutSeconds > settings.intervalSeconds && !problems.length) {
    bad(VAR.timeoutSeconds, `at most ${VAR.intervalSeconds} (${settings.intervalSeconds})`);
  }
  if (problems.length > 0) throw new CheckerSettingsError(problems);
  return settings;
}

function isEndpointUrl(s: string): boolean {
  if (!isHttpUrl(s) || hasUserinfo(s)) return false;
  const u = new URL(s);
  return u.protocol === 'https:' && (u.pathname === '/' || u.pathname === '') && !u.search;
}

const redactUserinfo = (v: string) => v.replace(/\/\/[^/@\s,]*@/g, '//***@');

/** The variables the checker stack sets for one zone's checker (the inverse of readSettings). */
export function checkerVariables<Arn = string>(
  env: Environment,
  zone: string,
  arns: { failover: Arn; fallback?: Arn; statesEndpoint?: Arn },
): Record<string, string | Arn> {
  const z = env.zones.find((x) => x.availabilityZone === zone);
  if (!z) throw new Error(`environment ${env.name} has no zone ${zone}`);
  const c = env.checker;
  return {
    [VAR.environment]: env.name,
    [VAR.zone]: zone,
    [VAR.urls]: c.urls.join(','),
    [VAR.intervalSeconds]: String(c.intervalSeconds),
    [VAR.timeoutSeconds]: String(c.timeoutSeconds),
    [VAR.unhealthyThreshold]: String(c.unhealthyThreshold),
    [VAR.probeSeconds]: String(CHECKER_PROBE_SECONDS),
    [VAR.routeTables]: z.routeTables.join(','),
    [VAR.failoverArn]: arns.failover,
    [VAR.autoFallback]: String(c.autoFallback),
    [VAR.healthyMinutes]: String(c.healthyMinutes),
    ...(arns.fallback ? { [VAR.fallbackArn]: arns.fallback } : {}),
    ...(arns.statesEndpoint ? { [VAR.statesEndpoint]: arns.statesEndpoint } : {}),
  };
}
