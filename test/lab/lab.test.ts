// `natfleet lab`'s short scenario set, as CI runs it: two zones, the real deploy, the
// workflows in the local Step Functions endpoint, the real checker bundle in each private
// namespace, one outage (NAT rules flushed) with fallback, one dead checker URL. Asserts on
// counts and events, not on timings.
import { beforeAll, expect, it } from '@jest/globals';
import { namespaces } from '../../lab/namespaces.js';
import { runLab, type LabResult } from '../../lab/lab.js';
import { describeLab } from './skip.js';

describeLab('natfleet lab, short set', () => {
  let r: LabResult;
  const log: string[] = [];
  beforeAll(async () => {
    r = await runLab({
      zones: 2,
      profiles: ['fast'],
      faults: ['flush'],
      runs: 1,
      deadUrl: true,
      log: (l) => log.push(l),
    });
  }, 600_000);

  it('brings every zone onto a NAT instance through the deployed ReplaceInstances', () => {
    const launched = r.events.filter((e) => e.what === 'launched').map((e) => e.zone);
    expect(launched.slice(0, 2).sort()).toEqual(['a', 'b']);
    // Source/dest check: on at launch, off before the route moves to the instance.
    for (const zone of ['a', 'b']) {
      const mine = r.events.filter((e) => e.zone === zone).map((e) => `${e.what}:${e.detail}`);
      const off = mine.indexOf('source-dest-check:off');
      expect(off).toBeGreaterThan(mine.indexOf('source-dest-check:on'));
      expect(mine.indexOf('route:nat')).toBeGreaterThan(off);
    }
    expect(r.executions[0]).toMatchObject({
      machine: 'natfleet-lab-ReplaceInstances',
      status: 'SUCCEEDED',
    });
  });

  it('an outage of zone a fails it over once, loses no probe elsewhere, and falls back', () => {
    const [outage] = r.rows.filter((x) => x.scenario === 'outage');
    expect(outage).toMatchObject({
      fault: 'flush',
      zone: 'a',
      failedElsewhere: 0,
      action: 'started',
    });
    const failovers = r.executions.filter((x) => x.machine === 'natfleet-lab-Failover');
    expect(failovers).toEqual([
      {
        machine: 'natfleet-lab-Failover',
        name: expect.stringMatching(/eu-west-1a/),
        status: 'SUCCEEDED',
      },
    ]);
    expect(r.executions.filter((x) => x.machine === 'natfleet-lab-Fallback')).toEqual([
      expect.objectContaining({ status: 'SUCCEEDED' }),
    ]);
    const routesA = r.events
      .filter((e) => e.zone === 'a' && e.what === 'route')
      .map((e) => e.detail);
    expect(routesA.slice(-2)).toEqual(['gateway', 'nat']);
    // Zone b's route never moved after it reached its instance.
    expect(
      r.events
        .filter((e) => e.zone === 'b' && e.what === 'route')
        .map((e) => e.detail)
        .slice(-1),
    ).toEqual(['nat']);
    expect(r.rows.filter((x) => x.scenario === 'fallback')).toHaveLength(1);
  });

  it('one dead checker URL starts no failover', () => {
    const [dead] = r.rows.filter((x) => x.scenario === 'dead-url');
    expect(dead).toMatchObject({ zone: 'b', failovers: 0 });
    expect((dead as { rounds: number }).rounds).toBeGreaterThanOrEqual(5);
  });

  it('records the fleet in state/lab.json through the record-state bundle, on a pull request', () => {
    const a = r.audit!;
    expect({ exit: a.exitCode, violations: a.violations }).toEqual({ exit: 0, violations: [] });
    expect(a.pullRequest).toMatchObject({ number: expect.any(Number), head: 'natfleet/state/lab' });
    const record = JSON.parse(a.record!) as { zones: Record<string, unknown> | unknown[] };
    // Both zones recorded, each on the NAT instance the reconciler booted last.
    const text = JSON.stringify(record);
    for (const zone of ['a', 'b']) {
      const last = r.events.filter((x) => x.zone === zone && x.what === 'launched').pop()!;
      expect(text).toContain(last.detail.split(' ')[0]);
    }
  });

  it('leaves nothing behind', async () => {
    const mine = (await namespaces()).filter((n) => n.startsWith(`nfl${process.pid}-`));
    expect(mine).toEqual([]);
    expect(r.events.filter((e) => e.what === 'error')).toEqual([]);
  });
});
