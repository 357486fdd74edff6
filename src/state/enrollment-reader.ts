/**
 * Per-ID questions a run asks before it sends anything: what did the service last hold for this
 * ID, and did a run that died leave a call about it unanswered? One indexed read each.
 */
import type { Database, Statement } from 'better-sqlite3';

import type { RowStatus } from '../outcomes/index.js';
import { foldRegistrationId } from './registration-key.js';
import type { StoredEnrollment } from './state-store.js';

interface EnrollmentRow {
  registration_id: string;
  fingerprint: string | null;
  status: RowStatus;
  run_id: string;
  etag: string | null;
  updated_at: string;
}

interface InFlightRow {
  run_id: string;
  inherited: number;
}

export class EnrollmentReader {
  readonly #lookup: Statement<[string], EnrollmentRow>;
  readonly #inFlight: Statement<[string], InFlightRow>;
  readonly #isBegunHere: (runId: string) => boolean;

  constructor(database: Database, isBegunHere: (runId: string) => boolean) {
    this.#lookup = database.prepare(
      `SELECT registration_id, fingerprint, status, run_id, etag, updated_at
       FROM enrollments WHERE registration_key = ?`,
    );
    this.#inFlight = database.prepare(
      'SELECT run_id, inherited FROM in_flight WHERE registration_key = ?',
    );
    this.#isBegunHere = isBegunHere;
  }

  lookup(registrationId: string): StoredEnrollment | undefined {
    const row = this.#lookup.get(foldRegistrationId(registrationId));

    if (row === undefined) {
      return undefined;
    }

    return {
      registrationId: row.registration_id,
      ...(row.fingerprint === null ? {} : { fingerprint: row.fingerprint }),
      status: row.status,
      runId: row.run_id,
      ...(row.etag === null ? {} : { etag: row.etag }),
      updatedAt: row.updated_at,
    };
  }

  /** Asked before or after this run marks the ID itself: `inherited` keeps the answer. */
  wasInFlight(registrationId: string): boolean {
    const row = this.#inFlight.get(foldRegistrationId(registrationId));

    if (row === undefined) {
      return false;
    }

    return row.inherited === 1 || !this.#isBegunHere(row.run_id);
  }
}
