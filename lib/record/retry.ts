// GitHub's API answering 5xx, 429 or its secondary rate limit (a 403 that says so) while the
// record is published: every request is tried again after a bounded, growing wait (Retry-After
// honoured up to the cap), a few times, then the error stands (ADR 0156). The sleep is
// injected: tests count the waits instead of spending them.
import type { Octokit } from './pull-request.js';

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  /** The first wait; each next one doubles, up to maxMs. */
  baseMs: number;
  maxMs: number;
  sleep: (ms: number) => Promise<void>;
  /** Told of each retry (the action's log). */
  log?: (line: string) => void;
}

/** About two minutes in all before the record step gives up and leaves it to the artifact. */
export const RECORD_RETRY: Omit<RetryPolicy, 'sleep'> = {
  attempts: 5,
  baseMs: 2000,
  maxMs: 60_000,
};

interface HttpError {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined> };
}

/** A 403 that is GitHub's rate limit (secondary, or the primary one spent), not a permission. */
export function isRateLimit(e: unknown): boolean {
  const err = e as HttpError;
  if (err.status === 429) return true;
  if (err.status !== 403) return false;
  const h = err.response?.headers ?? {};
  return /rate limit/i.test(err.message ?? '') || String(h['x-ratelimit-remaining']) === '0';
}

/** Worth another try: a server error, or a rate limit. */
export function isTransient(e: unknown): boolean {
  const s = (e as HttpError).status;
  return (s !== undefined && s >= 500) || isRateLimit(e);
}

/** The wait before try `attempt` + 1 (attempt counts from 1). */
export function delayMs(e: unknown, attempt: number, p: Omit<RetryPolicy, 'sleep'>): number {
  const after = Number((e as HttpError).response?.headers?.['retry-after']);
  const backoff = p.baseMs * 2 ** (attempt - 1);
  return Math.min(p.maxMs, Number.isFinite(after) && after > 0 ? after * 1000 : backoff);
}

/** Runs `fn`, retrying transient errors as the policy allows. */
export async function withRetry<T>(
  fn: () => Promise<T>,
  p: RetryPolicy,
  what = 'request',
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!isTransient(e) || attempt >= p.attempts) throw e;
      const ms = delayMs(e, attempt, p);
      p.log?.(
        `GitHub answered ${(e as HttpError).status} to ${what}: try ${attempt + 1} of ${p.attempts} in ${Math.round(ms / 1000)} s`,
      );
      await p.sleep(ms);
    }
  }
}

/** Every request this client makes, retried by the policy. */
export function retryRequests(octokit: Octokit, p: RetryPolicy): Octokit {
  octokit.hook.wrap('request', (request, options) =>
    withRetry(async () => request(options), p, `${options.method} ${options.url}`),
  );
  return octokit;
}
