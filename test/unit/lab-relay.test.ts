// The lab's one TCP relay (lab/servers/relay.mjs), to a server on loopback and to a unix socket.
import { afterEach, describe, expect, it } from '@jest/globals';
import { connect, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { relayServer } from '../../lab/servers/relay.mjs';
import { tempDir } from '../helpers.js';

const open: Server[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => new Promise((r) => s.close(r))));
});

const listen = (s: Server, at: { port: number; host: string } | { path: string }) =>
  new Promise<void>((resolve) => {
    open.push(s);
    s.listen(at, () => resolve());
  });
const portOf = (s: Server) => (s.address() as { port: number }).port;

/** Sends `text` through the relay at `port` and resolves with what comes back before close. */
const roundTrip = (port: number, text: string) =>
  new Promise<string>((resolve, reject) => {
    let got = '';
    const c = connect(port, '127.0.0.1', () => c.write(text));
    c.on('data', (d) => (got += d));
    c.on('close', () => resolve(got));
    c.on('error', reject);
  });

// Answers the first bytes of each connection upper-cased, then closes (as HTTP does, no half
// close: the relay, like the servers it stands for, does not keep one).
const upper = () => createServer((c) => c.once('data', (d) => c.end(String(d).toUpperCase())));

describe('relayServer', () => {
  it('carries both directions to a TCP target', async () => {
    const target = upper();
    await listen(target, { port: 0, host: '127.0.0.1' });
    const relay = relayServer({ host: '127.0.0.1', port: portOf(target) });
    await listen(relay, { port: 0, host: '127.0.0.1' });
    expect(await roundTrip(portOf(relay), 'via tcp')).toBe('VIA TCP');
  });

  it('carries both directions to a unix socket', async () => {
    const path = join(tempDir('natfleet-relay-'), 's.sock');
    await listen(upper(), { path });
    const relay = relayServer({ path });
    await listen(relay, { port: 0, host: '127.0.0.1' });
    expect(await roundTrip(portOf(relay), 'via unix')).toBe('VIA UNIX');
  });

  it('closes the client when the target cannot be reached', async () => {
    const gone = createServer();
    await listen(gone, { port: 0, host: '127.0.0.1' });
    const port = portOf(gone);
    await new Promise((r) => gone.close(r));
    open.splice(open.indexOf(gone), 1);
    const relay = relayServer({ host: '127.0.0.1', port });
    await listen(relay, { port: 0, host: '127.0.0.1' });
    expect(await roundTrip(portOf(relay), 'nobody')).toBe('');
  });
});
