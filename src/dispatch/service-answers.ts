/**
 * Reading what the service said: the per-item result of a bulk call (contract section 2.2) and
 * the error details of a failed call (section 2.5). Service texts go into the report as they
 * are, cut short; bodies are never logged.
 */
import type { BulkOperationError, ServiceErrorDetails } from '../dps/contract/index.js';
import type { DpsAnswer, DpsReply } from '../dps/client/index.js';

/** Longest service text we copy into a row's message, in characters. */
export const MAX_SERVICE_TEXT_CHARACTERS = 300;

/** A 2xx bulk reply, read. */
export type BulkResultReading =
  /** Per-item errors keyed by lower-cased registration ID; every other item succeeded. */
  | { readable: true; errorsById: Map<string, BulkOperationError> }
  | { readable: false; problem: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isBulkError(value: unknown): value is BulkOperationError {
  return isRecord(value) && typeof value['registrationId'] === 'string';
}

/** Reads a 2xx bulk reply body. IDs match case-insensitively, as the service treats them. */
export function readBulkResult(body: unknown): BulkResultReading {
  if (!isRecord(body)) return { readable: false, problem: 'the reply has no bulk result body' };

  const errors = body['errors'];
  const errorsById = new Map<string, BulkOperationError>();

  if (Array.isArray(errors)) {
    for (const error of errors.filter(isBulkError)) {
      errorsById.set(error.registrationId.toLowerCase(), error);
    }
  }

  // `isSuccessful: false` with no item named cannot be pinned on any row.
  if (body['isSuccessful'] === false && errorsById.size === 0) {
    const problem = 'the reply says isSuccessful:false without naming an item';
    return { readable: false, problem };
  }

  if (!Array.isArray(errors) && body['isSuccessful'] !== true) {
    return { readable: false, problem: 'the reply has neither errors[] nor isSuccessful' };
  }

  return { readable: true, errorsById };
}

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= MAX_SERVICE_TEXT_CHARACTERS) return flat;

  return `${flat.slice(0, MAX_SERVICE_TEXT_CHARACTERS)}…`;
}

/** A service's code and text, as the report shows them. */
export interface ServiceErrorText {
  errorCode?: number | string;
  text: string;
}

/** The code and text of a failed reply: body fields first, then `x-ms-error-code`. */
export function describeServiceError(reply: DpsReply): ServiceErrorText {
  const body = reply.body;
  const details: ServiceErrorDetails = isRecord(body) ? (body as ServiceErrorDetails) : {};
  const errorCode = details.errorCode ?? details.code ?? reply.headers['x-ms-error-code'];
  const bodyText = typeof body === 'string' ? body : undefined;
  const text = shorten(details.message ?? bodyText ?? `HTTP ${reply.status}`);

  return errorCode === undefined ? { text } : { errorCode, text };
}

/** A one-line account of a call's last answer, for a row that failed because of it. */
export function describeLastAnswer(answer: DpsAnswer): ServiceErrorText & { httpStatus?: number } {
  if (answer.kind === 'transport-error') {
    const reach = answer.sentRequest ? 'may have reached' : 'never reached';
    return { errorCode: answer.code, text: `${answer.code} (the request ${reach} the service)` };
  }

  const { errorCode, text } = describeServiceError(answer);
  const described = { httpStatus: answer.status, text: `HTTP ${answer.status}: ${text}` };

  return errorCode === undefined ? described : { ...described, errorCode };
}
