// Two "web sites" on the lab's internet host for the checker's false-failover study: one HTTP
// server per port, each behaving as MODE_FILE says at each request ({"<port>": mode}):
//   ok      answers at once
//   dead    accepts the connection and never answers (a site that is down)
//   slow    answers after 1–3 s (uniformly random)
//   flap    down 0.5–2 s, up 2–8 s, each site on its own random clock
// Usage: node sites.mjs ADDR MODE_FILE PORT...
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { setTimeout } from 'node:timers';

const [addr, modeFile, ...ports] = process.argv.slice(2);
const between = (lo, hi) => lo + Math.random() * (hi - lo);
let modes = {};
let readAt = 0;
const modeOf = (port) => {
  if (Date.now() - readAt > 100) {
    try {
      modes = JSON.parse(readFileSync(modeFile, 'utf8'));
    } catch {
      modes = {};
    }
    readAt = Date.now();
  }
  return modes[port] ?? 'ok';
};
let listening = 0;
for (const port of ports) {
  // The flapping clock runs all the time; it only matters while the mode is "flap".
  let up = true;
  const flip = () => {
    up = !up;
    setTimeout(flip, up ? between(2000, 8000) : between(500, 2000));
  };
  setTimeout(flip, between(2000, 8000));
  createServer((req, res) => {
    const mode = modeOf(port);
    if (mode === 'dead' || (mode === 'flap' && !up)) return; // never answers
    const answer = () => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    if (mode === 'slow') setTimeout(answer, between(1000, 3000));
    else answer();
  }).listen(Number(port), addr, () => {
    if (++listening === ports.length) console.log('ready');
  });
}
