// instance.egress and each zone's floatingAddress (ADR 0140): every problem at its place, the
// present behaviour (primary) the default, nothing else changed.
import { describe, expect, it } from '@jest/globals';
import { parse, stringify } from 'yaml';
import { parseConfig } from '../../lib/config/load.js';
import { ConfigError } from '../../lib/config/problems.js';
import { inCidr } from '../../lib/config/egress-rules.js';
import { exampleText } from '../helpers.js';

type Doc = {
  environments: Record<
    string,
    { instance: Record<string, unknown>; vpcCidrs: string[]; zones: Record<string, unknown>[] }
  >;
};

/** The example with its prod environment changed by `edit`; the problems as text, or []. */
function problems(edit: (p: Doc['environments'][string]) => void): string[] {
  const doc = parse(exampleText()) as Doc;
  edit(doc.environments.prod!);
  try {
    parseConfig(stringify(doc));
    return [];
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.message
      .split('\n')
      .slice(1)
      .map((l) => l.trim());
  }
}

const floating = (p: Doc['environments'][string], addresses: (string | undefined)[]) => {
  p.instance.egress = 'floating';
  p.zones.forEach((z, i) => {
    if (addresses[i] !== undefined) z.floatingAddress = addresses[i];
  });
};

describe('instance.egress', () => {
  it('defaults to the primary address, as before', () => {
    const env = parseConfig(exampleText()).environments.prod!;
    expect(env.instance.egress).toBe('primary');
    expect(env.zones.every((z) => z.floatingAddress === undefined)).toBe(true);
  });

  it('floating with one address per zone inside the VPC is valid', () => {
    expect(problems((p) => floating(p, ['10.20.0.50', '10.20.1.50', '10.20.2.50']))).toEqual([]);
    const doc = parse(exampleText()) as Doc;
    floating(doc.environments.prod!, ['10.20.0.50', '10.20.1.50', '10.20.2.50']);
    const env = parseConfig(stringify(doc)).environments.prod!;
    expect(env.instance.egress).toBe('floating');
    expect(env.zones.map((z) => z.floatingAddress)).toEqual([
      '10.20.0.50',
      '10.20.1.50',
      '10.20.2.50',
    ]);
  });

  it('names every zone without an address, a repeat, an address outside the VPC', () => {
    const found = problems((p) => floating(p, [undefined, '10.20.1.50', '10.20.1.50']));
    expect(found).toEqual([
      expect.stringMatching(
        /^environments\.prod\.zones\[0\]\.floatingAddress: expected a floating address for every zone with instance\.egress floating .*got none/,
      ),
      expect.stringMatching(
        /^environments\.prod\.zones\[2\]\.floatingAddress: expected each floating address once \(first at environments\.prod\.zones\[1\]\.floatingAddress\), got "10\.20\.1\.50"/,
      ),
    ]);
    expect(problems((p) => floating(p, ['10.20.0.50', '10.21.1.50', '192.168.0.1']))).toEqual([
      expect.stringMatching(
        /zones\[1\]\.floatingAddress: expected an address inside the VPC \(10\.20\.0\.0\/16\), got "10\.21\.1\.50"/,
      ),
      expect.stringMatching(/zones\[2\]\.floatingAddress: expected an address inside the VPC/),
    ]);
  });

  it('an address without floating egress, a bad mode and a malformed address are named', () => {
    expect(problems((p) => (p.zones[1]!.floatingAddress = '10.20.1.50'))).toEqual([
      expect.stringMatching(
        /^environments\.prod\.zones\[1\]\.floatingAddress: expected no floatingAddress unless environments\.prod\.instance\.egress is floating, got "10\.20\.1\.50"/,
      ),
    ]);
    expect(problems((p) => (p.instance.egress = 'secondary'))).toEqual([
      expect.stringMatching(/instance\.egress: expected .*primary \| floating.*got "secondary"/),
    ]);
    expect(problems((p) => floating(p, ['10.20.0.256', '10.20.1.50', '10.20.2.50']))).toEqual([
      expect.stringMatching(/zones\[0\]\.floatingAddress: expected a free private IPv4 address/),
    ]);
  });

  it('inCidr: block edges and malformed blocks', () => {
    expect(inCidr('10.20.255.255', '10.20.0.0/16')).toBe(true);
    expect(inCidr('10.21.0.0', '10.20.0.0/16')).toBe(false);
    expect(inCidr('100.64.15.255', '100.64.0.0/20')).toBe(true);
    expect(inCidr('100.64.16.0', '100.64.0.0/20')).toBe(false);
    expect(inCidr('1.2.3.4', '0.0.0.0/0')).toBe(true);
    expect(inCidr('10.0.0.1', '10.0.0.1/32')).toBe(true);
    expect(inCidr('10.0.0.1', '10.0.0.0/33')).toBe(false);
    expect(inCidr('10.0.0.1', 'nonsense')).toBe(false);
  });
});
