/**
 * Waiting times between attempts: capped exponential backoff with jitter, and the service's own
 * `Retry-After` (RFC 9110 section 10.2.3: delay-seconds or an HTTP date), plus the millisecond
 * variants Azure services send (`retry-after-ms`, `x-ms-retry-after-ms`).
 */

/**
 * - `full`: a uniform wait between 0 and the exponential ceiling (spreads retries the most);
 * - `equal`: half the ceiling plus a uniform wait up to the other half (never retries at once).
 */
export type JitterKind = 'full' | 'equal';

/** The backoff curve. */
export interface BackoffPolicy {
  /** Ceiling of the first retry's wait, in milliseconds; doubles with each attempt. */
  baseDelayMs: number;
  /** Largest ceiling, in milliseconds. */
  maxDelayMs: number;
  jitter: JitterKind;
}

/**
 * Wait before retry number `attempt` (1 = the wait after the first attempt failed), in whole
 * milliseconds. `random` returns a number in [0, 1), like Math.random.
 */
export function computeBackoffDelayMs(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number,
): number {
  const exponent = Math.max(0, attempt - 1);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);

  if (policy.jitter === 'equal') return Math.floor(ceiling / 2 + random() * (ceiling / 2));

  return Math.floor(random() * ceiling);
}

/**
 * The wait a reply asks for, in milliseconds, or undefined when it asks for none (or says
 * something unreadable). An HTTP date in the past means "now": 0.
 */
export function parseRetryAfterMs(
  headers: Record<string, string>,
  nowMs: number,
): number | undefined {
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const value = headers[name]?.trim();
    if (value !== undefined && /^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value));
  }

  const value = headers['retry-after']?.trim();
  if (value === undefined || value === '') return undefined;

  if (/^\d+$/.test(value)) return Number(value) * 1_000;

  // An HTTP date names its weekday or month; bare numbers like "-3" are not dates.
  const date = /[A-Za-z]/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(date)) return undefined;

  return Math.max(0, date - nowMs);
}
