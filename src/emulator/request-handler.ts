/**
 * One service request from arrival to answer: read the body (bounded), check it, take a
 * throttle token, meet any injected fault, apply the operation, answer. Nothing here logs or
 * touches the disk, because this is the hot path of every benchmark.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ERROR_CODES } from '../dps/contract/index.js';
import { handleAdmin } from './admin-routes.js';
import { parseTarget } from './http/parse-target.js';
import { readBody } from './http/read-body.js';
import { errorReply, type RouteReply } from './http/route-reply.js';
import { sendReply } from './http/send-reply.js';
import { prepareRequest } from './request-checks.js';
import type { OperationContext } from './routes/operation-context.js';
import { OPERATIONS } from './routes/operations.js';
import type { Operation } from './routes/route-table.js';
import { holdFor, type EmulatorRuntime } from './runtime.js';
import { retryAfterSeconds } from './throttle/token-bucket.js';

type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

const ADMIN_SEGMENT = '__emulator';

/** The HTTP(S) server's request listener for one running emulator. */
export function createRequestListener(runtime: EmulatorRuntime): RequestListener {
  return (request, response) => {
    handleRequest(runtime, request, response).catch(() => {
      // A bug must not take the emulator down: answer 500 and keep serving.
      const reply = errorReply(500, ERROR_CODES.internalError, 'Internal emulator error');
      sendReply(response, reply, runtime.isTls);
    });
  };
}

async function handleRequest(
  runtime: EmulatorRuntime,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const answer = (reply: RouteReply): void => sendReply(response, reply, runtime.isTls);
  const target = parseTarget(request.url ?? '/');
  const isAdmin = target.ok && target.segments[0]?.toLowerCase() === ADMIN_SEGMENT;
  if (!isAdmin) runtime.state.counters.requests += 1;

  const body = await readBody(request, runtime.settings.maxBodyBytes);
  if (body.kind === 'aborted') return;
  if (body.kind === 'too-large') return answer(body.reply);
  if (!target.ok) return answer(target.reply);
  if (isAdmin) {
    return answer(handleAdmin(runtime, request.method ?? 'GET', target.segments, body.bytes));
  }

  const prepared = prepareRequest(runtime, request, target.segments, target.apiVersion, body.bytes);
  if (!prepared.ok) return answer(prepared.reply);

  const throttled = takeThrottleToken(runtime, prepared.operation, prepared.context);
  if (throttled !== undefined) return answer(throttled);

  runtime.state.counters.operations += 1;
  const reply = await applyWithFaults(runtime, request, prepared.operation, prepared.context);
  if (reply !== undefined) answer(reply);
}

/** The operation's reply, or undefined when an injected fault dropped the connection. */
async function applyWithFaults(
  runtime: EmulatorRuntime,
  request: IncomingMessage,
  operation: Operation,
  context: OperationContext,
): Promise<RouteReply | undefined> {
  const fault = runtime.faults.decide();
  const counters = runtime.state.counters;

  if (fault.latencyMs > 0) {
    counters.faults += 1;
    await holdFor(runtime, fault.latencyMs);
  }

  if (fault.outcome !== 'none') counters.faults += 1;
  switch (fault.outcome) {
    case 'drop-before-apply':
      request.socket.destroy();

      return undefined;
    case 'internal-error':
      return errorReply(500, ERROR_CODES.internalError, 'Internal server error (injected fault)');
    case 'service-unavailable':
      return errorReply(
        503,
        ERROR_CODES.serviceUnavailable,
        'Service unavailable (injected fault)',
      );
    default:
      break;
  }

  const reply = OPERATIONS[operation](context);
  if (fault.outcome === 'drop-after-apply') {
    request.socket.destroy();

    return undefined;
  }

  if (fault.outcome === 'slow-response') await holdFor(runtime, fault.responseDelayMs);

  return reply;
}

/**
 * One operation per HTTP call (issue 3), or one per item of a bulk call when the switch says
 * so. Over the quota: 429 with `Retry-After` in whole seconds unless turned off.
 */
function takeThrottleToken(
  runtime: EmulatorRuntime,
  operation: Operation,
  context: OperationContext,
): RouteReply | undefined {
  if (runtime.bucket === undefined) return undefined;

  const countsItems = operation === 'bulk' && runtime.settings.countBulkItems;
  const taken = runtime.bucket.take(countsItems ? countBulkItems(context) : 1, performance.now());
  if (taken.granted) return undefined;

  runtime.state.counters.throttled += 1;
  const headers = runtime.settings.retryAfter
    ? { 'retry-after': String(retryAfterSeconds(taken.retryAfterMs)) }
    : undefined;
  const message = 'Too many requests: the operations-per-minute quota is used up';

  return errorReply(429, ERROR_CODES.throttled, message, headers);
}

function countBulkItems(context: OperationContext): number {
  const body = context.body as Record<string, unknown> | null;
  const list = body?.[context.recordKind.bulkField];

  return Array.isArray(list) && list.length > 0 ? list.length : 1;
}
