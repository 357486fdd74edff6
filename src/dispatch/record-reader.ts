/**
 * Reads the record the service holds for a row: GET, plus POST attestationmechanism when the
 * symmetric keys are needed (GET strips them, contract section 2.4). Every attempt counts
 * toward the row's attempts; the etag read is remembered on the row.
 */
import type { IndividualEnrollment, SymmetricKeyAttestation } from '../dps/contract/index.js';
import { performCall } from './call-runner.js';
import { PRIORITY_FOLLOW_UP, type DispatchContext } from './dispatch-context.js';
import type { RowFailure, TrackedRow } from './row-ledger.js';
import { describeLastAnswer, describeServiceError } from './service-answers.js';

/** What reading a row's stored record found. */
export type RecordReading =
  | { kind: 'found'; record: IndividualEnrollment; keys?: SymmetricKeyAttestation }
  | { kind: 'absent'; httpStatus: number; errorCode?: number | string }
  | ({ kind: 'failed' } & RowFailure)
  | { kind: 'stopped' };

type CallOutcome = { kind: 'body'; body: unknown } | Exclude<RecordReading, { kind: 'found' }>;

async function call(
  context: DispatchContext,
  row: TrackedRow,
  operation: 'get' | 'attestation',
): Promise<CallOutcome> {
  const id = row.item.registrationId;
  const result = await performCall(context, {
    operation,
    batchId: row.batchId,
    priority: PRIORITY_FOLLOW_UP,
    send: (client) => (operation === 'get' ? client.get(id) : client.attestationMechanism(id)),
    ...context.ledger.attemptHooks([row]),
  });

  if (result.kind === 'stopped') return { kind: 'stopped' };

  if (result.kind === 'gave-up') {
    const { text, ...codes } = describeLastAnswer(result.last);
    return { kind: 'failed', ...codes, message: `reading the stored enrollment failed: ${text}` };
  }

  const { status, body } = result.reply;
  if (status === 200 && typeof body === 'object' && body !== null) return { kind: 'body', body };

  const { errorCode, text } = describeServiceError(result.reply);
  if (status === 404) {
    return errorCode === undefined
      ? { kind: 'absent', httpStatus: status }
      : { kind: 'absent', httpStatus: status, errorCode };
  }

  const failure: RecordReading = {
    kind: 'failed',
    httpStatus: status,
    message: `reading the stored enrollment failed: HTTP ${status}: ${text}`,
  };
  if (errorCode !== undefined) failure.errorCode = errorCode;
  return failure;
}

/**
 * Reads the row's stored record; `withKeys(record)` says whether its symmetric keys are needed
 * too (decided once the record's attestation type is known).
 */
export async function readRecord(
  context: DispatchContext,
  row: TrackedRow,
  withKeys: (record: IndividualEnrollment) => boolean,
): Promise<RecordReading> {
  const got = await call(context, row, 'get');
  if (got.kind !== 'body') return got;

  const record = got.body as IndividualEnrollment;
  if (record.etag !== undefined) row.etag = record.etag;

  if (!withKeys(record)) return { kind: 'found', record };

  const attestation = await call(context, row, 'attestation');
  if (attestation.kind !== 'body') return attestation;

  const keys = (attestation.body as { symmetricKey?: SymmetricKeyAttestation }).symmetricKey;
  return keys === undefined ? { kind: 'found', record } : { kind: 'found', record, keys };
}
