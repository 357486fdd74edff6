/**
 * The rate governor (issue 6 item 1): when each HTTP call (one DPS operation) may start.
 *
 * - With a known quota (`operationsPerMinute`) it is a smooth pacer: calls are spread evenly,
 *   with at most a quarter second's worth at once, so the service's own bucket stays nearly full
 *   and absorbs network jitter instead of answering 429.
 * - Without one it adapts: it starts at one provisioning unit's quota, doubles while nothing
 *   pushes back (slow start), cuts the rate on a 429 (multiplicative decrease, from the rate it
 *   really sent at), then climbs back after quiet periods: quickly to just under the rate that
 *   was refused, then in small additive steps past it.
 * - In both modes a `Retry-After` on a 429 pauses every call, not only the one refused.
 *
 * Pacing is a generic cell rate algorithm: `#nextAtMs` is when the next call would be due at an
 * even pace, and a call may go up to the burst allowance earlier. Pure logic: time comes in as
 * arguments; the one async helper, waitForTurn, only sleeps what reserve() computed.
 */
import { DEFAULT_OPERATIONS_PER_MINUTE_PER_UNIT } from '../dps/contract/index.js';
import { OperationWindow } from './operation-window.js';
import { sleep } from './sleep.js';

/** Burst allowed by the fixed pacer, in seconds of quota. */
export const FIXED_BURST_SECONDS = 0.25;
/** Burst allowed by the adaptive governor, in seconds of its current rate. */
export const ADAPTIVE_BURST_SECONDS = 1;
/** Where the adaptive governor starts: one provisioning unit's quota, operations per minute. */
export const ADAPTIVE_START_OPERATIONS_PER_MINUTE = DEFAULT_OPERATIONS_PER_MINUTE_PER_UNIT;
/** Floor of the adaptive rate, in operations per minute. */
export const ADAPTIVE_MIN_OPERATIONS_PER_MINUTE = 60;
/** While no 429 was ever seen, the rate doubles this often, in milliseconds. */
export const SLOW_START_PERIOD_MS = 250;
/** After a 429, this long without another one before each increase, in milliseconds. */
export const QUIET_PERIOD_MS = 2_000;
/** A 429 multiplies the rate actually sent at by this. */
export const DECREASE_FACTOR = 0.8;
/** Additive probe past the refused rate, as a share of that rate per quiet period. */
export const PROBE_STEP_SHARE = 0.02;
/** Below this share of the refused rate, the climb halves the gap instead of probing. */
export const RECOVERY_SHARE = 0.95;
/** Window over which the actually-sent rate is measured, in milliseconds. */
export const OBSERVATION_WINDOW_MS = 2_000;

/** Options of a governor. */
export interface RateGovernorOptions {
  /** The known quota, operations per minute; adaptive when absent. */
  operationsPerMinute?: number;
}

/** A snapshot for logs and tests. */
export interface RateGovernorState {
  mode: 'fixed' | 'adaptive';
  operationsPerMinute: number;
  slowStart: boolean;
  pausedUntilMs: number;
}

/** Decides when each call may start; see the module comment. */
export class RateGovernor {
  readonly #adaptive: boolean;
  readonly #window = new OperationWindow(OBSERVATION_WINDOW_MS);
  #rate: number;
  #slowStart: boolean;
  #refusedRate: number | undefined;
  #nextAtMs = Number.NEGATIVE_INFINITY;
  #pausedUntilMs = 0;
  #lastChangeAtMs: number | undefined;
  #lastDecreaseAtMs = Number.NEGATIVE_INFINITY;
  /** A call had to wait for the pace since the last change: the rate is what limits us. */
  #limitedSinceChange = false;
  #lastLimitedAtMs = Number.NEGATIVE_INFINITY;

  constructor(options: RateGovernorOptions = {}) {
    const quota = options.operationsPerMinute;

    if (quota !== undefined && !(quota > 0)) {
      throw new RangeError(`operationsPerMinute: must be above 0, got ${quota}`);
    }

    this.#adaptive = quota === undefined;
    this.#rate = quota ?? ADAPTIVE_START_OPERATIONS_PER_MINUTE;
    this.#slowStart = this.#adaptive;
  }

  /** Current state, for logs and tests. */
  state(): RateGovernorState {
    return {
      mode: this.#adaptive ? 'adaptive' : 'fixed',
      operationsPerMinute: this.#rate,
      slowStart: this.#slowStart,
      pausedUntilMs: this.#pausedUntilMs,
    };
  }

  /** Books the next call's start and returns how long to wait for it, in milliseconds. */
  reserve(nowMs: number): number {
    if (this.#adaptive) this.#adapt(nowMs);

    const intervalMs = 60_000 / this.#rate;
    const burstCalls = Math.max(1, Math.floor((this.#rate / 60) * this.#burstSeconds()));
    // Calls booked during a Retry-After pause start one interval apart when it ends: letting
    // them all go at once would spend the service's refilled bucket and earn another 429 each.
    const isPaused = nowMs < this.#pausedUntilMs;
    const toleranceMs = isPaused ? 0 : (burstCalls - 1) * intervalMs;
    const startMs = Math.max(nowMs, this.#pausedUntilMs, this.#nextAtMs - toleranceMs);

    this.#nextAtMs = Math.max(this.#nextAtMs, startMs) + intervalMs;
    this.#window.record(startMs);
    if (startMs > Math.max(nowMs, this.#pausedUntilMs)) {
      this.#limitedSinceChange = true;
      this.#lastLimitedAtMs = nowMs;
    }

    return startMs - nowMs;
  }

  /** Time until a Retry-After pause ends, in milliseconds (0 when none is running). */
  pauseRemainingMs(nowMs: number): number {
    return Math.max(0, this.#pausedUntilMs - nowMs);
  }

  /**
   * A call that started at `startedAtMs` was answered 429. Pauses everyone for `retryAfterMs`
   * when given; in adaptive mode, lowers the rate, unless the call started before the last cut
   * (its 429 is old news: a burst of refusals counts as one).
   */
  onThrottled(event: { startedAtMs: number; nowMs: number; retryAfterMs?: number }): void {
    if (event.retryAfterMs !== undefined) {
      this.#pausedUntilMs = Math.max(this.#pausedUntilMs, event.nowMs + event.retryAfterMs);
    }

    if (!this.#adaptive || event.startedAtMs < this.#lastDecreaseAtMs) return;

    const refused = this.#sentRate(event.nowMs);

    this.#refusedRate = refused;
    this.#rate = Math.max(ADAPTIVE_MIN_OPERATIONS_PER_MINUTE, refused * DECREASE_FACTOR);
    this.#slowStart = false;
    this.#lastDecreaseAtMs = event.nowMs;
    this.#lastChangeAtMs = event.nowMs;
    this.#limitedSinceChange = false;
  }

  /**
   * Waits for this call's turn: its booked start, then any pause that began meanwhile. Resolves
   * false when the signal cut the wait short (the run is stopping), true otherwise.
   */
  async waitForTurn(now: () => number, signal?: AbortSignal): Promise<boolean> {
    if (!(await sleep(this.reserve(now()), signal))) return false;

    for (let pauseMs = this.pauseRemainingMs(now()); pauseMs > 0;) {
      if (!(await sleep(pauseMs, signal))) return false;
      pauseMs = this.pauseRemainingMs(now());
    }

    return true;
  }

  /** A full second's burst only while the service has never refused; a quarter after that. */
  #burstSeconds(): number {
    const neverRefused = this.#refusedRate === undefined;
    return this.#adaptive && neverRefused ? ADAPTIVE_BURST_SECONDS : FIXED_BURST_SECONDS;
  }

  #adapt(nowMs: number): void {
    this.#lastChangeAtMs ??= nowMs;

    const periodMs = this.#slowStart ? SLOW_START_PERIOD_MS : QUIET_PERIOD_MS;
    if (nowMs - this.#lastChangeAtMs < periodMs) return;

    // Raise the limit only when calls had to wait for it, so an idle or latency-bound spell
    // cannot build up a rate the service has never been asked to accept.
    if (this.#limitedSinceChange) this.#rate = this.#grown();

    this.#lastChangeAtMs = nowMs;
    this.#limitedSinceChange = false;
  }

  /**
   * The rate calls really went at: the limit itself while calls queue for it, the measured rate
   * when something else (latency, concurrency) held them below it.
   */
  #sentRate(nowMs: number): number {
    if (nowMs - this.#lastLimitedAtMs <= OBSERVATION_WINDOW_MS / 2) return this.#rate;

    const measured = this.#window.operationsPerMinute(nowMs);
    return measured > 0 ? Math.min(this.#rate, measured) : this.#rate;
  }

  #grown(): number {
    if (this.#slowStart || this.#refusedRate === undefined) return this.#rate * 2;

    if (this.#rate < this.#refusedRate * RECOVERY_SHARE) {
      return this.#rate + (this.#refusedRate - this.#rate) / 2;
    }

    return this.#rate + this.#refusedRate * PROBE_STEP_SHARE;
  }
}
