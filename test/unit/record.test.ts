import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { changeSummary, changeTable, differences, imageDue } from '../../lib/record/compare.js';
import { formatRecord, parseRecord, RecordError } from '../../lib/record/format.js';
import { pullRequestBody, pullRequestTitle } from '../../lib/record/pull-request.js';
import { stateJsonSchema, type StateRecord } from '../../lib/record/schema.js';
import { ROOT, captureIo } from '../helpers.js';
import { run } from '../../cli/run.js';
import { gatewayTime, routeRecord, zoneMode } from '../../lib/record/snapshot.js';
import type { ZoneTargets } from '../../lib/fleet.js';
import type { ObservedRoute } from '../../lib/routes.js';

const ENI = 'eni-0aaaaaaaaaaaaaaa1';
const NAT = 'nat-0bbbbbbbbbbbbbbb1';
const RTB1 = 'rtb-0ccccccccccccccc1';
const RTB2 = 'rtb-0ccccccccccccccc2';

function record(over: Partial<StateRecord> = {}): StateRecord {
  return {
    version: 1,
    environment: 'prod',
    region: 'eu-west-1',
    recordedAt: '2026-11-23T00:00:00.000Z',
    reason: 'deploy',
    image: { amiId: 'ami-0123456789abcdef0', buildDate: '2026-11-10T00:00:00.000Z' },
    zones: {
      'eu-west-1b': {
        mode: 'gateway',
        gateway: { natGatewayId: NAT },
        routeTables: { [RTB2]: { target: NAT, kind: 'gateway' } },
      },
      'eu-west-1a': {
        mode: 'instance',
        instance: {
          instanceId: 'i-0ddddddddddddddd1',
          eniId: ENI,
          amiId: 'ami-0123456789abcdef0',
          launchTime: '2026-11-20T00:00:00.000Z',
        },
        routeTables: { [RTB1]: { target: ENI, kind: 'instance' } },
      },
    },
    ...over,
  };
}

describe('the record file', () => {
  it('has the committed JSON Schema, generated from the one source (run "npm run build" when not)', () => {
    const committed = JSON.parse(
      readFileSync(join(ROOT, 'schema/natfleet-state.schema.json'), 'utf8'),
    );
    expect(committed).toEqual(stateJsonSchema());
    const validate = new Ajv({ allErrors: true, strict: false }).compile(committed);
    expect(validate(record())).toBe(true);
    const broken = record();
    broken.zones['eu-west-1a']!.routeTables[RTB1]!.kind = 'nat' as 'gateway';
    expect(validate(broken)).toBe(false);
    expect(validate.errors?.[0]?.instancePath).toBe(`/zones/eu-west-1a/routeTables/${RTB1}/kind`);
  });

  it('has its schema printed by "natfleet schema --state", which the build commits', async () => {
    const io = captureIo();
    expect(await run(['schema', '--state'], io)).toBe(0);
    expect(JSON.parse(io.stdout.join('\n'))).toEqual(stateJsonSchema());
  });

  it('is written in one order whatever order the object was built in', () => {
    const r = record();
    const shuffled = Object.fromEntries(Object.entries(r).reverse()) as StateRecord;
    const text = formatRecord(r);
    expect(Object.keys(shuffled)[0]).toBe('zones');
    expect(formatRecord(shuffled)).toBe(text);
    expect(text.indexOf('"eu-west-1a"')).toBeLessThan(text.indexOf('"eu-west-1b"'));
    expect(text.indexOf('"version"')).toBeLessThan(text.indexOf('"environment"'));
    expect(text).toMatch(/^\{\n {2}"version": 1,\n/);
    expect(parseRecord(text, 'state/prod.json')).toEqual(r);
  });

  it('names the field a hand edit broke, and what was expected', () => {
    const text = formatRecord(record()).replace('"mode": "instance"', '"mode": "nat"');
    expect(() => parseRecord(text, 'state/prod.json')).toThrow(
      'state/prod.json does not match schema/natfleet-state.schema.json:\n' +
        '  zones.eu-west-1a.mode: expected where the zone\'s traffic goes: instance | gateway | mixed, got "nat"',
    );
    const extra = formatRecord(record()).replace('"version": 1,', '"version": 1, "owner": "me",');
    expect(() => parseRecord(extra, 'f')).toThrow(
      /owner: expected only the fields \$schema, version, environment/,
    );
    const missing = JSON.stringify({ ...record(), zones: undefined });
    expect(() => parseRecord(missing, 'f')).toThrow(
      'zones: expected each zone by availability zone name, got nothing',
    );
    const notJson = () => parseRecord('{ "version": 1, ', 'f');
    expect(notJson).toThrow(RecordError);
    expect(notJson).toThrow(/\(top level\): expected JSON, got/);
  });
});

describe('what a zone looks like', () => {
  const z: ZoneTargets = {
    zone: 'eu-west-1a',
    routeTables: [RTB1, RTB2],
    gateway: NAT,
    instance: { instanceId: 'i-0ddddddddddddddd1', eniId: ENI, ready: true },
  };
  const onEni = { networkInterfaceId: ENI, state: 'active' as const };
  const onNat = { natGatewayId: NAT, state: 'active' as const };
  const t = (id: string, r?: ObservedRoute) => ({
    routeTableId: id,
    ...(r ? { defaultRoute: r } : {}),
  });

  it('is in instance mode only when every table uses its instance, gateway when all use a gateway', () => {
    expect(zoneMode(z, [t(RTB1, onEni), t(RTB2, onEni)])).toBe('instance');
    expect(zoneMode(z, [t(RTB1, onNat), t(RTB2, onNat)])).toBe('gateway');
    expect(zoneMode(z, [t(RTB1, onEni), t(RTB2, onNat)])).toBe('mixed');
    expect(zoneMode(z, [t(RTB1, onEni), t(RTB2)])).toBe('mixed');
    expect(zoneMode(z, [t(RTB1, { ...onEni, state: 'blackhole' }), t(RTB2, onEni)])).toBe('mixed');
    expect(zoneMode(z, [t(RTB1, onEni), undefined])).toBe('mixed');
  });

  it('records each route by its target and kind', () => {
    expect(routeRecord(t(RTB1, onEni))).toEqual({ target: ENI, kind: 'instance' });
    expect(routeRecord(t(RTB1, { instanceId: 'i-1', state: 'active' }))).toEqual({
      target: 'i-1',
      kind: 'instance',
    });
    expect(routeRecord(t(RTB1, { ...onNat, state: 'blackhole' }))).toEqual({
      target: NAT,
      kind: 'gateway',
      blackhole: true,
    });
    expect(routeRecord(t(RTB1, { otherTarget: 'igw-1', state: 'active' }))).toEqual({
      target: 'igw-1',
      kind: 'other',
    });
    expect(routeRecord(t(RTB1))).toEqual({ target: 'none', kind: 'none' });
    expect(routeRecord(undefined)).toEqual({ target: 'not found', kind: 'none' });
  });
});

describe('comparing records', () => {
  it('sees no drift in when or why a record was taken', () => {
    const later = record({
      recordedAt: '2026-11-24T00:00:00.000Z',
      reason: 'drift',
      run: 'https://x',
      gatewayTime: { since: 'x', zoneHours: 1, usd: 1 },
    });
    expect(differences(record(), later)).toEqual([]);
  });

  it('lists each changed field, a title line and a before → after table', () => {
    const after = record();
    after.zones['eu-west-1a'] = {
      mode: 'gateway',
      gateway: { natGatewayId: NAT },
      routeTables: { [RTB1]: { target: NAT, kind: 'gateway' } },
    };
    const diffs = differences(record(), after);
    expect(diffs.map((d) => d.path)).toEqual([
      'zones.eu-west-1a.gateway.natGatewayId',
      'zones.eu-west-1a.instance.amiId',
      'zones.eu-west-1a.instance.eniId',
      'zones.eu-west-1a.instance.instanceId',
      'zones.eu-west-1a.instance.launchTime',
      'zones.eu-west-1a.mode',
      `zones.eu-west-1a.routeTables.${RTB1}.kind`,
      `zones.eu-west-1a.routeTables.${RTB1}.target`,
    ]);
    expect(diffs[0]).toEqual({ path: 'zones.eu-west-1a.gateway.natGatewayId', after: NAT });
    expect(changeSummary(diffs)).toBe('eu-west-1a instance → gateway');
    expect(changeTable(record(), after).split('\n')).toEqual([
      '**Image:** ami-0123456789abcdef0',
      '',
      '| zone | mode | instance | AMI | route targets |',
      '| --- | --- | --- | --- | --- |',
      `| eu-west-1a | instance → gateway | i-0ddddddddddddddd1 → — | ami-0123456789abcdef0 → — | ${RTB1}: ${ENI} → ${NAT} |`,
      `| eu-west-1b | gateway | — | — | ${RTB2}: ${NAT} |`,
    ]);
    const image = record({ image: { amiId: 'ami-0fffffffffffffff0' } });
    expect(changeSummary(differences(record(), image))).toBe('image changed');
  });

  it('counts the gateway time from the previous record and prices it', () => {
    const prev = record();
    prev.zones['eu-west-1a']!.mode = 'gateway';
    expect(gatewayTime(prev, new Date('2026-11-23T03:00:00Z'))).toEqual({
      since: prev.recordedAt,
      zoneHours: 6,
      usd: 0.29, // 6 zone-hours at eu-west-1's $0.048/h, the record's region
    });
    const us = { ...prev, region: 'us-east-1' };
    expect(gatewayTime(us, new Date('2026-11-23T03:00:00Z'))?.usd).toBe(0.27); // $0.045/h
    expect(gatewayTime(undefined, new Date())).toBeUndefined();
  });

  it('knows when the image is due for a rebuild', () => {
    expect(imageDue(record(), 14, new Date('2026-11-23T12:00:00Z'))).toEqual({
      ageDays: 13,
      due: false,
    });
    expect(imageDue(record(), 14, new Date('2026-11-24T00:00:00Z'))).toEqual({
      ageDays: 14,
      due: true,
    });
    expect(imageDue(record({ image: undefined }), 14, new Date())).toEqual({ due: true });
  });
});

describe('the pull request', () => {
  it('has the environment and reason in its title, and the whole record in its body', () => {
    expect(pullRequestTitle('prod', 'failover: AZ outage')).toBe(
      'natfleet(prod): failover: AZ outage',
    );
    const after = record({ run: 'https://github.com/acme/fleet/actions/runs/9' });
    const text = formatRecord(after);
    const body = pullRequestBody({
      after,
      text,
      invalidBefore: 'f does not match\n  zones: expected x',
    });
    expect(body).toContain('> The recorded state/prod.json did not match its schema');
    expect(body).toContain('>   zones: expected x');
    expect(body).toContain('Run: https://github.com/acme/fleet/actions/runs/9');
    expect(body).toContain('```json\n' + text.trimEnd() + '\n```');
    expect(body).toContain('| eu-west-1a | — → instance |');
  });
});
