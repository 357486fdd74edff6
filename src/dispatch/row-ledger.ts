/**
 * Keeps the promise "exactly one outcome per row": every row the dispatcher takes is tracked
 * here until it is decided, its HTTP attempts are summed across all the calls it took part in,
 * and a second decision for the same row is ignored (a late answer after a drain timeout).
 */
import type { Logger } from 'pino';

import type { SendItem } from '../batching/index.js';
import type { RowAction, RowOutcome, RowStatus } from '../outcomes/index.js';

/** Extra facts for the state store; never secret. */
export interface OutcomeDetail {
  /** The row's fingerprint, as the batcher received it. */
  fingerprint: string;
  /** The service etag read during the row's calls, when one was read. */
  etag?: string;
}

/** Receives each row's one outcome. */
export type OutcomeListener = (outcome: RowOutcome, detail: OutcomeDetail) => void;

/** One row on its way through the calls of its batch. */
export interface TrackedRow {
  readonly item: SendItem;
  readonly batchId: number;
  /** HTTP attempts of every call this row took part in, counted as each request is sent. */
  attempts: number;
  /** Requests of this row's calls that are on the wire now, their answers not back yet. */
  requestsOnWire: number;
  /** A create call holding this row may have been applied without us hearing so. */
  maybeApplied: boolean;
  /** Latest etag seen for this row's record. */
  etag?: string;
  /** Set once the row is decided. */
  status?: RowStatus;
}

/** Why a row failed: what the report shows. */
export interface RowFailure {
  httpStatus?: number;
  errorCode?: number | string;
  message: string;
}

/** Tracks undecided rows and hands each one outcome to the listener. */
export class RowLedger {
  readonly #listener: OutcomeListener;
  readonly #logger: Logger;
  readonly #undecided = new Set<TrackedRow>();

  constructor(listener: OutcomeListener, logger: Logger) {
    this.#listener = listener;
    this.#logger = logger;
  }

  /** Rows not decided yet, across all batches. */
  get undecidedCount(): number {
    return this.#undecided.size;
  }

  /** Starts tracking the items of one batch. */
  track(items: readonly SendItem[], batchId: number): TrackedRow[] {
    return items.map((item) => {
      const row: TrackedRow = {
        item,
        batchId,
        attempts: 0,
        requestsOnWire: 0,
        maybeApplied: item.maybeApplied === true,
      };

      this.#undecided.add(row);
      return row;
    });
  }

  /** Hooks for one call's rows: count each attempt as it is sent, and know what is on the wire. */
  attemptHooks(rows: readonly TrackedRow[]): { onRequestSent(): void; onAnswerReceived(): void } {
    return {
      onRequestSent: () => {
        for (const row of rows) {
          row.attempts += 1;
          row.requestsOnWire += 1;
        }
      },
      onAnswerReceived: () => {
        for (const row of rows) row.requestsOnWire -= 1;
      },
    };
  }

  succeed(row: TrackedRow, action: RowAction, httpStatus: number, message = ''): void {
    this.#decide(row, { status: 'succeeded', action, httpStatus, message });
  }

  /** Reports the row failed; only the RowFailure fields reach the outcome. */
  fail(row: TrackedRow, failure: RowFailure): void {
    const { httpStatus, errorCode, message } = failure;
    const result: Omit<RowOutcome, 'line' | 'registrationId' | 'attempts'> = {
      status: 'failed',
      action: 'none',
      message,
    };
    if (httpStatus !== undefined) result.httpStatus = httpStatus;
    if (errorCode !== undefined) result.errorCode = errorCode;

    if (this.#decide(row, result)) {
      const fields = { batchId: row.batchId, line: row.item.line, httpStatus, errorCode };
      this.#logger.warn({ ...fields, registrationId: row.item.registrationId }, 'row failed');
    }
  }

  pend(row: TrackedRow, message: string): void {
    this.#decide(row, { status: 'pending', action: 'none', message });
  }

  /**
   * Every row still undecided, in every batch, becomes pending (drain timeout). A row with a
   * request on the wire may have been applied; a row whose call never left was simply not sent,
   * and the messages say which.
   */
  pendAll(messages: { onWire: string; notSent: string }): number {
    const rows = [...this.#undecided];
    for (const row of rows)
      this.pend(row, row.requestsOnWire > 0 ? messages.onWire : messages.notSent);

    return rows.length;
  }

  #decide(row: TrackedRow, result: Omit<RowOutcome, 'line' | 'registrationId' | 'attempts'>) {
    if (row.status !== undefined) return false;

    row.status = result.status;
    this.#undecided.delete(row);

    const outcome: RowOutcome = {
      line: row.item.line,
      registrationId: row.item.registrationId,
      attempts: row.attempts,
      ...result,
    };
    const detail: OutcomeDetail = { fingerprint: row.item.fingerprint };
    if (row.etag !== undefined) detail.etag = row.etag;

    this.#listener(outcome, detail);
    return true;
  }
}
