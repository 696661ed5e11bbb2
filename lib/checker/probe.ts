// One probe: an HTTP request to a URL over IPv4. Any HTTP response, 4xx and 5xx included,
// proves that traffic leaves and comes back; only no answer at all is a failure.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { lookup as dnsLookup } from 'node:dns';
import type { LookupFunction } from 'node:net';

/** Time as the checker sees it; tests pass a fake one. */
export interface Clock {
  now(): number;
  /** Resolves after ms, or at once when the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const t = setTimeout(resolve, Math.max(0, ms));
      signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(t);
          resolve();
        },
        { once: true },
      );
    }),
};

/** Sends one request and resolves with the status of the answer, or rejects. */
export type HttpGet = (url: string, signal: AbortSignal) => Promise<{ status: number }>;

export type ProbeResult =
  | { url: string; ok: true; status: number; ms: number }
  | { url: string; ok: false; error: string; ms: number };

/** Resolves one host name to one IPv4 address, or rejects. */
export type Resolve = (host: string) => Promise<string>;

const resolve4: Resolve = (host) =>
  new Promise((ok, fail) =>
    dnsLookup(host, { family: 4 }, (e, address) => (e ? fail(e) : ok(address))),
  );

/**
 * Name resolution beside the probe, not in front of it: the VPC's resolver is not behind the
 * NAT, so a slow or failing lookup says nothing about the NAT and must not fail a round. A
 * probe connects to the last address the resolver gave for its host at once and starts one
 * lookup (at most one per host at a time) that refreshes it; only a host never resolved
 * waits for its lookup.
 */
export function cachedLookup(resolve: Resolve = resolve4): LookupFunction {
  const known = new Map<string, string>();
  const pending = new Map<string, Promise<string>>();
  const refresh = (host: string) => {
    let p = pending.get(host);
    if (!p) {
      p = resolve(host).then((a) => {
        known.set(host, a);
        return a;
      });
      const forget = () => pending.delete(host);
      p.then(forget, forget);
      pending.set(host, p);
    }
    return p;
  };
  return (host, options, callback) => {
    const answer = (address: string) =>
      options.all ? callback(null, [{ address, family: 4 }]) : callback(null, address, 4);
    const last = known.get(host);
    const fresh = refresh(host);
    if (last !== undefined) {
      fresh.catch(() => undefined);
      return answer(last);
    }
    fresh.then(answer, (e: NodeJS.ErrnoException) => callback(e, '', 4));
  };
}

const lookup = cachedLookup();

/** Starts resolving the URLs' host names (at INIT, beside the SDK load); never rejects. */
export function warmNames(urls: readonly string[]): void {
  for (const u of urls) {
    const host = new URL(u).hostname;
    if (/^[\d.]+$/.test(host)) continue;
    lookup(host, { family: 4 }, () => undefined);
  }
}

/**
 * The real request: HEAD over IPv4 on a fresh connection (no keep-alive, so every probe
 * proves a new flow through the NAT, handshake included); the address from cachedLookup.
 */
export const httpGet: HttpGet = (url, signal) =>
  new Promise((resolve, reject) => {
    const u = new URL(url);
    const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      u,
      {
        method: 'HEAD',
        family: 4,
        agent: false,
        lookup,
        signal,
        headers: { 'user-agent': 'natfleet-checker' },
      },
      (res) => {
        resolve({ status: res.statusCode ?? 0 });
        res.destroy();
      },
    );
    req.on('error', reject);
    req.end();
  });

export async function probeUrl(
  get: HttpGet,
  clock: Clock,
  url: string,
  timeoutMs: number,
): Promise<ProbeResult> {
  const started = clock.now();
  const abort = new AbortController();
  const timer = new AbortController();
  const timedOut = clock.sleep(timeoutMs, timer.signal).then(() => 'timeout' as const);
  try {
    const answer = await Promise.race([get(url, abort.signal), timedOut]);
    const ms = clock.now() - started;
    if (answer === 'timeout') return { url, ok: false, error: `no answer in ${timeoutMs} ms`, ms };
    return { url, ok: true, status: answer.status, ms };
  } catch (e) {
    return { url, ok: false, error: errorText(e), ms: clock.now() - started };
  } finally {
    timer.abort();
    abort.abort();
  }
}

function errorText(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${e.message}` : e.message;
  }
  return String(e);
}
