/**
 * What each run did to each row, and what that means for the ID. Written as replies arrive, one
 * transaction per reply, so a killed run loses at most the calls it had in flight.
 */
import type { Database, Statement } from 'better-sqlite3';

import type { RowOutcome } from '../outcomes/index.js';
import { foldRegistrationId } from './registration-key.js';
import { runNotFound } from './run-registry.js';
import type { InFlightItem, OutcomeRecord } from './state-store.js';

/** Statuses `--only-failed` leaves out: the service already holds what the row asked. */
const FINISHED_STATUSES = ['succeeded', 'unchanged'] as const;

/** Replies from 500 up may come from a call the service applied (a gateway timing out). */
const FIRST_UNDECIDED_HTTP_STATUS = 500;

interface JournalRow {
  runId: string;
  line: number;
  key: string;
  registrationId: string;
  status: string;
  action: string;
  attempts: number;
  httpStatus: number | null;
  errorCode: number | string | null;
  message: string;
  now: string;
}

interface EnrollmentWrite {
  key: string;
  registrationId: string;
  fingerprint: string | null;
  runId: string;
  etag: string | null;
  now: string;
}

interface InFlightWrite {
  key: string;
  registrationId: string;
  runId: string;
  line: number;
  fingerprint: string;
  now: string;
}

export class OutcomeJournal {
  readonly #path: string;
  readonly #now: () => Date;
  readonly #insertJournal: Statement<[JournalRow]>;
  readonly #writeSuccess: Statement<[EnrollmentWrite]>;
  readonly #writeFailure: Statement<[EnrollmentWrite]>;
  readonly #markInFlight: Statement<[InFlightWrite]>;
  readonly #forgetContent: Statement<[string]>;
  readonly #clearInFlight: Statement<[string]>;
  readonly #finished: Statement<[string], { registration_key: string }>;
  readonly #markAll: (runId: string, items: InFlightItem[]) => void;
  readonly #recordAll: (runId: string, records: OutcomeRecord[]) => void;

  constructor(database: Database, path: string, now: () => Date) {
    this.#path = path;
    this.#now = now;
    this.#insertJournal = database.prepare(
      `INSERT OR REPLACE INTO journal (run_id, line, registration_key, registration_id, status,
         action, attempts, http_status, error_code, message, recorded_at)
       VALUES (@runId, @line, @key, @registrationId, @status, @action, @attempts, @httpStatus,
         @errorCode, @message, @now)`,
    );
    this.#writeSuccess = database.prepare(
      `INSERT INTO enrollments VALUES (@key, @registrationId, @fingerprint, 'succeeded', @runId,
         @etag, @now)
       ON CONFLICT (registration_key) DO UPDATE SET registration_id = excluded.registration_id,
         fingerprint = excluded.fingerprint, status = excluded.status, run_id = excluded.run_id,
         etag = excluded.etag, updated_at = excluded.updated_at`,
    );
    // A refusal changed nothing at the service: keep what we knew, and an older etag too.
    this.#writeFailure = database.prepare(
      `INSERT INTO enrollments VALUES (@key, @registrationId, NULL, 'failed', @runId, @etag, @now)
       ON CONFLICT (registration_key) DO UPDATE SET registration_id = excluded.registration_id,
         status = excluded.status, run_id = excluded.run_id,
         etag = coalesce(excluded.etag, enrollments.etag), updated_at = excluded.updated_at`,
    );
    this.#markInFlight = database.prepare(
      `INSERT INTO in_flight VALUES (@key, @registrationId, @runId, @line, @fingerprint, 0, @now)
       ON CONFLICT (registration_key) DO UPDATE SET registration_id = excluded.registration_id,
         inherited = in_flight.inherited OR in_flight.run_id <> excluded.run_id,
         run_id = excluded.run_id, line = excluded.line, fingerprint = excluded.fingerprint,
         marked_at = excluded.marked_at`,
    );
    // Once sent, the service may hold the new content or the old: we vouch for neither.
    this.#forgetContent = database.prepare(
      'UPDATE enrollments SET fingerprint = NULL, etag = NULL WHERE registration_key = ?',
    );
    this.#clearInFlight = database.prepare('DELETE FROM in_flight WHERE registration_key = ?');
    this.#finished = database.prepare(
      `SELECT DISTINCT registration_key FROM journal
       WHERE run_id = ? AND status IN (${FINISHED_STATUSES.map((status) => `'${status}'`)})`,
    );

    const markAll = database.transaction((runId: string, items: InFlightItem[]) =>
      this.#markEach(runId, items),
    );
    const recordAll = database.transaction((runId: string, records: OutcomeRecord[]) =>
      this.#recordEach(runId, records),
    );
    this.#markAll = (runId, items) => markAll.immediate(runId, items);
    this.#recordAll = (runId, records) => recordAll.immediate(runId, records);
  }

  markInFlight(runId: string, items: InFlightItem[]): void {
    this.#guardRun(runId, () => this.#markAll(runId, items));
  }

  recordOutcomes(runId: string, records: OutcomeRecord[]): void {
    this.#guardRun(runId, () => this.#recordAll(runId, records));
  }

  /** Folded IDs, streamed from the file: the set is the only thing held. */
  finishedIds(runId: string): Set<string> {
    const ids = new Set<string>();

    for (const row of this.#finished.iterate(runId)) {
      ids.add(row.registration_key);
    }

    return ids;
  }

  #markEach(runId: string, items: InFlightItem[]): void {
    const now = this.#now().toISOString();

    for (const item of items) {
      const key = foldRegistrationId(item.registrationId);

      this.#markInFlight.run({ ...item, key, runId, now });
      this.#forgetContent.run(key);
    }
  }

  #recordEach(runId: string, records: OutcomeRecord[]): void {
    const now = this.#now().toISOString();

    for (const { outcome, fingerprint, etag } of records) {
      const key = foldRegistrationId(outcome.registrationId);

      this.#insertJournal.run(toJournalRow(runId, key, outcome, now));

      const write = {
        key,
        registrationId: outcome.registrationId,
        fingerprint: fingerprint ?? null,
        runId,
        etag: etag ?? null,
        now,
      };

      if (outcome.status === 'succeeded') {
        this.#writeSuccess.run(write);
      }

      if (outcome.status === 'failed') {
        this.#writeFailure.run(write);
      }

      if (isDecidedByService(outcome)) {
        this.#clearInFlight.run(key);
      }
    }
  }

  /** A journal row for a run never begun is a caller bug; say so instead of a SQLite code. */
  #guardRun(runId: string, write: () => void): void {
    try {
      write();
    } catch (error) {
      if ((error as { code?: unknown } | null)?.code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
        throw runNotFound(this.#path, runId);
      }

      throw error;
    }
  }
}

/**
 * True when the service's answer settles what it holds for the row: a success, or a refusal
 * below 500. Timeouts, lost connections and 5xx leave the row in flight for the next run.
 */
export function isDecidedByService(outcome: RowOutcome): boolean {
  if (outcome.status === 'succeeded') {
    return true;
  }

  return (
    outcome.status === 'failed' &&
    outcome.httpStatus !== undefined &&
    outcome.httpStatus < FIRST_UNDECIDED_HTTP_STATUS
  );
}

function toJournalRow(runId: string, key: string, outcome: RowOutcome, now: string): JournalRow {
  return {
    runId,
    line: outcome.line,
    key,
    registrationId: outcome.registrationId,
    status: outcome.status,
    action: outcome.action,
    attempts: outcome.attempts,
    httpStatus: outcome.httpStatus ?? null,
    errorCode: outcome.errorCode ?? null,
    message: outcome.message,
    now,
  };
}
