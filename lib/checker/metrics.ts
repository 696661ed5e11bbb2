// CloudWatch embedded metrics (EMF lines on stdout): namespace natfleet, dimensions
// Environment and Zone only, so that each zone costs a fixed, small number of metrics.
// One document per round carries every probe's values: the line count per round does not grow
// with the number of URLs (docs/cost.md counts these lines).
import { createMetricsLogger, StorageResolution, Unit } from 'aws-embedded-metrics';
import type { CheckerMetrics } from './invocation.js';
import { METRICS, METRIC_NAMES } from '../names.js';

export const NAMESPACE = METRICS.namespace;
export const METRIC = METRIC_NAMES;

export function emfMetrics(environment: string, zone: string): CheckerMetrics {
  const emit = async (
    metrics: [string, number, Unit][],
    properties: Record<string, unknown> = {},
  ) => {
    const m = createMetricsLogger();
    m.setNamespace(NAMESPACE);
    m.setDimensions({
      [METRICS.dimensions.environment]: environment,
      [METRICS.dimensions.zone]: zone,
    });
    // A name put twice keeps both values (an EMF value array): each is one sample.
    for (const [name, value, unit] of metrics)
      m.putMetric(name, value, unit, StorageResolution.Standard);
    for (const [k, v] of Object.entries(properties)) m.setProperty(k, v);
    await m.flush();
  };
  return {
    round: (r) =>
      emit(
        [
          ...r.probes.map((p): [string, number, Unit] => [
            METRIC.probeSuccess,
            p.ok ? 1 : 0,
            Unit.Count,
          ]),
          ...r.probes.flatMap((p): [string, number, Unit][] =>
            p.ok ? [[METRIC.probeLatency, p.ms, Unit.Milliseconds]] : [],
          ),
          [METRIC.failedRounds, r.ok ? 0 : 1, Unit.Count],
        ],
        { Round: r.round, ConsecutiveFailures: r.consecutiveFailures },
      ),
    mode: (mode) =>
      emit([[METRIC.onInstance, mode === 'instance' ? 1 : 0, Unit.None]], { Mode: mode }),
    failoverStarted: () => emit([[METRIC.failoversStarted, 1, Unit.Count]]),
  };
}
