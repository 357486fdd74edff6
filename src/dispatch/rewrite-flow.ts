/**
 * Writes rows over records that already exist: read each record (its etag, and its keys when
 * needed), build the enrollment to write, send bulk `update` calls (batched again: at most 10
 * items and 96 KB, the etags included), and when the service answers 412 because the record
 * changed in between, read it again and retry, at most UPDATE_CONFLICT_RETRIES times.
 * Used by upsert (update existing rows) and disable (write the record back disabled).
 */
import { Batcher } from '../batching/index.js';
import type { SendItem } from '../batching/index.js';
import type { IndividualEnrollment, SymmetricKeyAttestation } from '../dps/contract/index.js';
import type { RowAction } from '../outcomes/index.js';
import { decideByDefault, sendBulk, type RowCallResult } from './bulk-call.js';
import { pendForStop, PRIORITY_FOLLOW_UP, type DispatchContext } from './dispatch-context.js';
import { readRecord, type RecordReading } from './record-reader.js';
import type { RowFailure, TrackedRow } from './row-ledger.js';

/** Extra rounds of read-and-write after a 412, beyond the first write. */
export const UPDATE_CONFLICT_RETRIES = 2;

/** What to write for one row, given its stored record. */
export type RewriteStep =
  | { kind: 'write'; enrollment: IndividualEnrollment }
  /** Nothing to write: the record already is what the row asks for. */
  | { kind: 'done'; message: string }
  | ({ kind: 'fail' } & RowFailure);

/** How a mode rewrites rows. */
export interface RewritePlan {
  /** Action reported when the write succeeds. */
  action: RowAction;
  /** Whether the stored symmetric keys must be read to build the write. */
  needsKeys(row: TrackedRow, record: IndividualEnrollment): boolean;
  build(row: TrackedRow, record: IndividualEnrollment, keys?: SymmetricKeyAttestation): RewriteStep;
  /** Failure for a row whose record is not there. */
  absent(row: TrackedRow): RowFailure;
}

function isConflict(result: RowCallResult): boolean {
  if (result.kind === 'item-error') return Math.floor(result.errorCode / 1_000) === 412;

  return result.kind === 'call-failed' && result.httpStatus === 412;
}

function isAbsent(result: RowCallResult): boolean {
  return result.kind === 'item-error' && Math.floor(result.errorCode / 1_000) === 404;
}

/** Reads (or takes the given reading) and turns each row into a write, deciding the others. */
async function prepareWrites(
  context: DispatchContext,
  plan: RewritePlan,
  rows: readonly TrackedRow[],
  known: ReadonlyMap<TrackedRow, RecordReading>,
): Promise<Map<TrackedRow, IndividualEnrollment>> {
  const readings = await Promise.all(
    rows.map(
      (row) => known.get(row) ?? readRecord(context, row, (record) => plan.needsKeys(row, record)),
    ),
  );
  const writes = new Map<TrackedRow, IndividualEnrollment>();

  for (const [index, row] of rows.entries()) {
    const reading = readings[index]!;

    if (reading.kind === 'stopped') pendForStop(context, row);
    else if (reading.kind === 'failed') context.ledger.fail(row, reading);
    else if (reading.kind === 'absent') context.ledger.fail(row, plan.absent(row));
    else {
      const step = plan.build(row, reading.record, reading.keys);

      if (step.kind === 'write') writes.set(row, step.enrollment);
      else if (step.kind === 'done') context.ledger.succeed(row, 'none', 200, step.message);
      else context.ledger.fail(row, step);
    }
  }

  return writes;
}

/** Sends the writes in update calls of at most 10 items and 96 KB; returns each row's result. */
async function sendWrites(
  context: DispatchContext,
  batchId: number,
  writes: ReadonlyMap<TrackedRow, IndividualEnrollment>,
): Promise<Map<TrackedRow, RowCallResult>> {
  const batcher = new Batcher('update');
  const rowOf = new Map<SendItem, TrackedRow>();
  const calls: TrackedRow[][] = [];
  const collect = (batch: { items: SendItem[] } | undefined): void => {
    if (batch) calls.push(batch.items.map((item) => rowOf.get(item)!));
  };

  for (const [row, enrollment] of writes) {
    const item: SendItem = { ...row.item, enrollment };
    rowOf.set(item, row);
    collect(batcher.add(item));
  }

  collect(batcher.flush());

  const results = await Promise.all(
    calls.map((rows) =>
      sendBulk(context, {
        batchId,
        mode: 'update',
        rows,
        enrollmentOf: (row) => writes.get(row)!,
        priority: PRIORITY_FOLLOW_UP,
      }),
    ),
  );

  return new Map(results.flatMap((result) => [...result]));
}

function decideWrite(
  context: DispatchContext,
  plan: RewritePlan,
  row: TrackedRow,
  result: RowCallResult,
): void {
  if (result.kind === 'ok') context.ledger.succeed(row, plan.action, result.httpStatus);
  else if (isAbsent(result)) context.ledger.fail(row, plan.absent(row));
  else decideByDefault(context, row, result);
}

/**
 * Rewrites the rows; `known` holds records already read (for instance while verifying a
 * 409201), so they are not read twice.
 */
export async function rewriteRows(
  context: DispatchContext,
  batchId: number,
  rows: readonly TrackedRow[],
  plan: RewritePlan,
  known: ReadonlyMap<TrackedRow, RecordReading> = new Map(),
): Promise<void> {
  let conflicts = new Map<TrackedRow, RowCallResult>();
  let round = 0;

  for (let next = [...rows]; next.length > 0; next = [...conflicts.keys()]) {
    const writes = await prepareWrites(context, plan, next, round === 0 ? known : new Map());
    const results = await sendWrites(context, batchId, writes);
    conflicts = new Map();

    for (const [row, result] of results) {
      if (!isConflict(result)) decideWrite(context, plan, row, result);
      else if (context.stopReason()) pendForStop(context, row);
      else conflicts.set(row, result);
    }

    round += 1;
    if (round > UPDATE_CONFLICT_RETRIES) break;
  }

  for (const [row, result] of conflicts) failConflict(context, row, result);
}

function failConflict(context: DispatchContext, row: TrackedRow, result: RowCallResult): void {
  const tries = UPDATE_CONFLICT_RETRIES + 1;
  const failure: RowFailure = {
    message: `the enrollment kept changing while it was written (412 on ${tries} tries); rerun`,
  };

  if (result.kind === 'item-error' || result.kind === 'call-failed') {
    if (result.httpStatus !== undefined) failure.httpStatus = result.httpStatus;
    if (result.errorCode !== undefined) failure.errorCode = result.errorCode;
  }

  context.ledger.fail(row, failure);
}
