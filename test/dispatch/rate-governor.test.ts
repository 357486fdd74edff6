import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import {
  ADAPTIVE_START_OPERATIONS_PER_MINUTE,
  DECREASE_FACTOR,
  QUIET_PERIOD_MS,
  RateGovernor,
  SLOW_START_PERIOD_MS,
} from '../../src/dispatch/rate-governor.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});

afterEach(() => {
  vi.useRealTimers();
});

/** Books `count` calls at time `nowMs` and returns their start times. */
function bookStarts(governor: RateGovernor, count: number, nowMs = Date.now()): number[] {
  return Array.from({ length: count }, () => nowMs + governor.reserve(nowMs));
}

describe('RateGovernor with a known quota', () => {
  it('spreads calls evenly, with at most a quarter second of quota at once', () => {
    // 600 per minute: one call per 100 ms, a burst of 2.
    const governor = new RateGovernor({ operationsPerMinute: 600 });

    expect(bookStarts(governor, 6, 0)).toEqual([0, 0, 100, 200, 300, 400]);
  });

  it('never starts more calls in a minute than the quota allows, plus the burst', () => {
    const governor = new RateGovernor({ operationsPerMinute: 1_000 });

    const starts = bookStarts(governor, 2_000, 0);
    const inFirstMinute = starts.filter((startMs) => startMs < 60_000).length;

    expect(inFirstMinute).toBe(1_000 + 3);
  });

  it('pauses every call for the Retry-After of a 429', () => {
    const governor = new RateGovernor({ operationsPerMinute: 600 });
    governor.reserve(0);

    governor.onThrottled({ startedAtMs: 0, nowMs: 10, retryAfterMs: 3_000 });

    expect(governor.reserve(10)).toBe(3_000);
    expect(governor.state().operationsPerMinute).toBe(600);
  });

  it('makes waitForTurn sleep exactly until the booked start', async () => {
    const governor = new RateGovernor({ operationsPerMinute: 60 });
    const turns: number[] = [];

    for (let index = 0; index < 3; index += 1) {
      void governor.waitForTurn(Date.now).then(() => turns.push(Date.now()));
    }

    await vi.advanceTimersByTimeAsync(999);
    expect(turns).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1);
    expect(turns).toEqual([0, 1_000]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(turns).toEqual([0, 1_000, 2_000]);
  });

  it('extends a booked wait when a pause begins meanwhile', async () => {
    const governor = new RateGovernor({ operationsPerMinute: 60 });
    governor.reserve(0);
    let doneAt: number | undefined;

    void governor.waitForTurn(Date.now).then(() => (doneAt = Date.now()));
    await vi.advanceTimersByTimeAsync(500);
    governor.onThrottled({ startedAtMs: 0, nowMs: 500, retryAfterMs: 2_000 });
    await vi.advanceTimersByTimeAsync(1_999);

    expect(doneAt).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(doneAt).toBe(2_500);
  });

  it('ends the wait early, with false, when the signal aborts', async () => {
    const governor = new RateGovernor({ operationsPerMinute: 60 });
    const controller = new AbortController();
    governor.reserve(0);

    const turn = governor.waitForTurn(Date.now, controller.signal);
    controller.abort();

    await expect(turn).resolves.toBe(false);
  });

  it('refuses a quota of zero', () => {
    expect(() => new RateGovernor({ operationsPerMinute: 0 })).toThrow(
      'operationsPerMinute: must be above 0, got 0',
    );
  });
});

describe('RateGovernor without a quota (adaptive)', () => {
  /** Sends calls as fast as the governor lets them go, for `durationMs`; returns the end. */
  function drive(governor: RateGovernor, fromMs: number, durationMs: number): number {
    let nowMs = fromMs;

    while (nowMs < fromMs + durationMs) nowMs += governor.reserve(nowMs);

    // One more call, at or past the end: the one that notices the period has passed.
    governor.reserve(nowMs);
    return nowMs;
  }

  it('starts at one unit of quota and doubles while nothing pushes back', () => {
    const governor = new RateGovernor();
    expect(governor.state()).toMatchObject({
      mode: 'adaptive',
      operationsPerMinute: ADAPTIVE_START_OPERATIONS_PER_MINUTE,
      slowStart: true,
    });

    drive(governor, 0, SLOW_START_PERIOD_MS * 3 + 100);

    expect(governor.state().operationsPerMinute).toBe(ADAPTIVE_START_OPERATIONS_PER_MINUTE * 8);
  });

  it('does not raise the rate while calls do not use it', () => {
    const governor = new RateGovernor();
    governor.reserve(0);

    governor.reserve(SLOW_START_PERIOD_MS * 10);

    expect(governor.state().operationsPerMinute).toBe(ADAPTIVE_START_OPERATIONS_PER_MINUTE);
  });

  it('cuts the rate calls queue for on a 429, once per burst of refusals', () => {
    const governor = new RateGovernor();
    const nowMs = drive(governor, 0, 1_200);
    const sentRate = governor.state().operationsPerMinute;

    governor.onThrottled({ startedAtMs: nowMs, nowMs: nowMs + 1 });
    const afterCut = governor.state().operationsPerMinute;
    governor.onThrottled({ startedAtMs: nowMs, nowMs: nowMs + 2 });

    expect(afterCut).toBe(sentRate * DECREASE_FACTOR);
    expect(governor.state()).toMatchObject({ operationsPerMinute: afterCut, slowStart: false });
  });

  it('cuts from the measured rate when calls went slower than the limit allowed', () => {
    const governor = new RateGovernor();

    // One call every 500 ms: 120 per minute, far under the limit, never waiting for it.
    for (let nowMs = 0; nowMs <= 6_000; nowMs += 500) governor.reserve(nowMs);
    governor.onThrottled({ startedAtMs: 6_000, nowMs: 6_001 });

    expect(governor.state().operationsPerMinute).toBeCloseTo(120 * DECREASE_FACTOR, 6);
  });

  it('climbs back after quiet periods, then probes past the refused rate in small steps', () => {
    const governor = new RateGovernor({});
    let nowMs = drive(governor, 0, 1_001);
    governor.onThrottled({ startedAtMs: nowMs, nowMs });
    const cut = governor.state().operationsPerMinute;
    const refused = cut / DECREASE_FACTOR;
    const rates: number[] = [];

    for (let period = 1; period <= 4; period += 1) {
      // Each drive ends with the call that crossed the quiet period, which raised the rate.
      nowMs = drive(governor, nowMs, QUIET_PERIOD_MS);
      rates.push(governor.state().operationsPerMinute);
    }

    expect(rates[0]).toBeCloseTo(cut + (refused - cut) / 2, 6);
    expect(rates[1]).toBeCloseTo(refused - (refused - cut) / 4, 6);
    expect(rates[2]! - rates[1]!).toBeCloseTo(refused * 0.02, 6);
    expect(rates[3]! - rates[2]!).toBeCloseTo(refused * 0.02, 6);
  });

  it('settles a steady sender near a rate limit it cannot see (simulated service)', () => {
    // A service bucket of 6,000 operations per minute with one second of burst.
    const quotaPerMs = 6_000 / 60_000;
    const governor = new RateGovernor();
    let tokens = 100;
    let lastMs = 0;
    let accepted = 0;
    let refused = 0;

    for (let nowMs = 0; nowMs < 120_000;) {
      const startMs = nowMs + governor.reserve(nowMs);
      tokens = Math.min(100, tokens + (startMs - lastMs) * quotaPerMs);
      lastMs = startMs;
      nowMs = startMs;

      if (tokens >= 1) {
        tokens -= 1;
        accepted += 1;
      } else {
        refused += 1;
        governor.onThrottled({ startedAtMs: startMs, nowMs: startMs + 5, retryAfterMs: 1_000 });
      }
    }

    const ceiling = 6_000 * 2 + 100;
    expect(accepted / ceiling).toBeGreaterThan(0.9);
    expect(refused / (accepted + refused)).toBeLessThan(0.02);
  });
});

describe('RateGovernor after a Retry-After pause', () => {
  it('starts the calls booked during the pause one interval apart, not all at its end', () => {
    const governor = new RateGovernor();
    governor.reserve(0);
    governor.onThrottled({ startedAtMs: 0, nowMs: 10, retryAfterMs: 1_000 });
    const intervalMs = 60_000 / governor.state().operationsPerMinute;

    const starts = [20, 21, 22, 23].map((nowMs) => nowMs + governor.reserve(nowMs));

    expect(starts[0]).toBe(1_010);
    for (let index = 1; index < starts.length; index += 1) {
      expect(starts[index]! - starts[index - 1]!).toBeCloseTo(intervalMs, 6);
    }
  });

  it('allows only a quarter second of burst once the service has refused', () => {
    const governor = new RateGovernor();
    governor.reserve(0);
    governor.onThrottled({ startedAtMs: 0, nowMs: 0 });
    const rate = governor.state().operationsPerMinute;

    const waits = Array.from({ length: 40 }, () => governor.reserve(5_000));

    const atOnce = waits.filter((waitMs) => waitMs === 0).length;
    expect(atOnce).toBe(Math.max(1, Math.floor((rate / 60) * 0.25)));
  });
});
