// One function per value rule, shared by the natfleet.yml loader (lib/config/rules.ts) and the
// checker's settings parser (lib/checker/settings.ts): whatever the checker would refuse at run
// time, validate refuses first. Each returns what was expected, or undefined when the value is
// good. Plain code, no schema library: the checker Lambda bundles it.
import { hasUserinfo, isHttpUrl } from './limits.js';

/**
 * A URL the checker can probe: http or https with a host, no user:password@ (it would land in
 * templates, logs and metrics), no IPv6 literal (the probes are IPv4 only: the NAT forwards
 * IPv4), and no comma (the checker's environment holds the URLs as one comma-joined list).
 */
export function probeUrlProblem(url: string): string | undefined {
  const what =
    'an http:// or https:// URL with a host name or IPv4 address (no IPv6 literal, no user:password@, no comma)';
  if (url.includes(',') || !isHttpUrl(url.trim()) || hasUserinfo(url)) return what;
  return new URL(url.trim()).hostname.startsWith('[') ? what : undefined;
}

const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'];

function parseCidr(cidr: string): { ip: number; bits: number } | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) return undefined;
  if (m.slice(1, 5).some((o) => o.length > 1 && o.startsWith('0'))) return undefined;
  const ip = octets.reduce((a, o) => a * 256 + o, 0);
  return { ip, bits };
}

/** Whole numbers, not 32-bit operators: an address above 2^31 stays positive. */
const block = (ip: number, bits: number) => Math.floor(ip / 2 ** (32 - bits));
const within = (c: { ip: number; bits: number }, range: { ip: number; bits: number }) =>
  c.bits >= range.bits && block(c.ip, range.bits) === block(range.ip, range.bits);

/**
 * A VPC range the NAT security group may take traffic from: a real IPv4 CIDR (octets 0–255,
 * prefix 0–32, no host bits set), never 0.0.0.0/0 (the NAT would forward for the internet),
 * and a private range (RFC 1918, or 100.64.0.0/10 of RFC 6598) unless `allowPublic`.
 */
export function vpcCidrProblem(cidr: string, allowPublic = false): string | undefined {
  const c = parseCidr(cidr);
  if (!c) return 'an IPv4 CIDR: four numbers 0–255 and a prefix 0–32 (e.g. 10.0.0.0/16)';
  if (c.ip % 2 ** (32 - c.bits) !== 0) {
    return `the network address of the range (no host bits set after /${c.bits})`;
  }
  if (c.bits === 0) return 'a VPC range, never 0.0.0.0/0 (the NAT would forward for anyone)';
  if (allowPublic) return undefined;
  const ranges = PRIVATE_RANGES.map((r) => parseCidr(r)!);
  return ranges.some((r) => within(c, r))
    ? undefined
    : `a private range (${PRIVATE_RANGES.join(', ')}), or allowPublicVpcCidrs: true for a VPC that uses public addresses`;
}

/**
 * The AWS regions natfleet knows (AWS's "Regions and Availability Zones" list, 2026-11): a
 * misspelt or unknown region is refused here rather than by the first stack.
 */
export const KNOWN_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'af-south-1',
  'ap-east-1',
  'ap-east-2',
  'ap-south-1',
  'ap-south-2',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'ca-central-1',
  'ca-west-1',
  'eu-central-1',
  'eu-central-2',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-south-1',
  'eu-south-2',
  'eu-north-1',
  'il-central-1',
  'me-south-1',
  'me-central-1',
  'mx-central-1',
  'sa-east-1',
  'us-gov-east-1',
  'us-gov-west-1',
  'cn-north-1',
  'cn-northwest-1',
] as const;

export function regionProblem(region: string): string | undefined {
  return (KNOWN_REGIONS as readonly string[]).includes(region)
    ? undefined
    : `a known AWS region (${KNOWN_REGIONS.slice(0, 4).join(', ')}, …; lib/config/checks.ts)`;
}
