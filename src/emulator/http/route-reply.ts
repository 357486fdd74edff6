/**
 * What a route answers: a status, an optional JSON body and extra headers. Errors are replies
 * too (values, not throws), built by `errorReply` with the contract's error body (section 2.5)
 * and the `x-ms-error-code` header.
 */
import { randomUUID } from 'node:crypto';
import type { ServiceErrorDetails } from '../../dps/contract/index.js';
import { formatServiceTimestamp } from '../store/timestamps.js';

/** What a route answers; written by `sendReply`. */
export interface RouteReply {
  status: number;
  /** Serialised as JSON; absent for 204. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Set on error replies; also sent as `x-ms-error-code`. */
  errorCode?: number;
}

/**
 * An error reply. `x-ms-error-code` carries the six-digit code as text: the header is declared
 * by the spec, its value format was never observed (contract 2.5), so the emulator repeats the
 * body's code.
 */
export function errorReply(
  status: number,
  errorCode: number,
  message: string,
  headers?: Record<string, string>,
): RouteReply {
  const body: ServiceErrorDetails = {
    errorCode,
    trackingId: randomUUID(),
    message,
    timestampUtc: formatServiceTimestamp(Date.now()),
  };

  return { status, body, errorCode, headers: { ...headers, 'x-ms-error-code': String(errorCode) } };
}

/** A 200 reply with a JSON body. */
export function jsonReply(body: unknown, headers?: Record<string, string>): RouteReply {
  return headers === undefined ? { status: 200, body } : { status: 200, body, headers };
}

/** The 204 of a DELETE or reset: no body. */
export const NO_CONTENT_REPLY: RouteReply = { status: 204 };
