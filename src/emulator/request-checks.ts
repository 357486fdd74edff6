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
import { formatServiceTimestamp } from './store/timestamps.js';
import { matchRoute, REQUIRED_PERMISSION, TAKES_JSON_BODY, type Operation } from './routes/route-table.js';
import type { EmulatorRuntime } from './runtime.js';

export type PreparedRequest =
  | { ok: true; operation: Operation; context: OperationContext }
  | { ok: false; reply: RouteReply };

const JSON_MEDIA_TYPE = 'application/json';

export function prepareRequest(
  runtime: EmulatorRuntime,
  request: IncomingMessage,
  segments: readonly string[],
  apiVersion: string | undefined,
  body: Buffer,
): PreparedRequest {
  const method = request.method ?? 'GET';
  const route = matchRoute(method, segments);
  if (route.kind === 'not-found') return refuse(errorReply(404, ERROR_CODES.routeNotFound, `Not found: no DPS route for ${method} /${segments.join('/')}`));
  if (route.kind === 'method-not-allowed') {
    const allowed = route.allowed.join(', ');

    return refuse(errorReply(405, ERROR_CODES.methodNotAllowed, `Method ${method} not allowed here; use ${allowed}`, { allow: allowed }));
  }

  const versionProblem = findApiVersionProblem(apiVersion);
  if (versionProblem !== undefined) return refuse(errorReply(400, ERROR_CODES.badRequest, versionProblem));

  const denied = checkAccess(runtime, request, route.operation);
  if (denied !== undefined) return refuse(denied);

  const parsedBody = TAKES_JSON_BODY.has(route.operation) ? parseJsonBody(request, body) : { ok: true as const, value: undefined };
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

function findApiVersionProblem(apiVersion: string | undefined): string | undefined {
  const accepted = ACCEPTED_API_VERSIONS.join(', ');
  if (apiVersion === undefined || apiVersion === '') {
    return `Bad request: the api-version query parameter is required (accepted: ${accepted})`;
  }

  if (!ACCEPTED_API_VERSIONS.includes(apiVersion)) {
    return `Bad request: api-version "${apiVersion.slice(0, 40)}" is not supported (accepted: ${accepted})`;
  }

  return undefined;
}

function checkAccess(runtime: EmulatorRuntime, request: IncomingMessage, operation: Operation): RouteReply | undefined {
  const result = runtime.authenticator.authenticate(request.headers.authorization, Math.floor(Date.now() / 1000));
  if (!result.ok) return errorReply(401, ERROR_CODES.unauthorized, `Unauthorized: ${result.reason}`);

  const needed = REQUIRED_PERMISSION[operation];
  if (result.permissions.has(needed)) return undefined;

  const status = runtime.settings.permissionDeniedStatus;
  const code = status === 401 ? ERROR_CODES.unauthorized : ERROR_CODES.forbidden;

  return errorReply(status, code, `Unauthorized: policy "${result.principal}" lacks the ${needed} permission`);
}

type JsonBody = { ok: true; value: unknown } | { ok: false; reply: RouteReply };

function parseJsonBody(request: IncomingMessage, body: Buffer): JsonBody {
  if (body.length === 0) return { ok: false, reply: errorReply(400, ERROR_CODES.badRequest, 'Bad request: a JSON body is required') };

  const mediaType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType !== JSON_MEDIA_TYPE) {
    const found = mediaType === '' ? 'none' : `"${mediaType.slice(0, 60)}"`;

    return { ok: false, reply: errorReply(415, ERROR_CODES.unsupportedMediaType, `Unsupported media type: Content-Type must be application/json, found ${found}`) };
  }

  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) };
  } catch {
    // The parser's own message quotes the body, which may hold keys: say only what and where.
    return { ok: false, reply: errorReply(400, ERROR_CODES.badRequest, `Bad request: the body (${body.length} bytes) is not valid JSON`) };
  }
}

function refuse(reply: RouteReply): PreparedRequest {
  return { ok: false, reply };
}
