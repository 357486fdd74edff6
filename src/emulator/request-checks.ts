/**
 * The checks a service request passes before it reaches its operation, in the order the
 * emulator applies them: route (404/405), api-version (400), authentication (401), permission
 * (403 by default), then the body's media type (415) and JSON (400).
 */
import type { IncomingMessage } from 'node:http';
import { ACCEPTED_API_VERSIONS, ERROR_CODES } from '../dps/contract/index.js';
import { errorReply, type RouteReply } from './http/route-reply.js';
import type { WriteClock } from './records/normalize-record.js';
import type { OperationContext } from './routes/operation-context.js';
import {
  matchRoute,
  REQUIRED_PERMISSION,
  TAKES_JSON_BODY,
  type Operation,
} from './routes/route-table.js';
import type { EmulatorRuntime } from './runtime.js';
import { formatServiceTimestamp } from './store/timestamps.js';

/** A request ready for its operation, or the reply that refuses it. */
export type PreparedRequest =
  { ok: true; operation: Operation; context: OperationContext } | { ok: false; reply: RouteReply };

type JsonBody = { ok: true; value: unknown } | { ok: false; reply: RouteReply };

const JSON_MEDIA_TYPE = 'application/json';
const NO_BODY: JsonBody = { ok: true, value: undefined };

/** Runs every check before the operation, in the order the module comment lists. */
export function prepareRequest(
  runtime: EmulatorRuntime,
  request: IncomingMessage,
  segments: readonly string[],
  apiVersion: string | undefined,
  body: Buffer,
): PreparedRequest {
  const method = request.method ?? 'GET';
  const route = matchRoute(method, segments);
  if (route.kind === 'not-found') {
    const message = `Not found: no DPS route for ${method} /${segments.join('/')}`;

    return refuse(errorReply(404, ERROR_CODES.routeNotFound, message));
  }

  if (route.kind === 'method-not-allowed') {
    const allowed = route.allowed.join(', ');
    const message = `Method ${method} not allowed here; use ${allowed}`;

    return refuse(errorReply(405, ERROR_CODES.methodNotAllowed, message, { allow: allowed }));
  }

  const versionProblem = findApiVersionProblem(apiVersion);
  if (versionProblem !== undefined) {
    return refuse(errorReply(400, ERROR_CODES.badRequest, versionProblem));
  }

  const denied = checkAccess(runtime, request, route.operation);
  if (denied !== undefined) return refuse(denied);

  const parsedBody = TAKES_JSON_BODY.has(route.operation) ? parseJsonBody(request, body) : NO_BODY;
  if (!parsedBody.ok) return refuse(parsedBody.reply);

  const context: OperationContext = {
    state: runtime.state,
    settings: runtime.settings,
    recordKind: route.recordKind,
    id: route.id,
    headers: request.headers,
    body: parsedBody.value,
    clock: readClock(),
  };

  return { ok: true, operation: route.operation, context };
}

function readClock(): WriteClock {
  const nowMs = Date.now();

  return { nowMs, timestamp: formatServiceTimestamp(nowMs) };
}

/** Unconfirmed what the service answers (contract 1.1); the emulator says 400 and why. */
function findApiVersionProblem(apiVersion: string | undefined): string | undefined {
  const accepted = `(accepted: ${ACCEPTED_API_VERSIONS.join(', ')})`;
  if (apiVersion === undefined || apiVersion === '') {
    return `Bad request: the api-version query parameter is required ${accepted}`;
  }

  if (!ACCEPTED_API_VERSIONS.includes(apiVersion)) {
    return `Bad request: api-version "${apiVersion.slice(0, 40)}" is not supported ${accepted}`;
  }

  return undefined;
}

function checkAccess(
  runtime: EmulatorRuntime,
  request: IncomingMessage,
  operation: Operation,
): RouteReply | undefined {
  const nowSeconds = Math.floor(Date.now() / 1000);
  const result = runtime.authenticator.authenticate(request.headers.authorization, nowSeconds);
  if (!result.ok) {
    return errorReply(401, ERROR_CODES.unauthorized, `Unauthorized: ${result.reason}`);
  }

  const needed = REQUIRED_PERMISSION[operation];
  if (result.permissions.has(needed)) return undefined;

  const status = runtime.settings.permissionDeniedStatus;
  const code = status === 401 ? ERROR_CODES.unauthorized : ERROR_CODES.forbidden;
  const message = `Unauthorized: policy "${result.principal}" lacks the ${needed} permission`;

  return errorReply(status, code, message);
}

function parseJsonBody(request: IncomingMessage, body: Buffer): JsonBody {
  if (body.length === 0) {
    return rejectBody(400, ERROR_CODES.badRequest, 'Bad request: a JSON body is required');
  }

  const contentType = request.headers['content-type'] ?? '';
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
  if (mediaType !== JSON_MEDIA_TYPE) {
    const found = mediaType === '' ? 'none' : `"${mediaType.slice(0, 60)}"`;
    const message = `Unsupported media type: Content-Type must be application/json, found ${found}`;

    return rejectBody(415, ERROR_CODES.unsupportedMediaType, message);
  }

  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) };
  } catch {
    // The parser's own message quotes the body, which may hold keys: say only what and where.
    const message = `Bad request: the body (${body.length} bytes) is not valid JSON`;

    return rejectBody(400, ERROR_CODES.badRequest, message);
  }
}

function rejectBody(status: number, errorCode: number, message: string): JsonBody {
  return { ok: false, reply: errorReply(status, errorCode, message) };
}

function refuse(reply: RouteReply): PreparedRequest {
  return { ok: false, reply };
}
