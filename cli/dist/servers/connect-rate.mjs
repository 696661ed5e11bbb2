// New-connection rate: WORKERS loops, each opening a TCP connection to HOST:PORT, waiting
// for the server to close it, and opening the next, for SECONDS. Prints connections/second.
// Usage: node connect-rate.mjs HOST PORT SECONDS WORKERS
import { connect } from 'node:net';

const [host, port, seconds, workers] = process.argv.slice(2);
const until = Date.now() + Number(seconds) * 1000;
let done = 0;
let failed = 0;

function one() {
  return new Promise((resolve) => {
    const s = connect({ host, port: Number(port) });
    s.setTimeout(2000, () => s.destroy(new Error('timeout')));
    s.on('error', () => {
      failed++;
      resolve();
    });
    s.on('close', (hadError) => {
      if (!hadError) done++;
      resolve();
    });
    s.resume();
  });
}

async function worker() {
  while (Date.now() < until) await one();
}

const started = Date.now();
await Promise.all(Array.from({ length: Number(workers) }, worker));
const elapsed = (Date.now() - started) / 1000;
console.log(JSON.stringify({ perSecond: done / elapsed, done, failed }));
