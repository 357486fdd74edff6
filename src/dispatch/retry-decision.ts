/**
 * The retry decision: one small pure function. Given the attempt just made and how it ended, it
 * says whether to try again and after how long, or to stop because the answer is final or the
 * attempts ran out. The loop that sleeps and counts lives in call-runner.ts.
 */
import { computeBackoffDelayMs, parseRetryAfterMs, type BackoffPolicy } from './backoff.js';
import type { TransportErrorCode } from '../dps/client/index.js';

/** Tunables of the decision. */
export interface RetryPolicy extends BackoffPolicy {
  /** HTTP attempts per call, the first included. @default 6 */
  maxAttempts: number;
  /** Longest Retry-After we obey, in milliseconds; longer asks are cut to this. @default 300000 */
  maxRetryAfterMs: number;
}

/** Defaults: 6 attempts, waits from up to 0.5 s doubling to at most 30 s, full jitter. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  jitter: 'full',
  maxRetryAfterMs: 300_000,
};

/** How an attempt ended, as far as the decision cares. */
export type AttemptResult =
  | { kind: 'reply'; status: number; headers: Record<string, string> }
  | { kind: 'transport-error'; code: TransportErrorCode };

/** Everything the decision looks at. */
export interface RetryInput {
  /** 1-based number of the attempt that just ended. */
  attempt: number;
  result: AttemptResult;
  /** Current time, in milliseconds since the epoch (for Retry-After dates). */
  nowMs: number;
  policy: RetryPolicy;
  /** Uniform in [0, 1); injected so tests are exact. */
  random: () => number;
}

/** Why a failure may pass if tried again. */
export type RetryReason = 'throttled' | 'server-error' | 'timeout' | 'connection';

/** What follows an attempt. */
export type RetryDecision =
  /** Try again after `delayMs`; `retryAfterMs` is set when the service asked for the wait. */
  | { kind: 'retry'; delayMs: number; reason: RetryReason; retryAfterMs?: number }
  /** The answer stands: a success, or a failure that another attempt would only repeat. */
  | { kind: 'final' }
  /** It might pass later, but the attempts are used up. */
  | { kind: 'exhausted'; reason: RetryReason };

/** 408 Request Timeout, 429 Too Many Requests, and the transient 5xx of issue 2. */
const RETRYABLE_STATUSES: ReadonlyMap<number, RetryReason> = new Map([
  [408, 'timeout'],
  [429, 'throttled'],
  [500, 'server-error'],
  [502, 'server-error'],
  [503, 'server-error'],
  [504, 'server-error'],
]);

/** TLS failures, a closed client and an oversized reply would fail the same way again. */
const RETRYABLE_TRANSPORT: ReadonlyMap<TransportErrorCode, RetryReason> = new Map([
  ['timeout', 'timeout'],
  ['connection-refused', 'connection'],
  ['connection-reset', 'connection'],
  ['connection-closed', 'connection'],
  ['dns', 'connection'],
  ['unreachable', 'connection'],
  ['network', 'connection'],
]);

function retryReasonOf(result: AttemptResult): RetryReason | undefined {
  if (result.kind === 'reply') return RETRYABLE_STATUSES.get(result.status);

  return RETRYABLE_TRANSPORT.get(result.code);
}

/** Decides what follows one attempt; pure: same input, same answer. */
export function decideRetry(input: RetryInput): RetryDecision {
  const { attempt, result, policy } = input;
  const reason = retryReasonOf(result);

  if (reason === undefined) return { kind: 'final' };

  if (attempt >= policy.maxAttempts) return { kind: 'exhausted', reason };

  const askedMs =
    result.kind === 'reply' ? parseRetryAfterMs(result.headers, input.nowMs) : undefined;

  if (askedMs !== undefined) {
    const retryAfterMs = Math.min(askedMs, policy.maxRetryAfterMs);
    return { kind: 'retry', delayMs: retryAfterMs, reason, retryAfterMs };
  }

  return { kind: 'retry', delayMs: computeBackoffDelayMs(attempt, policy, input.random), reason };
}
