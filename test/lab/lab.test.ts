// `natfleet lab`'s short scenario set, as CI runs it: two zones, the real deploy, the
// workflows in the local Step Functions endpoint, the real checker bundle in each private
// namespace, one outage (NAT rules flushed) with fallback, one dead checker URL, a maintenance
// whose build is told to fail, then a maintenance over both zones (a real image build, the
// rolling replacement into each zone's second NAT slot). Asserts on counts and events, not on
// timings.
import { beforeAll, expect, it } from '@jest/globals';
import { namespaces } from '../../lab/namespaces.js';
import { runLab, type LabOptions, type LabResult, type MaintenanceRow } from '../../lab/lab.js';
import { describeLab } from './skip.js';

/** One lab run over two zones at the fast profile, each scenario once; its log kept in memory. */
function twoZoneLab(over: Omit<LabOptions, 'zones' | 'profiles' | 'runs' | 'log'>) {
  const log: string[] = [];
  return runLab({ zones: 2, profiles: ['fast'], runs: 1, ...over, log: (l) => log.push(l) });
}

describeLab('natfleet lab, short set', () => {
  let r: LabResult;
  beforeAll(async () => {
    r = await twoZoneLab({
      faults: ['flush'],
      deadUrl: true,
      maintenanceFailedBuild: true,
      maintenance: true,
    });
  }, 900_000);
  const maintenances = () =>
    r.rows.filter((x): x is MaintenanceRow => x.scenario === 'maintenance');
  const beforeMaintenance = () => r.events.filter((e) => e.at < maintenances()[0]!.at);

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
    // The outage's repair and the maintenance that got past its build each ran Fallback.
    expect(
      r.executions.filter((x) => x.machine === 'natfleet-lab-Fallback').map((x) => x.status),
    ).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    const routesA = beforeMaintenance()
      .filter((e) => e.zone === 'a' && e.what === 'route')
      .map((e) => e.detail);
    expect(routesA.slice(-2)).toEqual(['gateway', 'nat']);
    // Zone b: on the user's gateway, then its instance, and never moved again before maintenance.
    expect(
      beforeMaintenance()
        .filter((e) => e.zone === 'b' && e.what === 'route')
        .map((e) => e.detail),
    ).toEqual(['gateway', 'nat']);
    expect(r.rows.filter((x) => x.scenario === 'fallback')).toHaveLength(1);
  });

  it('a maintenance whose image fails test-nat fails and leaves the fleet as it was', () => {
    const [failed] = maintenances();
    expect(failed).toMatchObject({ failBuild: true, build: 'FAILED', exitCode: 1, replaced: [] });
    // Failed by test-nat's own check on the broken test instance, not by a flag.
    expect(failed!.buildReason).toMatch(
      /^test-nat: FAIL: nftables has no natfleet masquerade rule/,
    );
    expect(failed!.failure).toMatch(/ImageBuildFailed/);
    const during = r.events.filter((e) => e.at >= failed!.at && e.at < maintenances()[1]!.at);
    expect(during.filter((e) => e.what === 'launched' || e.what === 'route')).toEqual([]);
  });

  it('a maintenance builds the image, rolls both zones make-before-break, and falls back', () => {
    const m = maintenances()[1]!;
    expect(m).toMatchObject({ failBuild: false, build: 'AVAILABLE', exitCode: 0 });
    expect(m.replaced.sort()).toEqual(['a', 'b']);
    const machines = r.executions.map(
      (x) => `${x.machine.replace('natfleet-lab-', '')}:${x.status}`,
    );
    expect(machines.filter((x) => x.startsWith('Maintenance'))).toEqual([
      'Maintenance:FAILED',
      'Maintenance:SUCCEEDED',
    ]);
    expect(machines.filter((x) => x.startsWith('ReplaceInstances'))).toEqual([
      'ReplaceInstances:SUCCEEDED',
      'ReplaceInstances:SUCCEEDED',
    ]);
    for (const zone of ['a', 'b']) {
      const mine = r.events.filter((e) => e.zone === zone && e.at >= m.at);
      const launched = mine.find((e) => e.what === 'launched')!;
      const terminated = mine.find((e) => e.what === 'terminated')!;
      const moved = mine.find((e) => e.what === 'route')!;
      // The new instance boots beside the old one, the route moves to it, then the old goes.
      expect(moved).toMatchObject({ detail: 'nat', instance: launched.instance });
      expect(launched.at).toBeLessThanOrEqual(moved.at);
      expect(moved.at).toBeLessThanOrEqual(terminated.at);
      expect(terminated.instance).not.toBe(launched.instance);
      expect(launched.detail).toMatch(/in slot \d \(boot exit 0\)$/);
      // The checker saw nothing worth a failover during the roll.
      expect(mine.filter((e) => e.what === 'route').map((e) => e.detail)).toEqual(['nat']);
    }
    // Traffic was watched in every zone; each long-lived connection through an old instance
    // ends when its zone moves (primary egress: no connection handoff).
    expect(m.traffic.map((t) => t.zone)).toEqual(['a', 'b']);
    for (const t of m.traffic) {
      expect(t.newTotal).toBeGreaterThan(0);
      expect(t.established).toBe(3);
      expect(t.reset).toBe(3);
    }
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

// The same maintenance with instance.egress floating: the connection handoff keeps every
// established connection; an operator's hold keeps its zone on the gateway; a handoff broken
// half-way sends its zone to the gateway and leaves no flow on the dead instance.
describeLab('natfleet lab, floating egress', () => {
  let r: LabResult;
  beforeAll(async () => {
    r = await twoZoneLab({
      faults: [],
      deadUrl: false,
      maintenance: true,
      maintenanceHold: true,
      maintenanceBrokenHandoff: 'b',
      egress: 'floating',
    });
  }, 900_000);
  const rows = () => r.rows.filter((x): x is MaintenanceRow => x.scenario === 'maintenance');
  const eventsOf = (zone: string, m: MaintenanceRow, until = Infinity) =>
    r.events.filter((e) => e.zone === zone && e.at >= m.at && e.at < until);

  it('a maintenance hands every established connection over, unless the checker failed the zone over', () => {
    const [m] = rows();
    expect(m).toMatchObject({ egress: 'floating', build: 'AVAILABLE', exitCode: 0, held: [] });
    expect(m!.replaced.sort()).toEqual(['a', 'b']);
    // A zone whose checker failed it over during the roll (before the relay of ADR 0174 its
    // probes were lost between the route switch and the address move; now only a starved
    // machine could) went through its gateway, which has another address: its connections are
    // reset there. Every other zone keeps all of them.
    let handedOver = 0;
    for (const zone of ['a', 'b']) {
      const t = m!.traffic.find((x) => x.zone === zone)!;
      const mine = eventsOf(zone, m!, rows()[1]!.at);
      const routes = mine.filter((e) => e.what === 'route');
      const viaGateway = routes.some((e) => e.detail === 'gateway');
      expect({ zone, established: t.established, reset: t.reset }).toEqual({
        zone,
        established: 3,
        reset: viaGateway ? 3 : 0,
      });
      expect(t.newTotal).toBeGreaterThan(0);
      if (viaGateway) continue;
      handedOver++;
      // The floating address moved to the zone's new instance, and its route with it.
      const launched = mine.find((e) => e.what === 'launched')!;
      expect(mine.filter((e) => e.what === 'address').map((e) => e.instance)).toEqual([
        launched.instance,
      ]);
      expect(routes.map((e) => e.instance)).toEqual([launched.instance]);
    }
    expect(handedOver).toBeGreaterThan(0);
  });

  it('an operator holds zone a during maintenance: it stays on its gateway, b is replaced', () => {
    const m = rows()[1]!;
    expect(m).toMatchObject({ held: ['a'], exitCode: 0, replaced: ['b'] });
    expect(m.routes).toEqual({ a: 'gateway', b: 'nat' });
    const a = eventsOf('a', m, rows()[2]!.at);
    expect(a.filter((e) => e.what === 'route').map((e) => e.detail)).toEqual(['gateway']);
    expect(a.filter((e) => e.what === 'launched')).toEqual([]);
  });

  it('a handoff broken half-way sends its zone to the gateway; no flow is left on the dead instance', () => {
    const m = rows()[2]!;
    expect(m.broken).toEqual(['b']);
    const b = eventsOf('b', m);
    const launched = b.find((e) => e.what === 'launched')!;
    // The new instance was launched, the zone went to its gateway, the new one was terminated.
    expect(b.filter((e) => e.what === 'route').map((e) => e.detail)).toContain('gateway');
    expect(b.some((e) => e.what === 'terminated' && e.instance === launched.instance)).toBe(true);
    expect(m.instances.b).not.toBe(launched.instance);
    // Every connection of the zone either goes on (on the old instance) or was reset: none hangs.
    const t = m.traffic.find((x) => x.zone === 'b')!;
    expect(t.established).toBe(3);
    expect(t.errors.filter((e) => e.startsWith('no echo'))).toEqual([]);
    // Zone a, still held, was left alone.
    expect(m.routes.a).toBe('gateway');
  });

  it('leaves nothing behind', async () => {
    const mine = (await namespaces()).filter((n) => n.startsWith(`nfl${process.pid}-`));
    expect(mine).toEqual([]);
    expect(r.events.filter((e) => e.what === 'error')).toEqual([]);
  });
});
