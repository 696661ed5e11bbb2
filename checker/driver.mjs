// Invokes the checker bundle the way its schedule does, for tests and the lab: import the
// module once (one sandbox), then call handler(event, context) every CHECKER_EVERY_MS, each
// with CHECKER_BUDGET_MS to run, CHECKER_INVOCATIONS times. Prints one JSON line per result.
// CHECKER_BUDGET_FROM=first-read starts each budget at the handler's first look at it instead
// of at the call, so a cold start's SDK load does not take rounds away: a test then gets the
// same number of rounds however busy the machine is.
// CHECKER_OVERLAP=1 calls every CHECKER_EVERY_MS whether or not the last call has ended, as the
// schedule does when an invocation probes past the next one's start (ADR 0096).
import { setTimeout as sleep } from 'node:timers/promises';

const bundle = process.env.CHECKER_BUNDLE ?? new URL('./dist/index.js', import.meta.url).href;
const count = Number(process.env.CHECKER_INVOCATIONS ?? 1);
const budget = Number(process.env.CHECKER_BUDGET_MS ?? 60_000);
const every = Number(process.env.CHECKER_EVERY_MS ?? 60_000);
const from = process.env.CHECKER_BUDGET_FROM ?? 'call';
const overlap = process.env.CHECKER_OVERLAP === '1';
if (
  !(count >= 1 && count <= 10_000) ||
  !(budget > 0) ||
  !(every >= 0) ||
  !['call', 'first-read'].includes(from)
) {
  console.error(
    'CHECKER_INVOCATIONS (1–10000), CHECKER_BUDGET_MS (> 0), CHECKER_EVERY_MS (≥ 0), ' +
      'CHECKER_BUDGET_FROM (call | first-read)',
  );
  process.exit(2);
}

const { handler } = await import(bundle);
let failed = 0;
async function invoke(started) {
  let since = from === 'call' ? started : undefined;
  const context = {
    getRemainingTimeInMillis: () => budget - (Date.now() - (since ??= Date.now())),
  };
  const event = {
    source: 'aws.events',
    'detail-type': 'Scheduled Event',
    time: new Date(started).toISOString(),
  };
  try {
    const result = await handler(event, context);
    process.stdout.write(`${JSON.stringify({ driver: 'result', result })}\n`);
  } catch (e) {
    failed++;
    process.stdout.write(
      `${JSON.stringify({ driver: 'error', message: String(e?.message ?? e) })}\n`,
    );
  }
}
const running = [];
for (let i = 0; i < count; i++) {
  const started = Date.now();
  const call = invoke(started);
  if (overlap) running.push(call);
  else await call;
  const wait = started + every - Date.now();
  if (i < count - 1 && wait > 0) await sleep(wait);
}
await Promise.all(running);
// The SDK's idle keep-alive sockets would hold the process open; Lambda would freeze it instead.
process.exit(failed ? 1 : 0);
