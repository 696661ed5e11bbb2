// Long-lived connections from a private host: COUNT TCP connections to the echo server, each
// sending a line every EVERY_MS until SIGTERM (or SECONDS at most). Prints "ready" once all
// are open, then at the end one JSON line per connection: {"conn", "ok": still echoing at the end, "error"?: why it
// ended early (ECONNRESET, closed, …), "maxGapMs": the longest wait for an echo, "echoes"}.
// Usage: node long-lived.mjs ADDR PORT COUNT EVERY_MS SECONDS
import { connect } from 'node:net';
import { clearInterval, setInterval, setTimeout } from 'node:timers';

const [addr, port, count, every, seconds] = process.argv.slice(2);
const EVERY = Number(every);
// No echo for this long at the end: the connection is stuck (its packets go nowhere).
const STUCK_MS = Math.max(2_000, 10 * EVERY);
const conns = [];

function open(i) {
  return new Promise((resolve) => {
    const c = { conn: i, echoes: 0, last: 0, maxGapMs: 0, sentAt: 0, error: undefined };
    const s = connect({ host: addr, port: Number(port), family: 4 }, () => {
      c.last = Date.now();
      resolve(c);
    });
    s.setNoDelay(true);
    let buf = '';
    s.on('data', (d) => {
      buf += d;
      const lines = buf.split('\n');
      buf = lines.pop();
      const now = Date.now();
      if (lines.length) {
        c.maxGapMs = Math.max(c.maxGapMs, now - c.last);
        c.last = now;
        c.echoes += lines.length;
      }
    });
    s.on('error', (e) => (c.error ??= e.code ?? e.message));
    s.on('close', () => {
      c.error ??= 'closed';
      resolve(c);
    });
    c.socket = s;
  });
}

const started = Date.now();
for (let i = 0; i < Number(count); i++) conns.push(await open(i));
if (conns.some((c) => c.error)) {
  console.error(`could not open every connection: ${conns.map((c) => c.error).join(', ')}`);
  process.exit(1);
}
console.log('ready');
const timer = setInterval(() => {
  for (const c of conns) if (!c.error) c.socket.write(`${Date.now()}\n`);
}, EVERY);
function end() {
  clearInterval(timer);
  const now = Date.now();
  for (const c of conns) {
    const gap = now - c.last;
    const stuck = !c.error && gap > STUCK_MS;
    const out = {
      conn: c.conn,
      ok: !c.error && !stuck,
      ...(c.error ? { error: c.error } : stuck ? { error: `no echo for ${gap} ms` } : {}),
      maxGapMs: Math.max(c.maxGapMs, c.error ? 0 : gap),
      echoes: c.echoes,
    };
    process.stdout.write(`${JSON.stringify(out)}\n`);
    c.socket.destroy();
  }
  process.exit(0);
}
setTimeout(end, Math.max(0, Number(seconds) * 1000 - (Date.now() - started)));
process.on('SIGTERM', end);
