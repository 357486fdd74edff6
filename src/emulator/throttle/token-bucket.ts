/**
 * The service's throttle as a token bucket (issue 3, item 5): `operationsPerMinute` tokens flow
 * in continuously, the bucket holds at most `capacity` of them (one second's worth by default,
 * so the quota holds over any second and a short run cannot slip through on a full bucket), and
 * each operation takes one. Time is passed in, so the arithmetic is testable without a clock.
 */

const MILLISECONDS_PER_MINUTE = 60_000;

/** Granted, or how many milliseconds until enough tokens are back. */
export type TakeResult = { granted: true } | { granted: false; retryAfterMs: number };

/** A continuously refilled token bucket; all times in milliseconds. */
export class TokenBucket {
  readonly capacity: number;
  readonly #tokensPerMs: number;
  #tokens: number;
  #updatedAtMs: number;

  /**
   * @param operationsPerMinute refill rate, > 0
   * @param capacity most tokens held; @default one second's worth, at least 1
   * @param nowMs the current time on a monotonic clock, in milliseconds
   */
  constructor(operationsPerMinute: number, capacity: number | undefined, nowMs: number) {
    this.#tokensPerMs = operationsPerMinute / MILLISECONDS_PER_MINUTE;
    this.capacity = capacity ?? Math.max(1, Math.floor(operationsPerMinute / 60));
    this.#tokens = this.capacity;
    this.#updatedAtMs = nowMs;
  }

  /** Takes `count` tokens, or says how long until that many will be there. */
  take(count: number, nowMs: number): TakeResult {
    this.#refill(nowMs);
    // A request larger than the bucket could never pass; it waits for a full bucket instead.
    const needed = Math.min(count, this.capacity);

    if (this.#tokens >= needed) {
      this.#tokens -= needed;

      return { granted: true };
    }

    // The epsilon keeps float noise (0.98333… tokens) from rounding a 1 ms wait up to 2 ms.
    const waitMs = (needed - this.#tokens) / this.#tokensPerMs;

    return { granted: false, retryAfterMs: Math.ceil(waitMs - 1e-6) };
  }

  /** Fills the bucket up again (used by `/__emulator/reset`). */
  fill(nowMs: number): void {
    this.#tokens = this.capacity;
    this.#updatedAtMs = nowMs;
  }

  #refill(nowMs: number): void {
    const elapsedMs = Math.max(0, nowMs - this.#updatedAtMs);
    this.#tokens = Math.min(this.capacity, this.#tokens + elapsedMs * this.#tokensPerMs);
    this.#updatedAtMs = nowMs;
  }
}

/** Whole seconds for a `Retry-After` header: rounded up, never below 1. */
export function retryAfterSeconds(retryAfterMs: number): number {
  return Math.max(1, Math.ceil(retryAfterMs / 1000));
}
