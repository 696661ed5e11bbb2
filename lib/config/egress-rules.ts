// Cross-field rules of the floating egress address (`instance.egress: floating`, ADR 0140). Like
// rules.ts they read the raw document defensively and compare only values that are valid.
import { describe, formatPath, type Problem } from './problems.js';
import { IPV4 } from './schema.js';
import { isObj, type Path, type Rule } from './view.js';

const ip = new RegExp(IPV4);
const cidr = /^((?:\d{1,3}\.){3}\d{1,3})\/(\d{1,2})$/;

const toInt = (a: string) => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);

/** Whether IPv4 address `a` lies in `block` (a.b.c.d/n); false for a malformed block. */
export function inCidr(a: string, block: string): boolean {
  const m = cidr.exec(block);
  if (!m || !ip.test(m[1]!) || Number(m[2]) > 32) return false;
  const size = 2 ** (32 - Number(m[2]));
  const start = Math.floor(toInt(m[1]!) / size) * size;
  return toInt(a) >= start && toInt(a) < start + size;
}

/**
 * With `instance.egress: floating` every zone names its floating address, each once, inside
 * the VPC's CIDRs; with the primary address (the default) no zone names one.
 */
export const floatingEgress: Rule = ({ env, base, zones }) => {
  const problems: Problem[] = [];
  const instance = isObj(env.instance) ? env.instance : {};
  const floating = instance.egress === 'floating';
  const vpc = Array.isArray(env.vpcCidrs)
    ? env.vpcCidrs.filter((c): c is string => typeof c === 'string')
    : [];
  const first = new Map<string, Path>();
  for (const { z, path } of zones) {
    const at = [...path, 'floatingAddress'];
    const a = z.floatingAddress;
    if (!floating) {
      if (a !== undefined)
        problems.push({
          path: at,
          expected: `no floatingAddress unless ${formatPath([...base, 'instance', 'egress'])} is floating`,
          found: describe(a),
        });
      continue;
    }
    if (a === undefined) {
      problems.push({
        path: at,
        expected:
          'a floating address for every zone with instance.egress floating (a free private IPv4 address of the zone’s public subnet)',
        found: 'none',
      });
      continue;
    }
    if (typeof a !== 'string' || !ip.test(a)) continue; // the structure check names it
    const prev = first.get(a);
    if (prev) {
      problems.push({
        path: at,
        expected: `each floating address once (first at ${formatPath(prev)})`,
        found: JSON.stringify(a),
      });
    } else first.set(a, at);
    if (vpc.length > 0 && !vpc.some((c) => inCidr(a, c)))
      problems.push({
        path: at,
        expected: `an address inside the VPC (${vpc.join(', ')})`,
        found: JSON.stringify(a),
      });
  }
  return problems;
};
