/**
 * `create` and `upsert` for one batch: one bulk create call, then, for the rows the service
 * already holds (409201):
 * - if an earlier attempt of this row's create may have been applied without our hearing so,
 *   read the record back and compare: a match means our own create landed (created); a
 *   mismatch is a real conflict;
 * - upsert updates real conflicts with the stored etag (rewrite-flow);
 * - create fails them, with the code and a hint to use upsert.
 */
import { ERROR_CODES } from '../dps/contract/index.js';
import type { RunMode } from '../job/run-config.js';
import { decideByDefault, sendBulk, type RowCallResult } from './bulk-call.js';
import { pendForStop, PRIORITY_NEW_BATCH, type DispatchContext } from './dispatch-context.js';
import { findDifferences, needsStoredKeys } from './enrollment-match.js';
import { readRecord, type RecordReading } from './record-reader.js';
import { rewriteRows } from './rewrite-flow.js';
import type { TrackedRow } from './row-ledger.js';
import { UPSERT_PLAN } from './upsert-plan.js';

const UPSERT_HINT = 'Use --mode upsert to update existing enrollments.';

function isAlreadyExists(result: RowCallResult): boolean {
  return result.kind === 'item-error' && result.errorCode === ERROR_CODES.enrollmentExists;
}

/** Decides every row whose create result is final; returns the rows that already exist. */
function decideCreates(
  context: DispatchContext,
  results: Map<TrackedRow, RowCallResult>,
): TrackedRow[] {
  const existing: TrackedRow[] = [];

  for (const [row, result] of results) {
    if (result.kind === 'ok') context.ledger.succeed(row, 'created', result.httpStatus);
    else if (isAlreadyExists(result)) existing.push(row);
    else decideByDefault(context, row, result);
  }

  return existing;
}

/** Fails a row that exists; `detail` continues "Enrollment already exists…" when given. */
function failExisting(context: DispatchContext, row: TrackedRow, detail?: string): void {
  const existing =
    detail === undefined ? 'Enrollment already exists.' : `Enrollment already exists ${detail}.`;

  context.ledger.fail(row, {
    httpStatus: 200,
    errorCode: ERROR_CODES.enrollmentExists,
    message: `${existing} ${UPSERT_HINT}`,
  });
}

/**
 * Reads back the rows whose create may have landed on an earlier attempt. Decides the matches
 * (created) and the unreadable; returns the real conflicts with what was read.
 */
async function verifyAmbiguous(
  context: DispatchContext,
  mode: RunMode,
  rows: readonly TrackedRow[],
): Promise<Map<TrackedRow, RecordReading>> {
  const readings = await Promise.all(
    rows.map((row) => readRecord(context, row, () => needsStoredKeys(row.item.enrollment))),
  );
  const conflicts = new Map<TrackedRow, RecordReading>();

  for (const [index, row] of rows.entries()) {
    const reading = readings[index]!;

    if (reading.kind === 'stopped') pendForStop(context, row);
    else if (reading.kind === 'failed') context.ledger.fail(row, reading);
    else if (reading.kind === 'absent') {
      context.ledger.fail(row, {
        httpStatus: reading.httpStatus,
        errorCode: ERROR_CODES.enrollmentExists,
        message: 'create said it exists (409201) but it could not be read back; rerun',
      });
    } else {
      const differences = findDifferences(row.item.enrollment, reading.record, reading.keys);

      if (differences.length === 0) {
        const note = 'stored as sent: an earlier attempt whose answer was lost had created it';
        context.ledger.succeed(row, 'created', 200, note);
      } else if (mode === 'upsert') {
        conflicts.set(row, reading);
      } else {
        const fields = differences.join(', ');
        failExisting(context, row, `and differs from this row (${fields}); not overwritten`);
      }
    }
  }

  return conflicts;
}

/** Runs one batch in `create` or `upsert` mode. */
export async function runCreateBatch(
  context: DispatchContext,
  batchId: number,
  rows: TrackedRow[],
  mode: 'create' | 'upsert',
): Promise<void> {
  const results = await sendBulk(context, {
    batchId,
    mode: 'create',
    rows,
    enrollmentOf: (row) => row.item.enrollment,
    priority: PRIORITY_NEW_BATCH,
  });

  const existing = decideCreates(context, results);
  const ambiguous = existing.filter((row) => row.maybeApplied);
  const plain = existing.filter((row) => !row.maybeApplied);

  if (mode === 'create') for (const row of plain) failExisting(context, row);

  const conflicts = await verifyAmbiguous(context, mode, ambiguous);

  if (mode === 'upsert') {
    await rewriteRows(context, batchId, [...plain, ...conflicts.keys()], UPSERT_PLAN, conflicts);
  }
}
