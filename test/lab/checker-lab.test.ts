// The real checker bundle in a zone's private namespace, against a NAT that dies three ways:
// it must fail the zone over through moto (Failover run in-process, route table → gateway),
// and the private host's new connections must flow again through the standby gateway.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { must } from '../../lab/exec.js';
import { AWS_ZONE, CheckerLab, FAST, FAULTS, type RunOutcome } from '../../lab/checker-lab.js';
import { describeLab } from './skip.js';

const rounds = (r: RunOutcome) => r.checker.filter((l) => l.type === 'round');

describeLab('the checker against a dying NAT', () => {
  let cl: CheckerLab;
  const log: string[] = [];
  beforeAll(async () => {
    cl = await CheckerLab.create((line) => log.push(line));
  }, 90_000);
  afterAll(async () => {
    await cl?.destroy();
  }, 30_000);

  it.each(FAULTS)(
    'fails the zone over when the NAT breaks: %s',
    async (fault) => {
      const r = await cl.run(fault, FAST);
      const z = cl.lab.zone('a');

      // The checker saw good rounds, then `threshold` failed rounds in a row, and started
      // Failover once, under the zone's bucket name, for its zone only.
      const rs = rounds(r);
      expect(rs.length).toBeGreaterThan(FAST.unhealthyThreshold);
      expect(rs[rs.length - FAST.unhealthyThreshold - 1]).toMatchObject({
        ok: true,
        zone: AWS_ZONE,
      });
      const failing = rs.slice(-FAST.unhealthyThreshold);
      expect(failing.map((x) => [x.ok, x.consecutiveFailures])).toEqual(
        Array.from({ length: FAST.unhealthyThreshold }, (_, i) => [false, i + 1]),
      );
      const decision = r.checker.find((l) => l.type === 'failover');
      expect(decision).toMatchObject({ action: 'started', zone: AWS_ZONE });
      expect(decision!.name).toMatch(/^natfleet-failover-eu-west-1a-\d{8}T\d{2}[0-5][05]00Z$/);
      expect(r.checker.find((l) => l.type === 'summary')).toMatchObject({
        stoppedBy: 'failover',
        mode: 'instance',
      });
      expect(r.checker.some((l) => l.FailoversStarted === 1)).toBe(true);
      expect(r.checker.find((l) => l.driver)).toMatchObject({ driver: 'result' });

      // moto holds exactly that one execution; the real Failover ran it and moved the table.
      expect(r.executions).toEqual([
        { name: decision!.name, input: { zones: [AWS_ZONE], reason: expect.any(String) } },
      ]);
      expect(r.failover.status).toBe('SUCCEEDED');
      expect(r.tableTarget).toMatch(/^nat-/);

      // The private host follows the table: its traffic leaves through the standby gateway,
      // and nothing answered through the broken NAT after the fault.
      expect(r.hostRoute).toBe(`default via ${z.gatewayPrivate} dev eth0`);
      expect(r.whoamiAfter).toBe(z.gatewayPublic);
      expect(r.natAnswersAfterFault).toBe(0);
      expect(r.faultToRouteMs).toBeGreaterThan(0);
      expect(r.faultToRouteMs).toBeLessThanOrEqual(r.faultToFlowingMs + 200);
      console.log(
        `${fault}: fault → failover started ${r.faultToStartMs} ms, → route ${r.faultToRouteMs} ms, ` +
          `→ flowing ${r.faultToFlowingMs} ms (1 s / 2)`,
      );
    },
    90_000,
  );

  it('leaves no namespace, process or file behind', async () => {
    const id = cl.lab.id;
    await cl.destroy();
    const left = (await must(['ip', 'netns', 'list'])).split('\n').filter((n) => n.startsWith(id));
    expect(left).toEqual([]);
    expect(existsSync(cl.lab.dir)).toBe(false);
  }, 30_000);
});
