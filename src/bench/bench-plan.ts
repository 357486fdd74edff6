/** How big each measurement is: the full plan of issue 6, or a quick one for trying it out. */

export interface BenchPlan {
  name: 'full' | 'quick';
  /** Rows of the big manifest: parse ceiling against validate, peak RSS. */
  largeRows: number;
  /** Rows of the small manifest: validate's RSS baseline, end to end, nightly rerun. */
  smallRows: number;
  /** Quota the throttled emulator enforces, in operations per minute. */
  throttledOperationsPerMinute: number;
  /** Rows of each throttled run (at 10 per call, ~60 s of quota in the full plan). */
  throttledRows: number;
  /** Rows the SDK peer and dps-bulk each send at added latency. */
  peerRows: number;
  /** Latency the emulator adds to every call in the peer comparison, in milliseconds. */
  peerLatencyMs: number;
  /** `--concurrency` values dps-bulk runs the peer comparison with (4 is its default). */
  peerConcurrencies: readonly number[];
}

export const FULL_PLAN: BenchPlan = {
  name: 'full',
  largeRows: 1_000_000,
  smallRows: 100_000,
  throttledOperationsPerMinute: 6_000,
  throttledRows: 60_000,
  peerRows: 5_000,
  peerLatencyMs: 40,
  peerConcurrencies: [4, 16],
};

export const QUICK_PLAN: BenchPlan = {
  name: 'quick',
  largeRows: 100_000,
  smallRows: 10_000,
  throttledOperationsPerMinute: 6_000,
  throttledRows: 6_000,
  peerRows: 1_000,
  peerLatencyMs: 40,
  peerConcurrencies: [4, 16],
};
