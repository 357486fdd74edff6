/**
 * `delete` for one batch: one bulk delete call. A row the service no longer holds (404201)
 * counts as succeeded with nothing done: deleting is idempotent.
 */
import { decideByDefault, sendBulk } from './bulk-call.js';
import { PRIORITY_NEW_BATCH, type DispatchContext } from './dispatch-context.js';
import type { TrackedRow } from './row-ledger.js';

const ALREADY_ABSENT = 'already absent';
const PERHAPS_OURS = 'already absent (perhaps deleted by an attempt whose answer was lost)';

/** Runs one batch in `delete` mode. */
export async function runDeleteBatch(
  context: DispatchContext,
  batchId: number,
  rows: TrackedRow[],
): Promise<void> {
  const results = await sendBulk(context, {
    batchId,
    mode: 'delete',
    rows,
    enrollmentOf: (row) => row.item.enrollment,
    priority: PRIORITY_NEW_BATCH,
  });

  for (const [row, result] of results) {
    if (result.kind === 'ok') context.ledger.succeed(row, 'deleted', result.httpStatus);
    else if (result.kind === 'item-error' && Math.floor(result.errorCode / 1_000) === 404) {
      // An earlier attempt whose answer was lost may have been the one that deleted it.
      const note = row.maybeApplied ? PERHAPS_OURS : ALREADY_ABSENT;
      context.ledger.succeed(row, 'none', result.httpStatus, note);
    } else decideByDefault(context, row, result);
  }
}
