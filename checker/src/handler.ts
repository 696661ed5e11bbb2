// The connectivity checker Lambda: one zone, one invocation per minute (EventBridge).
// Configuration is read at cold start; when it is bad, every invocation fails naming it. The
// AWS SDK loads at the start of the first invocation, before its first round (ADR 0045).
import { fallbackView, readZoneMode, startExecution } from '../../lib/checker/aws.js';
import { runInvocation, type InvocationSummary } from '../../lib/checker/invocation.js';
import { emfMetrics } from '../../lib/checker/metrics.js';
import { httpGet, realClock, warmNames } from '../../lib/checker/probe.js';
import { readSettings, type CheckerSettings } from '../../lib/checker/settings.js';
import { loadCheckerSdk, type CheckerSdk } from '../../lib/checker/sdk.js';

interface LambdaContext {
  getRemainingTimeInMillis(): number;
}

let settings: CheckerSettings | undefined;
let problem: Error | undefined;
try {
  settings = readSettings(process.env);
  // The first round then rarely waits on the resolver (names are resolved beside probes).
  warmNames(settings.urls);
} catch (e) {
  problem = e instanceof Error ? e : new Error(String(e));
  console.error(problem.message);
}

let sdk: CheckerSdk | undefined;

export async function handler(_event: unknown, context: LambdaContext): Promise<InvocationSummary> {
  if (!settings) throw problem;
  const s = settings;
  // Here, not during a round: a require blocks the event loop and would delay probe answers.
  const aws = (sdk ??= loadCheckerSdk(s.statesEndpoint));
  return runInvocation(
    s,
    {
      clock: realClock,
      get: httpGet,
      readMode: () => readZoneMode(aws, s.routeTables),
      startExecution: (arn, name, input) => startExecution(aws, arn, name, input),
      metrics: emfMetrics(s.environment, s.zone),
      log: (line) => process.stdout.write(`${JSON.stringify(line)}\n`),
      ...(s.autoFallback ? { fallback: fallbackView(aws, s.environment, s.zone, s.urls) } : {}),
    },
    () => context.getRemainingTimeInMillis(),
  );
}
