/**
 * One bulk call for a set of rows, ending in one result per row. A 200 reply is read item by
 * item. A call the service rejects as a whole (a 4xx without per-item results) is split in
 * halves and resent until the rows that cause the rejection stand alone (issue 4 item 7): only
 * they fail, with the service's text and a note that they sank their call.
 */
import { MAX_MESSAGE_BYTES } from '../dps/contract/index.js';
import type { BulkMode, IndividualEnrollment } from '../dps/contract/index.js';
import { measureEnrollmentBytes, measureEnvelopeBytes } from '../batching/index.js';
import { performCall, type CallResult } from './call-runner.js';
import type { DispatchContext } from './dispatch-context.js';
import type { RowFailure, TrackedRow } from './row-ledger.js';
import { describeLastAnswer, describeServiceError, readBulkResult } from './service-answers.js';

export type RowCallResult =
  | { kind: 'ok'; httpStatus: number }
  /** The 200 reply named this row in errors[]. */
  | { kind: 'item-error'; httpStatus: number; errorCode: number; errorStatus: string }
  /** The call failed for this row as a whole. */
  | ({ kind: 'call-failed' } & RowFailure)
  | { kind: 'stopped' };

/** A bulk call to make. */
export interface BulkCallSpec {
  batchId: number;
  mode: BulkMode;
  rows: readonly TrackedRow[];
  /** The enrollment to send for a row (the row's own, or a rewritten one). */
  enrollmentOf(row: TrackedRow): IndividualEnrollment;
  priority: number;
}

/** Whole-call rejections that splitting cannot explain by a row: auth, throttling, routing. */
const NOT_ROW_CAUSED = new Set([401, 403, 404, 405, 406, 408, 415, 429]);

function isSplittable(status: number): boolean {
  return status >= 400 && status < 500 && !NOT_ROW_CAUSED.has(status);
}

function measureBody(mode: BulkMode, enrollments: readonly IndividualEnrollment[]): number {
  const items = enrollments.reduce((sum, enrollment) => sum + measureEnrollmentBytes(enrollment), 0);
  return measureEnvelopeBytes(mode) + items + Math.max(0, enrollments.length - 1);
}

function halves<T>(items: readonly T[]): [T[], T[]] {
  const middle = Math.ceil(items.length / 2);
  return [items.slice(0, middle), items.slice(middle)];
}

function allRows(rows: readonly TrackedRow[], result: RowCallResult): Map<TrackedRow, RowCallResult> {
  return new Map(rows.map((row) => [row, result]));
}

function readItems(spec: BulkCallSpec, status: number, body: unknown): Map<TrackedRow, RowCallResult> {
  const reading = readBulkResult(body);

  if (!reading.readable) {
    return allRows(spec.rows, { kind: 'call-failed', httpStatus: status, message: `HTTP ${status}: ${reading.problem}` });
  }

  return new Map(
    spec.rows.map((row): [TrackedRow, RowCallResult] => {
      const error = reading.errorsById.get(row.item.registrationId.toLowerCase());
      if (error === undefined) return [row, { kind: 'ok', httpStatus: status }];

      return [row, { kind: 'item-error', httpStatus: status, errorCode: error.errorCode, errorStatus: error.errorStatus }];
    }),
  );
}

function failedCall(result: Exclude<CallResult, { kind: 'answered' | 'stopped' }>): RowCallResult {
  const { httpStatus, errorCode, text } = describeLastAnswer(result.last);
  const prefix = result.exhausted ? `gave up after ${result.attempts} attempts: ` : '';
  const failure: RowCallResult = { kind: 'call-failed', message: `${prefix}${text}` };

  if (httpStatus !== undefined) failure.httpStatus = httpStatus;
  if (errorCode !== undefined) failure.errorCode = errorCode;
  return failure;
}

/**
 * Sends the rows in one call (or, when the call is rejected as a whole, in smaller ones) and
 * returns each row's result. Adds the attempts of every call to the rows that took part in it.
 */
export async function sendBulk(
  context: DispatchContext,
  spec: BulkCallSpec,
  originalSize = spec.rows.length,
): Promise<Map<TrackedRow, RowCallResult>> {
  const enrollments = spec.rows.map((row) => spec.enrollmentOf(row));

  if (measureBody(spec.mode, enrollments) > MAX_MESSAGE_BYTES) return tooLarge(context, spec, originalSize);

  const result = await performCall(context, {
    operation: `bulk-${spec.mode}`,
    batchId: spec.batchId,
    priority: spec.priority,
    send: (client) => client.bulk(spec.mode, enrollments),
  });

  context.ledger.addAttempts(spec.rows, result.attempts);
  if (result.maybeApplied) for (const row of spec.rows) row.maybeApplied = true;

  if (result.kind === 'stopped') return allRows(spec.rows, { kind: 'stopped' });
  if (result.kind === 'gave-up') return allRows(spec.rows, failedCall(result));

  const { status } = result.reply;
  if (status >= 200 && status < 300) return readItems(spec, status, result.reply.body);

  if (isSplittable(status) && spec.rows.length > 1) return split(context, spec, originalSize, status);

  const { errorCode, text } = describeServiceError(result.reply);
  const sank = isSplittable(status) && originalSize > 1 ? `; this row sank its call of ${originalSize} rows` : '';
  const failure: RowCallResult = { kind: 'call-failed', httpStatus: status, message: `HTTP ${status}: ${text}${sank}` };
  if (errorCode !== undefined) failure.errorCode = errorCode;

  return allRows(spec.rows, failure);
}

async function split(
  context: DispatchContext,
  spec: BulkCallSpec,
  originalSize: number,
  status: number,
): Promise<Map<TrackedRow, RowCallResult>> {
  const parts = halves(spec.rows);
  context.logger.info(
    { batchId: spec.batchId, status, rows: spec.rows.length, halves: parts.map((part) => part.length) },
    'call rejected as a whole: resending in halves to find the rows that caused it',
  );

  const results = await Promise.all(parts.map((rows) => sendBulk(context, { ...spec, rows }, originalSize)));
  return new Map(results.flatMap((result) => [...result]));
}

/** A body over the service's 96 KB limit: split it, or fail the one row that cannot fit. */
async function tooLarge(
  context: DispatchContext,
  spec: BulkCallSpec,
  originalSize: number,
): Promise<Map<TrackedRow, RowCallResult>> {
  if (spec.rows.length > 1) {
    const parts = halves(spec.rows);
    const results = await Promise.all(parts.map((rows) => sendBulk(context, { ...spec, rows }, originalSize)));
    return new Map(results.flatMap((result) => [...result]));
  }

  const bytes = measureEnrollmentBytes(spec.enrollmentOf(spec.rows[0]!));
  return allRows(spec.rows, {
    kind: 'call-failed',
    errorCode: 'message-too-large',
    message: `enrollment JSON is ${bytes} bytes: no call can carry it under the ${MAX_MESSAGE_BYTES}-byte message limit; not sent`,
  });
}
