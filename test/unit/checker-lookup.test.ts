// Name resolution beside the probe: a slow or failing resolver never holds a probe up once
// the host has been resolved, and at most one lookup per host is in flight.
import { describe, expect, it } from '@jest/globals';
import type { LookupAddress } from 'node:dns';
import { cachedLookup, type Resolve } from '../../lib/checker/probe.js';

/** A resolver whose answers the test releases one by one. */
function heldResolver() {
  const asked: { host: string; answer(a: string): void; fail(e: Error): void }[] = [];
  const resolve: Resolve = (host) =>
    new Promise((ok, fail) => asked.push({ host, answer: ok, fail }));
  return { resolve, asked };
}

type Got = { err: NodeJS.ErrnoException | null; address: string | LookupAddress[] };
const ask = (lookup: ReturnType<typeof cachedLookup>, host: string, all = false) =>
  new Promise<Got>((r) =>
    lookup(host, { family: 4, all }, (err, address) => r({ err, address: address as never })),
  );
const tick = () => new Promise((r) => setImmediate(r));

describe('cachedLookup', () => {
  it('waits for the first answer of a host, then answers at once from the last one', async () => {
    const dns = heldResolver();
    const lookup = cachedLookup(dns.resolve);
    const first = ask(lookup, 'a.example');
    await tick();
    expect(dns.asked.map((q) => q.host)).toEqual(['a.example']);
    dns.asked[0]!.answer('192.0.2.1');
    expect(await first).toEqual({ err: null, address: '192.0.2.1' });

    // The resolver now never answers: the probe still gets the last address, at once.
    const second = await ask(lookup, 'a.example');
    expect(second).toEqual({ err: null, address: '192.0.2.1' });
    expect(dns.asked).toHaveLength(2); // the refresh went out beside it
    // Many probes while that refresh hangs: no pile of lookups behind a slow resolver.
    for (let i = 0; i < 5; i++) await ask(lookup, 'a.example');
    expect(dns.asked).toHaveLength(2);
    dns.asked[1]!.answer('192.0.2.7');
    await tick();
    expect(await ask(lookup, 'a.example', true)).toEqual({
      err: null,
      address: [{ address: '192.0.2.7', family: 4 }],
    });
  });

  it('keeps the last address when a refresh fails; a host never resolved gets the error', async () => {
    const dns = heldResolver();
    const lookup = cachedLookup(dns.resolve);
    const a = ask(lookup, 'a.example');
    await tick();
    dns.asked[0]!.answer('192.0.2.1');
    await a;
    await ask(lookup, 'a.example');
    dns.asked[1]!.fail(Object.assign(new Error('queryA ETIMEOUT a.example'), { code: 'ETIMEOUT' }));
    await tick();
    expect((await ask(lookup, 'a.example')).address).toBe('192.0.2.1');

    const b = ask(lookup, 'b.example');
    await tick();
    const q = dns.asked.find((x) => x.host === 'b.example')!;
    q.fail(Object.assign(new Error('getaddrinfo ENOTFOUND b.example'), { code: 'ENOTFOUND' }));
    const got = await b;
    expect(got.err?.code).toBe('ENOTFOUND');
  });
});
