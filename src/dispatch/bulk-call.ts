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
import { pendForStop, type DispatchContext } from './dispatch-context.js';
import type { RowFailure, TrackedRow } from './row-ledger.js';
import { describeLastAnswer, describeServiceError, readBulkResult } from './service-answers.js';

/** What one bulk call (or its split halves) decided for one row. */
export type RowCallResult =
  | { kind: 'ok'; httpStatus: number }
  /** The 200 reply named this row in errors[]. */
  | { kind: 'item-error'; httpStatus: number; errorCode: number; errorStatus: string }
  /** The call failed for this row as a whole. */
  | ({ kind: 'call-failed' } & RowFailure)
  | { kind: 'stopped' };

type RowResults = Map<TrackedRow, RowCallResult>;

/** A bulk call to make. */
export interface BulkCallSpec {
  batchId: number;
  mode: BulkMode;
  rows: readonly TrackedRow[];
  /** The enrollment to send for a row (the row's own, or a rewritten one). */
  enrollmentOf(row: TrackedRow): IndividualEnrollment;
  priority: number;
}

/** Whole-call rejections that no row can cause: auth, throttling, routing, media type. */
const NOT_ROW_CAUSED = new Set([401, 403, 404, 405, 406, 408, 415, 429]);

function isSplittable(status: number): boolean {
  return status >= 400 && status < 500 && !NOT_ROW_CAUSED.has(status);
}

function measureBody(mode: BulkMode, enrollments: readonly IndividualEnrollment[]): number {
  const items = enrollments.reduce((sum, item) => sum + measureEnrollmentBytes(item), 0);
  return measureEnvelopeBytes(mode) + items + Math.max(0, enrollments.length - 1);
}

function allRows(rows: readonly TrackedRow[], result: RowCallResult): RowResults {
  return new Map(rows.map((row) => [row, result]));
}

function callFailed(failure: RowFailure): RowCallResult {
  const result: RowCallResult = { kind: 'call-failed', message: failure.message };
  if (failure.httpStatus !== undefined) result.httpStatus = failure.httpStatus;
  if (failure.errorCode !== undefined) result.errorCode = failure.errorCode;

  return result;
}

function readItems(spec: BulkCallSpec, status: number, body: unknown): RowResults {
  const reading = readBulkResult(body);

  if (!reading.readable) {
    const message = `HTTP ${status}: ${reading.problem}`;
    return allRows(spec.rows, callFailed({ httpStatus: status, message }));
  }

  return new Map(
    spec.rows.map((row): [TrackedRow, RowCallResult] => {
      const error = reading.errorsById.get(row.item.registrationId.toLowerCase());
      if (error === undefined) return [row, { kind: 'ok', httpStatus: status }];

      const { errorCode, errorStatus } = error;
      return [row, { kind: 'item-error', httpStatus: status, errorCode, errorStatus }];
    }),
  );
}

function gaveUp(result: Extract<CallResult, { kind: 'gave-up' }>): RowCallResult {
  const { text, ...codes } = describeLastAnswer(result.last);
  const prefix = result.exhausted ? `gave up after ${result.attempts} attempts: ` : '';

  return callFailed({ ...codes, message: `${prefix}${text}` });
}

/** Resends the rows in two halves; each half may split again. */
async function split(
  context: DispatchContext,
  spec: BulkCallSpec,
  originalSize: number,
): Promise<RowResults> {
  const middle = Math.ceil(spec.rows.length / 2);
  const parts = [spec.rows.slice(0, middle), spec.rows.slice(middle)];

  const results = await Promise.all(
    parts.map((rows) => sendBulk(context, { ...spec, rows }, originalSize)),
  );
  return new Map(results.flatMap((result) => [...result]));
}

/** A body over the 96 KB message limit: split it, or fail the one row that cannot fit. */
function tooLarge(context: DispatchContext, spec: BulkCallSpec, originalSize: number) {
  if (spec.rows.length > 1) return split(context, spec, originalSize);

  const bytes = measureEnrollmentBytes(spec.enrollmentOf(spec.rows[0]!));
  const message =
    `enrollment JSON is ${bytes} bytes: no call can carry it under the ` +
    `${MAX_MESSAGE_BYTES}-byte message limit; not sent`;

  const failure = callFailed({ errorCode: 'message-too-large', message });
  return Promise.resolve(allRows(spec.rows, failure));
}

/** A whole-call rejection: split it while the rows may be the cause, else fail them all. */
function rejected(
  context: DispatchContext,
  spec: BulkCallSpec,
  originalSize: number,
  result: Extract<CallResult, { kind: 'answered' }>,
): RowResults | Promise<RowResults> {
  const { status } = result.reply;

  if (isSplittable(status) && spec.rows.length > 1) {
    const fields = { batchId: spec.batchId, status, rows: spec.rows.length };
    context.logger.info(fields, 'call rejected as a whole: resending in halves');
    return split(context, spec, originalSize);
  }

  const { errorCode, text } = describeServiceError(result.reply);
  const sank = isSplittable(status) && originalSize > 1;
  const note = sank ? ` (this row sank its call of ${originalSize} rows)` : '';
  const message = `HTTP ${status}: ${text}${note}`;

  return allRows(spec.rows, callFailed({ httpStatus: status, errorCode, message }));
}

/**
 * Decides a row whose result means the same in every mode: stopped → pending, a per-item
 * error → failed with the service's code and text, a failed call → failed.
 */
export function decideByDefault(
  context: DispatchContext,
  row: TrackedRow,
  result: Exclude<RowCallResult, { kind: 'ok' }>,
): void {
  if (result.kind === 'stopped') pendForStop(context, row);
  else if (result.kind === 'call-failed') context.ledger.fail(row, result);
  else {
    const { httpStatus, errorCode, errorStatus } = result;
    context.ledger.fail(row, { httpStatus, errorCode, message: errorStatus });
  }
}

/**
 * Sends the rows in one call (or, when the call is rejected as a whole, in smaller ones) and
 * returns each row's result. Adds the attempts of every call to the rows that took part in it.
 */
export async function sendBulk(
  context: DispatchContext,
  spec: BulkCallSpec,
  originalSize = spec.rows.length,
): Promise<RowResults> {
  const enrollments = spec.rows.map((row) => spec.enrollmentOf(row));

  if (measureBody(spec.mode, enrollments) > MAX_MESSAGE_BYTES) {
    return tooLarge(context, spec, originalSize);
  }

  const result = await performCall(context, {
    operation: `bulk-${spec.mode}`,
    batchId: spec.batchId,
    priority: spec.priority,
    send: (client) => client.bulk(spec.mode, enrollments),
    ...context.ledger.attemptHooks(spec.rows),
  });

  if (result.maybeApplied) for (const row of spec.rows) row.maybeApplied = true;

  if (result.kind === 'stopped') return allRows(spec.rows, { kind: 'stopped' });
  if (result.kind === 'gave-up') return allRows(spec.rows, gaveUp(result));

  const { status, body } = result.reply;
  if (status >= 200 && status < 300) return readItems(spec, status, body);

  return rejected(context, spec, originalSize, result);
}
