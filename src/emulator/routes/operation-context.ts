/**
 * What an operation gets to work with: the service state, the settings, and the parts of the
 * request that matter to it (already authenticated, throttled and parsed).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { ERROR_CODES } from '../../dps/contract/index.js';
import { errorReply, type RouteReply } from '../http/route-reply.js';
import type { WriteClock } from '../records/normalize-record.js';
import type { RecordKind } from '../records/record-kind.js';
import type { ServiceState } from '../service-state.js';
import type { EmulatorSettings } from '../settings.js';
import { unquoteEtag } from '../store/timestamps.js';

/** Everything one operation works with. */
export interface OperationContext {
  state: ServiceState;
  settings: EmulatorSettings;
  recordKind: RecordKind;
  /** Percent-decoded ID from the path, when the route has one. */
  id: string | undefined;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body; undefined when the route takes none. */
  body: unknown;
  /** The request's time; every write of one request carries the same timestamp. */
  clock: WriteClock;
}

/** The `If-Match` etag without quotes, or undefined when the header is absent or empty. */
export function readIfMatch(headers: IncomingHttpHeaders): string | undefined {
  const value = headers['if-match'];
  if (value === undefined || value.trim() === '') return undefined;

  return unquoteEtag(value);
}

/** 404 with the kind's not-found code (404201 or 404204). */
export function notFoundReply(kind: RecordKind): RouteReply {
  return errorReply(404, kind.notFoundCode, kind.notFoundText);
}

/** 412 with the placeholder code 412002. */
export function preconditionFailedReply(what: string): RouteReply {
  return errorReply(412, ERROR_CODES.preconditionFailed, `Precondition failed: ${what}`);
}

/** 400 with the placeholder code 400000. */
export function badRequestReply(message: string): RouteReply {
  return errorReply(400, ERROR_CODES.badRequest, message);
}
