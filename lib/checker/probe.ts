// One probe: an HTTP request to a URL over IPv4. Any HTTP response, 4xx and 5xx included,
// proves that traffic leaves and comes back; only no answer at all is a failure.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

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

/**
 * The real request: HEAD over IPv4 on a fresh connection (no keep-alive, so every probe
 * proves a new flow through the NAT, DNS and handshake included).
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
