// Which GitHub answers the record retries, and how long it waits: bounded, doubling, capped,
// Retry-After honoured up to the cap. The sleep is injected and only counts.
import { describe, expect, it } from '@jest/globals';
import {
  delayMs,
  isRateLimit,
  isTransient,
  withRetry,
  RECORD_RETRY,
} from '../../lib/record/retry.js';

const err = (status: number, message = '', headers: Record<string, string> = {}) =>
  Object.assign(new Error(message), { status, response: { headers } });

describe('the record retry', () => {
  it('retries server errors and rate limits, not permissions or bad requests', () => {
    for (const s of [500, 502, 503, 504]) expect(isTransient(err(s))).toBe(true);
    expect(isTransient(err(429))).toBe(true);
    expect(isRateLimit(err(403, 'You have exceeded a secondary rate limit'))).toBe(true);
    expect(isRateLimit(err(403, 'API rate limit exceeded'))).toBe(true);
    expect(isRateLimit(err(403, 'x', { 'x-ratelimit-remaining': '0' }))).toBe(true);
    expect(isTransient(err(403, 'Resource not accessible by integration'))).toBe(false);
    for (const s of [400, 401, 404, 409, 422]) expect(isTransient(err(s))).toBe(false);
    expect(isTransient(new Error('socket hang up'))).toBe(false);
  });

  it('waits 2, 4, 8, 16 s, at most 60 s, or what Retry-After says up to that', () => {
    expect([1, 2, 3, 4, 5, 6].map((a) => delayMs(err(502), a, RECORD_RETRY))).toEqual([
      2000, 4000, 8000, 16000, 32000, 60000,
    ]);
    expect(delayMs(err(429, '', { 'retry-after': '3' }), 1, RECORD_RETRY)).toBe(3000);
    expect(delayMs(err(429, '', { 'retry-after': '3600' }), 1, RECORD_RETRY)).toBe(60000);
    expect(delayMs(err(429, '', { 'retry-after': 'soon' }), 2, RECORD_RETRY)).toBe(4000);
  });

  it('gives up after its attempts with the last error, and stops at once on a permanent one', async () => {
    const sleeps: number[] = [];
    const p = { ...RECORD_RETRY, sleep: async (ms: number) => void sleeps.push(ms) };
    let calls = 0;
    await expect(
      withRetry(async () => {
        calls++;
        throw err(503, `down ${calls}`);
      }, p),
    ).rejects.toThrow(`down ${RECORD_RETRY.attempts}`);
    expect([calls, sleeps]).toEqual([RECORD_RETRY.attempts, [2000, 4000, 8000, 16000]]);
    calls = 0;
    await expect(
      withRetry(async () => {
        calls++;
        throw err(404, 'Not Found');
      }, p),
    ).rejects.toThrow('Not Found');
    expect(calls).toBe(1);
    let n = 0;
    expect(await withRetry(async () => (++n < 3 ? Promise.reject(err(500)) : 'ok'), p)).toBe('ok');
  });
});
