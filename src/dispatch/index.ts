export { createDispatcher, BATCHES_IN_PROGRESS_PER_SLOT } from './dispatcher.js';
export type { Dispatcher, DispatcherOptions } from './dispatcher.js';
export type { StopReason } from './dispatch-context.js';
export type { DispatchStatsSnapshot } from './dispatch-stats.js';
export type { OutcomeDetail, OutcomeListener } from './row-ledger.js';
export { decideRetry, DEFAULT_RETRY_POLICY } from './retry-decision.js';
export type {
  AttemptResult,
  RetryDecision,
  RetryInput,
  RetryPolicy,
} from './retry-decision.js';
export { computeBackoffDelayMs, parseRetryAfterMs } from './backoff.js';
export type { BackoffPolicy, JitterKind } from './backoff.js';
export { RateGovernor } from './rate-governor.js';
export type { RateGovernorOptions, RateGovernorState } from './rate-governor.js';
export { findDifferences } from './enrollment-match.js';
