import { describe, expect, it } from 'vitest';

import { computeBackoffDelayMs, parseRetryAfterMs } from '../../src/dispatch/backoff.js';
import {
  decideRetry,
  DEFAULT_RETRY_POLICY,
  type AttemptResult,
  type RetryInput,
} from '../../src/dispatch/retry-decision.js';

const NOW_MS = Date.parse('2026-01-15T08:00:00Z');

function reply(status: number, headers: Record<string, string> = {}): AttemptResult {
  return { kind: 'reply', status, headers };
}

function decide(result: AttemptResult, attempt = 1, random = () => 0.5) {
  const policy = DEFAULT_RETRY_POLICY;
  const input: RetryInput = { attempt, result, nowMs: NOW_MS, policy, random };
  return decideRetry(input);
}

describe('decideRetry', () => {
  it.each([200, 204, 400, 401, 403, 404, 405, 409, 412, 413, 415, 501])(
    'treats HTTP %i as final on the first attempt',
    (status) => {
      expect(decide(reply(status))).toEqual({ kind: 'final' });
    },
  );

  it.each([
    [408, 'timeout'],
    [429, 'throttled'],
    [500, 'server-error'],
    [502, 'server-error'],
    [503, 'server-error'],
    [504, 'server-error'],
  ] as const)('retries HTTP %i as %s with backoff', (status, reason) => {
    // Attempt 1, full jitter, random 0.5: half of the 500 ms ceiling.
    expect(decide(reply(status))).toEqual({ kind: 'retry', delayMs: 250, reason });
  });

  it.each([
    ['timeout', 'timeout'],
    ['connection-reset', 'connection'],
    ['connection-closed', 'connection'],
    ['connection-refused', 'connection'],
    ['dns', 'connection'],
    ['network', 'connection'],
  ] as const)('retries the transport error %s as %s', (code, reason) => {
    expect(decide({ kind: 'transport-error', code }, 2)).toEqual({
      kind: 'retry',
      delayMs: 500,
      reason,
    });
  });

  it.each(['tls', 'client-closed', 'response-too-large'] as const)(
    'never retries the transport error %s',
    (code) => {
      expect(decide({ kind: 'transport-error', code })).toEqual({ kind: 'final' });
    },
  );

  it('waits exactly the seconds of Retry-After on a 429', () => {
    expect(decide(reply(429, { 'retry-after': '3' }))).toEqual({
      kind: 'retry',
      delayMs: 3_000,
      reason: 'throttled',
      retryAfterMs: 3_000,
    });
  });

  it('waits until the HTTP date of Retry-After', () => {
    const date = new Date(NOW_MS + 7_000).toUTCString();

    expect(decide(reply(503, { 'retry-after': date }))).toMatchObject({
      kind: 'retry',
      delayMs: 7_000,
      retryAfterMs: 7_000,
    });
  });

  it('caps a Retry-After longer than the policy allows', () => {
    expect(decide(reply(429, { 'retry-after': '86400' }))).toMatchObject({ delayMs: 300_000 });
  });

  it('falls back to backoff when Retry-After is unreadable', () => {
    expect(decide(reply(429, { 'retry-after': 'soon' }))).toEqual({
      kind: 'retry',
      delayMs: 250,
      reason: 'throttled',
    });
  });

  it('gives up as exhausted when the last allowed attempt fails retryably', () => {
    expect(decide(reply(503), 6)).toEqual({ kind: 'exhausted', reason: 'server-error' });
    expect(decide(reply(503), 5)).toMatchObject({ kind: 'retry' });
  });

  it('reports a final answer as final even on the last attempt', () => {
    expect(decide(reply(400), 6)).toEqual({ kind: 'final' });
  });
});

describe('computeBackoffDelayMs', () => {
  const policy = { baseDelayMs: 500, maxDelayMs: 30_000, jitter: 'full' as const };

  it('doubles the ceiling with each attempt up to the cap', () => {
    const ceilings = [1, 2, 3, 4, 5, 6, 7, 8].map((attempt) =>
      computeBackoffDelayMs(attempt, policy, () => 0.999_999),
    );

    expect(ceilings).toEqual([499, 999, 1_999, 3_999, 7_999, 15_999, 29_999, 29_999]);
  });

  it('draws full jitter from zero to the ceiling', () => {
    expect(computeBackoffDelayMs(3, policy, () => 0)).toBe(0);
    expect(computeBackoffDelayMs(3, policy, () => 0.25)).toBe(500);
  });

  it('keeps at least half the ceiling with equal jitter', () => {
    const equal = { ...policy, jitter: 'equal' as const };

    expect(computeBackoffDelayMs(3, equal, () => 0)).toBe(1_000);
    expect(computeBackoffDelayMs(3, equal, () => 0.5)).toBe(1_500);
  });
});

describe('parseRetryAfterMs', () => {
  it('reads the millisecond headers before Retry-After', () => {
    expect(parseRetryAfterMs({ 'retry-after-ms': '1500', 'retry-after': '9' }, NOW_MS)).toBe(1_500);
    expect(parseRetryAfterMs({ 'x-ms-retry-after-ms': '20' }, NOW_MS)).toBe(20);
  });

  it('reads a date in the past as no wait', () => {
    const past = new Date(NOW_MS - 60_000).toUTCString();
    expect(parseRetryAfterMs({ 'retry-after': past }, NOW_MS)).toBe(0);
  });

  it('returns undefined when no header asks for a wait', () => {
    expect(parseRetryAfterMs({}, NOW_MS)).toBeUndefined();
    expect(parseRetryAfterMs({ 'retry-after': '-3' }, NOW_MS)).toBeUndefined();
  });
});
