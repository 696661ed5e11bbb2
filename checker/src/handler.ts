// The connectivity checker Lambda: one zone, one invocation per minute (EventBridge).
// Configuration is read at cold start; when it is bad, every invocation fails naming it.
import { EC2Client } from '@aws-sdk/client-ec2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';
import { fallbackView, readZoneMode, startExecution } from '../../lib/checker/aws.js';
import { runInvocation, type InvocationSummary } from '../../lib/checker/invocation.js';
import { emfMetrics } from '../../lib/checker/metrics.js';
import { httpGet, realClock } from '../../lib/checker/probe.js';
import { readSettings, type CheckerSettings } from '../../lib/checker/settings.js';

interface LambdaContext {
  getRemainingTimeInMillis(): number;
}

let settings: CheckerSettings | undefined;
let problem: Error | undefined;
try {
  settings = readSettings(process.env);
} catch (e) {
  problem = e instanceof Error ? e : new Error(String(e));
  console.error(problem.message);
}

// Short timeouts: a dead NAT must not hold up a round or the failover call.
const ec2 = new EC2Client({
  maxAttempts: 2,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 },
});
const sfn = new SFNClient({
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 },
});
const ssm = new SSMClient({
  maxAttempts: 2,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 },
});

export async function handler(_event: unknown, context: LambdaContext): Promise<InvocationSummary> {
  if (!settings) throw problem;
  const s = settings;
  return runInvocation(
    s,
    {
      clock: realClock,
      get: httpGet,
      readMode: () => readZoneMode(ec2, s.routeTables),
      startExecution: (arn, name, input) => startExecution(sfn, arn, name, input),
      metrics: emfMetrics(s.environment, s.zone),
      log: (line) => process.stdout.write(`${JSON.stringify(line)}\n`),
      ...(s.autoFallback
        ? { fallback: fallbackView(ec2, ssm, s.environment, s.zone, s.urls) }
        : {}),
    },
    () => context.getRemainingTimeInMillis(),
  );
}
