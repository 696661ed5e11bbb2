// The lab's one TCP relay: every connection to the returned server is piped to `target` (a
// {host, port} or a {path} of a unix socket); either side closing or failing closes both.
import { connect, createServer } from 'node:net';

export function relayServer(target) {
  return createServer((c) => {
    const up = connect(target);
    const close = () => {
      c.destroy();
      up.destroy();
    };
    c.on('error', close);
    up.on('error', close);
    c.pipe(up).pipe(c);
  });
}
