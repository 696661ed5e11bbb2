import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { EC2Client, ReplaceRouteCommand } from '@aws-sdk/client-ec2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { changeSummary, changeTable, differences } from '../../lib/record/compare.js';
import { formatRecord, parseRecord } from '../../lib/record/format.js';
import { snapshot } from '../../lib/record/snapshot.js';
import { ROOT } from '../helpers.js';
import type { Moto } from '../moto.js';
import { buildRecordedFleet, startRecordMoto, type RecordMoto } from '../record-fleet.js';

let recordMoto: RecordMoto;
let moto: Moto;
let ec2: EC2Client;
let ssm: SSMClient;

beforeAll(async () => {
  ({ moto, ec2, ssm } = recordMoto = await startRecordMoto());
});
afterAll(() => recordMoto?.stop());
beforeEach(() => moto.reset());

const t0 = new Date('2026-11-23T03:00:00Z');
const t1 = new Date('2026-11-23T03:30:00Z');

describe('the record of a live fleet in moto', () => {
  it('records the image, each zone and its routes, in a file its schema accepts', async () => {
    const { env, zones, amiId } = await buildRecordedFleet(ec2, ssm);
    const r = await snapshot({ ec2, ssm }, env, {
      reason: 'deploy',
      now: t0,
      run: 'https://github.com/acme/fleet/actions/runs/7',
    });
    expect(r.image).toMatchObject({ amiId, name: 'natfleet-prod-image 1.0.3', version: '1.0.3/2' });
    expect(r.image?.buildDate).toMatch(/^\d{4}-\d\d-\d\dT/);
    for (const z of zones) {
      const zr = r.zones[z.zone]!;
      expect(zr.mode).toBe('instance');
      expect(zr.instance).toMatchObject({
        instanceId: z.instanceId,
        eniId: z.eniId,
        amiId: 'ami-12c6146b',
      });
      expect(zr.gateway?.natGatewayId).toBe(z.gateway);
      expect(zr.gateway?.publicIp).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      for (const t of z.routeTables)
        expect(zr.routeTables[t]).toEqual({ target: z.eniId, kind: 'instance' });
    }
    const text = formatRecord(r);
    // Written in the schema's key order, maps sorted, so diffs stay small.
    const doc = JSON.parse(text);
    expect(Object.keys(doc)).toEqual([
      'version',
      'environment',
      'region',
      'recordedAt',
      'reason',
      'run',
      'image',
      'zones',
    ]);
    for (const z of zones) {
      expect(Object.keys(doc.zones[z.zone])).toEqual([
        'mode',
        'instance',
        'gateway',
        'routeTables',
      ]);
      expect(Object.keys(doc.zones[z.zone].routeTables)).toEqual([...z.routeTables].sort());
    }
    expect(text.endsWith('}\n')).toBe(true);
    expect(formatRecord(JSON.parse(text))).toBe(text);
    expect(parseRecord(text, 'state/prod.json')).toEqual(r);
    const schema = JSON.parse(
      readFileSync(join(ROOT, 'schema/natfleet-state.schema.json'), 'utf8'),
    );
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    expect(validate(JSON.parse(text))).toBe(true);
    expect(r.gatewayTime).toBeUndefined();

    // Where the Image Builder API is at hand, its answer wins over the tag and the AMI's date.
    const asked: string[] = [];
    const looked = await snapshot({ ec2, ssm }, env, { reason: 'deploy', now: t0 }, async (arn) => {
      asked.push(arn);
      return { version: '1.0.3/2', buildDate: '2026-11-01T10:00:00.000Z' };
    });
    expect(asked).toEqual([
      'arn:aws:imagebuilder:eu-west-1:123456789012:image/natfleet-prod-image/1.0.3/2',
    ]);
    expect(looked.image?.buildDate).toBe('2026-11-01T10:00:00.000Z');
  });

  it('catches a route moved behind its back, and the record shows it', async () => {
    const { env, zones } = await buildRecordedFleet(ec2, ssm);
    const recorded = await snapshot({ ec2, ssm }, env, { reason: 'deploy', now: t0 });
    const same = await snapshot({ ec2, ssm }, env, {
      reason: 'drift',
      now: t1,
      previous: recorded,
    });
    expect(differences(recorded, same)).toEqual([]);

    const [a] = zones;
    const moved = a!.routeTables[0]!;
    const toGatewayAndDrift = async (table: string) => {
      await ec2.send(
        new ReplaceRouteCommand({
          RouteTableId: table,
          DestinationCidrBlock: '0.0.0.0/0',
          NatGatewayId: a!.gateway,
        }),
      );
      return snapshot({ ec2, ssm }, env, { reason: 'drift', now: t1, previous: recorded });
    };
    const live = await toGatewayAndDrift(moved);
    expect(live.zones['eu-west-1a']!.mode).toBe('mixed');
    expect(live.zones['eu-west-1a']!.routeTables[moved]).toEqual({
      target: a!.gateway,
      kind: 'gateway',
    });
    expect(differences(recorded, live)).toEqual([
      { path: 'zones.eu-west-1a.mode', before: 'instance', after: 'mixed' },
      { path: `zones.eu-west-1a.routeTables.${moved}.kind`, before: 'instance', after: 'gateway' },
      { path: `zones.eu-west-1a.routeTables.${moved}.target`, before: a!.eniId, after: a!.gateway },
    ]);
    expect(changeSummary(differences(recorded, live))).toBe('eu-west-1a instance → mixed');
    expect(changeTable(recorded, live)).toContain(`${moved}: ${a!.eniId} → ${a!.gateway}`);

    // The whole zone on its gateway: mode gateway; its time there counts from this record on.
    const over = await toGatewayAndDrift(a!.routeTables[1]!);
    expect(over.zones['eu-west-1a']!.mode).toBe('gateway');
    expect(over.zones['eu-west-1b']!.mode).toBe('instance');
    expect(over.gatewayTime).toEqual({ since: t0.toISOString(), zoneHours: 0, usd: 0 });
    const later = await snapshot({ ec2, ssm }, env, {
      reason: 'fallback',
      now: new Date('2026-11-23T13:30:00Z'),
      previous: over,
    });
    // 10 zone-hours at eu-west-1's $0.048/h, the record's region
    expect(later.gatewayTime).toEqual({ since: t1.toISOString(), zoneHours: 10, usd: 0.48 });
  });
});
