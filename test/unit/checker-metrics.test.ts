// The embedded metric lines as CloudWatch would read them from the function's stdout.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { runInvocation } from '../../lib/checker/invocation.js';
import { emfMetrics, METRIC } from '../../lib/checker/metrics.js';
import { CHECKER_LOG, CHECKER_METRICS_PER_ZONE } from '../../lib/defaults.js';
import { checkerSettings, FakeClock, fakeDeps } from '../checker-fakes.js';

let printed: string[] = [];
beforeEach(() => {
  printed = [];
  jest.spyOn(console, 'log').mockImplementation((line: unknown) => void printed.push(String(line)));
});
afterEach(() => {
  jest.restoreAllMocks();
});

const LAMBDA_PREFIX_BYTES = 66;
const emf = () =>
  printed.map((l) => JSON.parse(l)).filter((d) => d._aws?.CloudWatchMetrics !== undefined);

describe('checker metrics', () => {
  it('emits probe, round, mode and failover metrics under natfleet / Environment, Zone', async () => {
    const clock = new FakeClock();
    const f = fakeDeps(clock, (u) =>
      u.includes('good') && clock.now() < Date.UTC(2026, 10, 23, 3, 12, 5)
        ? { status: 404, ms: 80 }
        : { refuse: true },
    );
    f.deps.metrics = emfMetrics('prod', 'eu-west-1a');
    const s = checkerSettings({ urls: ['https://good.example', 'https://bad.example'] });
    const end = clock.now() + 60_000;
    await clock.run(runInvocation(s, f.deps, () => end - clock.now()));

    const docs = emf();
    for (const d of docs) {
      expect(d._aws.CloudWatchMetrics).toHaveLength(1);
      expect(d._aws.CloudWatchMetrics[0].Namespace).toBe('natfleet');
      expect(d._aws.CloudWatchMetrics[0].Dimensions).toEqual([['Environment', 'Zone']]);
      expect(d).toMatchObject({ Environment: 'prod', Zone: 'eu-west-1a' });
    }
    const named = (m: string) => docs.filter((d) => m in d);
    // Round 1: good answers 404 (a success), bad is refused; rounds 2 and 3 fail: failover.
    // One document per round holds every probe's sample (an EMF value array).
    const rounds = named('FailedRounds');
    expect(rounds.map((d) => [d.ProbeSuccess, d.FailedRounds, d.ConsecutiveFailures])).toEqual([
      [[1, 0], 0, 0],
      [[0, 0], 1, 1],
      [[0, 0], 1, 2],
    ]);
    expect(rounds[0]).toMatchObject({ ProbeLatency: 80, Round: 1 });
    const declared = rounds[0]._aws.CloudWatchMetrics[0].Metrics;
    expect(declared).toHaveLength(3);
    expect(declared).toEqual(
      expect.arrayContaining([
        { Name: 'ProbeSuccess', Unit: 'Count' },
        { Name: 'ProbeLatency', Unit: 'Milliseconds' },
        { Name: 'FailedRounds', Unit: 'Count' },
      ]),
    );
    expect(rounds[1]).not.toHaveProperty('ProbeLatency');
    expect(named('ProbeSuccess')).toHaveLength(3);
    expect(named('OnInstance').map((d) => d.OnInstance)).toEqual([1]);
    expect(named('FailoversStarted').map((d) => d.FailoversStarted)).toEqual([1]);
    // Urls are properties, never dimensions: the metric count per zone stays fixed.
    expect(
      new Set(
        docs.flatMap((d) =>
          d._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string }) => m.Name),
        ),
      ),
    ).toEqual(
      new Set(['ProbeSuccess', 'ProbeLatency', 'FailedRounds', 'OnInstance', 'FailoversStarted']),
    );
  });

  it('writes as many log lines and bytes per round as the cost estimate counts', async () => {
    const clock = new FakeClock();
    // Two URLs as in the example configuration, one answering, one timing out.
    const urls = ['https://checkip.amazonaws.com', 'https://www.example.com'];
    const f = fakeDeps(clock, (u) => (u === urls[0] ? { status: 200, ms: 35 } : 'hang'));
    f.deps.metrics = emfMetrics('prod', 'eu-west-1a');
    const s = checkerSettings({
      urls,
      intervalSeconds: 1,
      timeoutSeconds: 1,
      unhealthyThreshold: 3,
      probeSeconds: 20,
    });
    const end = clock.now() + 60_000;
    await clock.run(runInvocation(s, f.deps, () => end - clock.now()));
    const roundLines = f.lines.filter((l) => l.type === 'round');
    const roundDocs = emf().filter((d) => 'FailedRounds' in d);
    expect(roundLines).toHaveLength(20);
    expect(roundDocs).toHaveLength(20);
    // As the handler writes them: one JSON line each, newline included.
    const bytes =
      roundLines.reduce((n, l) => n + JSON.stringify(l).length + 1, 0) +
      printed.filter((l) => l.includes('"FailedRounds"')).reduce((n, l) => n + l.length + 1, 0);
    expect((roundLines.length + roundDocs.length) / 20).toBe(CHECKER_LOG.linesPerRound);
    // Lambda's text log format puts "<time>\t<request id>\tINFO\t" before a console line.
    const perRound = bytes / 20 + LAMBDA_PREFIX_BYTES;
    expect(perRound).toBeLessThanOrEqual(CHECKER_LOG.bytesPerRound);
    expect(perRound).toBeGreaterThan(CHECKER_LOG.bytesPerRound * 0.9);
  });

  it('publishes as many metrics per zone as the cost estimate counts', () => {
    expect(Object.keys(METRIC)).toHaveLength(CHECKER_METRICS_PER_ZONE);
  });
});
