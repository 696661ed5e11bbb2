// Flows through a NAT, run in a private namespace: LONG long-lived connections to an echo
// server, each a ping-pong every INTERVAL ms, and a new connection every INTERVAL ms to a port
// that closes at once. Prints "ready" once the long-lived ones are up; on "stop" (stdin) stops
// opening, lets the ones in flight finish (bounded), prints one JSON line and exits.
// A long-lived connection is "stalled" when it has had no answer for STALLED_MS at the end.
// Usage: node flows.mjs HOST ECHO_PORT CLOSE_PORT LONG INTERVAL_MS
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { clearInterval, setInterval, setTimeout } from 'node:timers';
import { createInterface } from 'node:readline';

const [host, echoPort, closePort, long, interval] = process.argv.slice(2);
const every = Number(interval);
const NEW_TIMEOUT_MS = 8000;
const STALLED_MS = 3000;
const now = () => performance.now();

const flows = [];
function longLived() {
  return new Promise((resolve, reject) => {
    const f = { state: 'connecting', last: 0, maxGap: 0, replies: 0 };
    const s = connect({ host, port: Number(echoPort) });
    s.setNoDelay(true);
    const ping = () => s.write('ping\n');
    s.on('connect', () => {
      f.state = 'alive';
      f.last = now();
      flows.push(f);
      ping();
      resolve();
    });
    s.on('data', () => {
      const t = now();
      f.maxGap = Math.max(f.maxGap, t - f.last);
      f.last = t;
      f.replies++;
      setTimeout(ping, every);
    });
    s.on('error', (e) => {
      if (f.state === 'connecting') return reject(e);
      f.state = 'reset';
      f.error = e.code;
    });
    s.on('close', () => {
      if (f.state === 'alive') f.state = 'closed';
    });
    f.socket = s;
  });
}

const fresh = { attempts: 0, ok: 0, failed: 0, maxMs: 0, errors: {} };
let inFlight = 0;
function newConnection() {
  fresh.attempts++;
  inFlight++;
  const t0 = now();
  const s = connect({ host, port: Number(closePort) });
  let failed = false;
  s.setTimeout(NEW_TIMEOUT_MS, () =>
    s.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })),
  );
  s.on('connect', () => (fresh.maxMs = Math.max(fresh.maxMs, now() - t0)));
  s.on('error', (e) => {
    failed = true;
    fresh.errors[e.code] = (fresh.errors[e.code] ?? 0) + 1;
  });
  s.on('close', () => {
    inFlight--;
    if (failed) fresh.failed++;
    else fresh.ok++;
  });
  s.resume();
}

await Promise.all(Array.from({ length: Number(long) }, longLived));
const opener = setInterval(newConnection, every);
console.log('ready');

// "stop [SETTLE_MS]": also wait (up to SETTLE_MS) until no long-lived connection is waiting
// for an answer: each has been answered again or has ended.
const waiting = () => flows.some((f) => f.state === 'alive' && now() - f.last > STALLED_MS);
createInterface({ input: process.stdin }).on('line', async (line) => {
  const [word, settle] = line.trim().split(/\s+/);
  if (word !== 'stop') return;
  clearInterval(opener);
  for (let i = 0; i < NEW_TIMEOUT_MS / 100 + 10 && inFlight > 0; i++)
    await new Promise((r) => setTimeout(r, 100));
  for (let i = 0; i < Number(settle ?? 0) / 100 && waiting(); i++)
    await new Promise((r) => setTimeout(r, 100));
  const t = now();
  const count = (state) => flows.filter((f) => f.state === state).length;
  const stalled = flows.filter((f) => f.state === 'alive' && t - f.last > STALLED_MS).length;
  console.log(
    JSON.stringify({
      long: flows.length,
      alive: count('alive') - stalled,
      reset: count('reset') + count('closed'),
      stalled,
      maxGapMs: Math.round(Math.max(0, ...flows.map((f) => f.maxGap)) - every),
      resetErrors: [...new Set(flows.filter((f) => f.error).map((f) => f.error))],
      fresh: { ...fresh, maxMs: Math.round(fresh.maxMs) },
    }),
  );
  for (const f of flows) f.socket.destroy();
  process.exit(0);
});
