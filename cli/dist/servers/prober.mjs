// The private host's view of the internet during a fault: a new HTTP connection to URL every
// EVERY_MS, each with TIMEOUT_MS, for at most SECONDS. Prints "ready", then one JSON line per
// probe as it ends: {"sent": epoch ms, "ok", "from": the source address the server saw, "ms"}.
// Usage: node prober.mjs URL EVERY_MS TIMEOUT_MS SECONDS
import { request } from 'node:http';
import { clearInterval, setInterval, setTimeout } from 'node:timers';

const [url, every, timeout, seconds] = process.argv.slice(2);
const until = Date.now() + Number(seconds) * 1000;
const out = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);

function probe() {
  const sent = Date.now();
  const req = request(url, { agent: false, family: 4, timeout: Number(timeout) }, (res) => {
    let body = '';
    res.on('data', (d) => (body += d));
    res.on('end', () => out({ sent, ok: true, from: body.trim(), ms: Date.now() - sent }));
    res.on('error', () => out({ sent, ok: false, ms: Date.now() - sent }));
  });
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', (e) => out({ sent, ok: false, error: e.message, ms: Date.now() - sent }));
  req.end();
}

console.log('ready');
const timer = setInterval(() => {
  if (Date.now() >= until) {
    clearInterval(timer);
    setTimeout(() => process.exit(0), Number(timeout) + 100);
    return;
  }
  probe();
}, Number(every));
