// A TCP relay between two endpoints, each "HOST:PORT" or a unix socket path. Unix sockets are
// not tied to a network namespace: a relay inside the lab's ctl namespace lets the lab's own
// process reach a server there (moto_server) without any route into the lab.
// Usage: node forward.mjs LISTEN TARGET      (prints "ready" once listening)
import { rmSync } from 'node:fs';
import { relayServer } from './relay.mjs';

const [listen, target] = process.argv.slice(2);
const where = (s) => {
  const m = /^([\d.]+):(\d+)$/.exec(s ?? '');
  return m ? { host: m[1], port: Number(m[2]) } : { path: s };
};
if (!listen || !target) {
  console.error('usage: node forward.mjs LISTEN TARGET');
  process.exit(2);
}
const to = where(target);
const server = relayServer(to);
const at = where(listen);
if (at.path) rmSync(at.path, { force: true });
server.listen(at, () => console.log('ready'));
