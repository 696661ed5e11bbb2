// The connection handoff (ADR 0141) in namespaces: one zone, the old and the new NAT instance
// booted from the image's scripts, long-lived connections and a stream of new ones from the
// private host, through a replacement as ReplaceInstances makes it — today's (new address, no
// state) and the handoff's (floating address, state copied, route switched, final delta) —
// and a handoff that fails half-way (the zone on its gateway, nothing left on a dead instance).
import { afterEach, expect, it, jest } from '@jest/globals';
import {
  ECHO_PORT,
  FLOATING,
  HandoffLab,
  INSTANCES,
  sleep,
  type FlowReport,
} from '../../lab/handoff-lab.js';
import { describeLab } from './skip.js';

const LONG = 12;
const INTERVAL_MS = 25;
/** How long a report waits for connections still retransmitting (a bound, not a pace). */
const SETTLE_MS = 40_000;

let lab: HandoffLab | undefined;
afterEach(async () => {
  await lab?.destroy();
  lab = undefined;
}, 30_000);

// A bound on a hung lab, not a speed expectation.
jest.setTimeout(240_000);

const ok = (r: { code: number; stderr: string }, what: string) => {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}: ${r.stderr}`);
};

/** Today: the new instance translates to its own address and holds no state. */
async function today(): Promise<FlowReport> {
  lab = await HandoffLab.create();
  ok(await lab.launch('old'), 'boot old');
  await lab.routeVia('old');
  const flows = await lab.flows(LONG, INTERVAL_MS);
  await sleep(500);
  ok(await lab.launch('new'), 'boot new');
  await lab.routeVia('new');
  await sleep(1500);
  await lab.kill('old');
  await sleep(1000);
  return flows.stop(SETTLE_MS);
}

/** The handoff: copy, switch the route, move the address (`gapMs` after the switch: AWS's
 * reassignment is asynchronous), final delta, retire the old. */
async function handoff(
  gapMs = 0,
  late = 0,
): Promise<{
  report: FlowReport;
  copied: number;
  final: string;
  relayed: number;
  dropped: number;
  echoEntries: number;
  lateReport?: FlowReport;
}> {
  lab = await HandoffLab.create();
  ok(await lab.launch('old', { floating: true }), 'boot old');
  await lab.routeVia('old');
  expect(await lab.whoami()).toBe(FLOATING);
  const flows = await lab.flows(LONG, INTERVAL_MS);
  await sleep(500);
  ok(await lab.launch('new'), 'boot new');
  const first = await lab.copy(false);
  ok(first.receive, 'receive');
  ok(first.send, 'send');
  const copied = await lab.entries('new');
  // Connections the old instance begins after the copy: not in it, on the new one from the switch.
  const begunLate = late ? await lab.flows(late, INTERVAL_MS) : undefined;
  await lab.routeVia('new');
  if (gapMs) await sleep(gapMs);
  const relayed = await lab.counted('old', 'natfleet-handoff-relay');
  const dropped = await lab.counted('old', 'natfleet-floating-untranslated');
  const echoEntries = await lab.entries('new', ECHO_PORT); // before the final delta
  await lab.assign('new');
  const last = await lab.copy(true);
  ok(last.receive, 'final receive');
  ok(last.send, 'final send');
  await lab.kill('old');
  await sleep(1500);
  const report = await flows.stop(SETTLE_MS);
  const lateReport = await begunLate?.stop(SETTLE_MS);
  expect(await lab.whoami()).toBe(FLOATING);
  return { report, copied, final: last.receive.stderr, relayed, dropped, echoEntries, lateReport };
}

function table(rows: [string, FlowReport][]): string {
  const head = 'replacement | long-lived reset | stalled | new connections failed | pause (ms)';
  return [
    head,
    ...rows.map(
      ([name, r]) =>
        `${name} | ${r.reset} of ${r.long} | ${r.stalled} | ${r.fresh.failed} of ${r.fresh.attempts} | ${r.maxGapMs}`,
    ),
  ].join('\n');
}

describeLab(
  'connection handoff between NAT instances',
  () => {
    it('today every long-lived connection is reset; with the handoff none is, and no new one fails', async () => {
      const before = await today();
      await lab!.destroy();
      expect(before.long).toBe(LONG);
      expect(before.reset).toBe(LONG); // picked up under another address: the far end resets
      expect(before.stalled).toBe(0);

      const after = await handoff();
      const r = after.report;
      expect(after.copied).toBeGreaterThanOrEqual(LONG);
      expect(after.final).toMatch(/instance metadata lists 203\.0\.113\.41/);
      expect(r).toMatchObject({ long: LONG, alive: LONG, reset: 0, stalled: 0 });
      expect(r.fresh.failed).toBe(0);
      expect(r.fresh.ok).toBe(r.fresh.attempts);
      console.log(
        `handoff lab, one zone\n${table([
          ['today', before],
          ['handoff', r],
        ])}`,
      );
    });

    // Between the switch and the move the new instance translates new connections to the
    // floating address while the network still delivers it to the old one: the old instance
    // relays those replies (ADR 0174). Gaps longer than a SYN's first retransmission (1 s).
    it.each([1500, 4000])(
      'no new connection fails while the address is still on the old instance (%i ms)',
      async (gapMs) => {
        const { report: r, relayed, dropped } = await handoff(gapMs);
        expect(dropped).toBe(0); // none met the old instance's drop for what it did not translate
        expect(relayed).toBeGreaterThan(0); // the new connections' replies, through the old
        expect(r).toMatchObject({ long: LONG, alive: LONG, reset: 0, stalled: 0 });
        expect(r.fresh.failed).toBe(0);
        expect(r.fresh.ok).toBe(r.fresh.attempts);
        console.log(
          `handoff lab, address moved ${gapMs} ms after the switch\n${table([['handoff', r]])}`,
        );
      },
    );

    // A connection the old instance begins between the copy and the switch is not in the copy:
    // from the switch its packets reach the new instance, which picks it up under the same
    // translation (ADR 0175) instead of dropping it until the final delta.
    it('a connection begun after the copy keeps flowing across the switch', async () => {
      const { report: r, echoEntries, lateReport } = await handoff(3000, 3);
      // Before the final delta the new instance carries the 3 late ones beside the 12 copied.
      expect(echoEntries).toBe(LONG + 3);
      expect(lateReport).toMatchObject({ long: 3, alive: 3, reset: 0, stalled: 0 });
      expect(r).toMatchObject({ long: LONG, alive: LONG, reset: 0, stalled: 0 });
      expect(r.fresh.failed + lateReport!.fresh.failed).toBe(0);
      console.log(`handoff lab, begun after the copy\n${table([['handoff', lateReport!]])}`);
    });

    it('a handoff that fails half-way leaves the zone on its gateway and no flow on the dead instance', async () => {
      lab = await HandoffLab.create();
      ok(await lab.launch('old', { floating: true }), 'boot old');
      await lab.routeVia('old');
      const flows = await lab.flows(LONG, INTERVAL_MS);
      ok(await lab.launch('new'), 'boot new');
      const first = await lab.copy(false);
      ok(first.receive, 'receive');
      await lab.routeVia('new');
      await lab.assign('new');
      await lab.kill('new'); // dies between the address move and the final delta
      const last = await lab.copy(true, { NATFLEET_HANDOFF_SECONDS: '3' });
      expect(last.receive.code).not.toBe(0);
      expect(last.send.code).not.toBe(0);
      expect(last.send.stderr).toMatch(/could not hand the state to 203\.0\.113\.12/);
      // ReplaceInstances' rollback: the address back to the old instance, the zone to its gateway.
      await lab.assign('old');
      await lab.routeVia('gw');
      // Each connection's next retransmission meets the gateway, which does not know it.
      const r = await flows.stop(SETTLE_MS);
      expect(await lab.defaultRoute()).toMatch(/via 10\.20\.1\.2 /);
      expect(await lab.whoami()).toBe('203.0.113.21'); // the gateway's address: it changes
      expect(r.stalled).toBe(0); // every flow is answered or ended, none hangs on the dead one
      expect(r.alive + r.reset).toBe(LONG);
      console.log(`handoff lab, failed half-way\n${table([['failed, to gateway', r]])}`);
    });

    // A roll rolled back after its copy leaves the old instance relaying; the next roll's relay
    // must replace it (appended, the stale rule matched first) and each relay ends by itself.
    it('a relay replaces the one an earlier roll left, and ends by itself', async () => {
      lab = await HandoffLab.create();
      ok(await lab.launch('old', { floating: true }), 'boot old');
      ok(await lab.launch('new'), 'boot new');
      const relays = (t: string) =>
        t.split('\n').filter((l) => l.includes('comment "natfleet-handoff-relay"'));
      const relaying = (t: string) =>
        /set handoff_relaying \{[^}]*elements = \{([^}]*)\}/.exec(t)?.[1];
      const first = await lab.copy(false);
      ok(first.receive, 'receive');
      ok(first.send, 'send');
      expect(relays(await lab.table('old'))).toHaveLength(1);
      expect(relaying(await lab.table('old'))).toContain(`${FLOATING} timeout 15m`);
      const second = await lab.copy(false, { NATFLEET_RELAY_SECONDS: '2' });
      ok(second.receive, 'second receive');
      ok(second.send, 'second send');
      const after = await lab.table('old');
      expect(relays(after)).toHaveLength(1);
      expect(relays(after)[0]).toContain(`ip daddr set ${INSTANCES.new.primary}`);
      expect(relaying(after)).toContain(`${FLOATING} timeout 2s`);
      // The new instance's side is replaced too: one rewrite, not two.
      const taken = (await lab.table('new'))
        .split('\n')
        .filter(
          (l) => l.includes('comment "natfleet-handoff-relayed"') && l.includes('ip daddr set'),
        );
      expect(taken).toHaveLength(1);
      // Ends by itself: the address leaves the set (a bounded wait on the kernel's timer).
      let left = relaying(after);
      for (let i = 0; i < 150 && left !== undefined; i++) {
        await sleep(200);
        left = relaying(await lab.table('old'));
      }
      expect(left).toBeUndefined();
      const bad = await lab.handoff('old', ['send', FLOATING, INSTANCES.new.primary], {
        NATFLEET_RELAY_SECONDS: '5s',
      });
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/NATFLEET_RELAY_SECONDS must be a whole number of seconds/);
    });

    it('the channel takes one stream, from the peer only, and nothing listens after', async () => {
      lab = await HandoffLab.create();
      ok(await lab.launch('old', { floating: true }), 'boot old');
      ok(await lab.launch('new'), 'boot new');
      const receive = lab.handoff('new', ['receive', FLOATING, '203.0.113.11']);
      for (let i = 0; i < 50 && !(await lab.listening('new')); i++) await sleep(100);
      expect(await lab.listening('new')).toBe(true);
      expect(await lab.reach('gw', '203.0.113.12')).toBe(false); // a stranger: dropped
      ok(await lab.handoff('old', ['send', FLOATING, '203.0.113.12']), 'send');
      ok(await receive, 'receive');
      expect(await lab.listening('new')).toBe(false);
      expect(await lab.reach('old', '203.0.113.12')).toBe(false);
      // A receiver nobody sends to gives up within its bound and closes the port.
      const alone = await lab.handoff('new', ['receive', FLOATING, '203.0.113.11'], {
        NATFLEET_HANDOFF_SECONDS: '2',
      });
      expect(alone.code).toBe(1);
      expect(alone.stderr).toMatch(/no connection from 203\.0\.113\.11 within 2 s/);
      expect(await lab.listening('new')).toBe(false);
    });
  },
  [['conntrack', 'conntrack']],
);
