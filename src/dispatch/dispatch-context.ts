/** Everything the flows of one dispatcher share: the client, the pacing, the stop state. */
import type PQueue from 'p-queue';
import type { Logger } from 'pino';

import type { DpsClient } from '../dps/client/index.js';
import type { RunMode } from '../job/run-config.js';
import type { DispatchStats } from './dispatch-stats.js';
import type { RateGovernor } from './rate-governor.js';
import type { RetryPolicy } from './retry-decision.js';
import type { RowLedger, TrackedRow } from './row-ledger.js';
import type { AuthGuard, OutageDetector } from './service-health.js';

/** Why the dispatcher stopped taking work. */
export type StopReason = 'auth' | 'tls' | 'outage' | 'interrupt';

/** Queue priorities: work already started finishes before new batches begin. */
export const PRIORITY_NEW_BATCH = 0;
export const PRIORITY_FOLLOW_UP = 1;

/** The shared state of one dispatcher, handed to every flow and call. */
export interface DispatchContext {
  readonly client: DpsClient;
  readonly logger: Logger;
  readonly mode: RunMode;
  readonly policy: RetryPolicy;
  readonly random: () => number;
  readonly now: () => number;
  readonly queue: PQueue;
  readonly governor: RateGovernor;
  readonly stats: DispatchStats;
  readonly outage: OutageDetector;
  readonly auth: AuthGuard;
  readonly ledger: RowLedger;
  /** Aborted when the dispatcher stops: cuts backoff and pacing waits short. */
  readonly stopSignal: AbortSignal;
  /** The reason, once the dispatcher is stopping. */
  stopReason(): StopReason | undefined;
  /** Stops the dispatcher (first reason wins). */
  /** `detail`: a short technical text for the user (an error code), never a secret. */
  requestStop(reason: StopReason, detail?: string): void;
}

/** Reports a row pending because the dispatcher stopped before the row was decided. */
export function pendForStop(context: DispatchContext, row: TrackedRow): void {
  context.ledger.pend(row, pendingMessage(context.stopReason()));
}

/** The pending message for a row left undecided by a stop. */
export function pendingMessage(reason: StopReason | undefined): string {
  switch (reason) {
    case 'auth':
      return 'not decided: the run stopped after authentication failed; rerun once it works';
    case 'tls':
      return 'not decided: the run stopped because the TLS connection failed; rerun once it works';
    case 'outage':
      return 'not decided: the run stopped while the service kept failing; rerun later';
    default:
      return 'not decided: the run was interrupted before this row finished; rerun to finish it';
  }
}
