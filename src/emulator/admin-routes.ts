/**
 * Test and rehearsal helpers under `/__emulator/`, outside the service API: no auth, no
 * api-version, not counted in the stats.
 * - `GET /__emulator/stats`: the counters.
 * - `POST /__emulator/reset`: forget every record and counter.
 * - `POST /__emulator/registrations/{registrationId}` (body `{"enrollmentGroupId": "…"}`
 *   optional): stand in for a device registering, so registration routes have something to show.
 */
import { ERROR_CODES } from '../dps/contract/index.js';
import { errorReply, jsonReply, NO_CONTENT_REPLY, type RouteReply } from './http/route-reply.js';
import { isObject } from './records/record-rules.js';
import { simulateRegistration } from './routes/registration-routes.js';
import { resetRuntime, type EmulatorRuntime } from './runtime.js';

/** Answers a `/__emulator/…` request; `segments` still include the leading `__emulator`. */
export function handleAdmin(
  runtime: EmulatorRuntime,
  method: string,
  segments: readonly string[],
  body: Buffer,
): RouteReply {
  const path = segments.slice(1).map((segment) => segment.toLowerCase());

  if (path.length === 1 && path[0] === 'stats') {
    return method === 'GET' ? jsonReply(runtime.state.stats()) : notAllowed('GET');
  }

  if (path.length === 1 && path[0] === 'reset') {
    if (method !== 'POST') return notAllowed('POST');
    resetRuntime(runtime);

    return NO_CONTENT_REPLY;
  }

  if (path.length === 2 && path[0] === 'registrations') {
    return method === 'POST' ? register(runtime, segments[2]!, body) : notAllowed('POST');
  }

  const message = 'Not found: /__emulator has stats, reset and registrations/{id}';

  return errorReply(404, ERROR_CODES.routeNotFound, message);
}

function register(runtime: EmulatorRuntime, registrationId: string, body: Buffer): RouteReply {
  let groupId: string | undefined;
  if (body.length > 0) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return errorReply(400, ERROR_CODES.badRequest, 'Bad request: the body is not valid JSON');
    }

    const value = isObject(parsed) ? parsed['enrollmentGroupId'] : undefined;
    groupId = typeof value === 'string' && value !== '' ? value : undefined;
  }

  const result = simulateRegistration(runtime.state, registrationId, groupId, Date.now());

  return result.ok
    ? jsonReply(result.state)
    : errorReply(result.status, ERROR_CODES.routeNotFound, result.message);
}

function notAllowed(allowed: string): RouteReply {
  const message = `Method not allowed; use ${allowed}`;

  return errorReply(405, ERROR_CODES.methodNotAllowed, message, { allow: allowed });
}
