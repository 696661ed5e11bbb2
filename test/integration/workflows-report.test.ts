// The per-zone report's writer (the ASL that builds a Fail Cause) against its reader (the CLI's
// and the action's "why" column): real failing runs in the in-process runner against moto, their
// causes read back. A cause reworded past the reader blanks these columns and fails here.
import { describe, expect, it } from '@jest/globals';
import { DeleteNatGatewayCommand } from '@aws-sdk/client-ec2';
import { summaryRows } from '../../lib/workflows/operate.js';
import { zoneReasons } from '../../lib/workflows/report.js';
import { worldPerTest } from '../workflows-world.js';

const newWorld = worldPerTest();

describe('the per-zone report in a failed run', () => {
  it('Failover: every zone of the cause, with its why, in the summary rows', async () => {
    const w = await newWorld();
    const [a, b, c] = w.zones as [(typeof w.zones)[0], (typeof w.zones)[0], (typeof w.zones)[0]];
    await w.ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: b.gateway }));
    const before = await w.routes();
    const e = await w.run('Failover', { reason: 'report' });
    expect(e.r).toMatchObject({ status: 'FAILED', error: 'ZonesNotDone' });
    expect(e.r.output).toBeUndefined();
    expect(zoneReasons(e.r)).toEqual({
      [a.zone]: `failover: on standby gateway ${a.gateway}`,
      [b.zone]: `failover, but standby gateway ${b.gateway} is not available: routes left as they are`,
      [c.zone]: `failover: on standby gateway ${c.gateway}`,
    });
    const rows = summaryRows(w.env, before, await w.routes(), e.r);
    expect(rows.map((r) => [r.zone, r.routeTableId, r.after, r.why])).toEqual(
      [a, b, c].flatMap((z) =>
        z.routeTables.map((t) => [
          z.zone,
          t,
          z === b ? b.eniId : z.gateway,
          zoneReasons(e.r)[z.zone],
        ]),
      ),
    );
  });

  it('ReplaceInstances: the zones rolled and the one it stopped at; the rest not reached', async () => {
    const w = await newWorld({ eipOverride: { 1: 'eipalloc-00000000000000bad' } });
    const [a, b, c] = w.zones as [(typeof w.zones)[0], (typeof w.zones)[0], (typeof w.zones)[0]];
    const before = await w.routes();
    const e = await w.run('ReplaceInstances', { reason: 'report' });
    expect(e.r).toMatchObject({ status: 'FAILED', error: 'ZoneFailed' });
    const why = zoneReasons(e.r);
    expect(Object.keys(why).sort()).toEqual([a.zone, b.zone]);
    expect(why[a.zone]).toMatch(/^new NAT instance i-\w+ in service$/);
    expect(why[b.zone]).toContain(`; the zone is on standby gateway ${b.gateway}`);
    // The cause's own text names the same zone and why as the report it carries.
    expect(e.r.cause).toContain(`stopped at ${b.zone}: ${why[b.zone]}.`);
    const rows = summaryRows(w.env, before, await w.routes(), e.r);
    expect(Object.fromEntries(rows.map((r) => [r.zone, r.why]))).toEqual({
      [a.zone]: why[a.zone],
      [b.zone]: why[b.zone],
      [c.zone]: 'not reached',
    });
  });

  it('a successful run: the same records from its output', async () => {
    const w = await newWorld();
    const e = await w.run('Failover', { zones: [w.zones[2]!.zone] });
    expect(e.r.status).toBe('SUCCEEDED');
    expect(zoneReasons(e.r)).toEqual({
      [w.zones[2]!.zone]: `failover: on standby gateway ${w.zones[2]!.gateway}`,
    });
  });
});
