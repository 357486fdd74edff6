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

export function createRequestListener(runtime: EmulatorRuntime) {
  return (request: IncomingMessage, response: ServerResponse): void => {
    handleRequest(runtime, request, response).catch(() => {
      // A bug must not take the emulator down: answer 500 and keep serving.
      answer(runtime, response, errorReply(500, ERROR_CODES.internalError, 'Internal emulator error'));
    });
  };
}

async function handleRequest(runtime: EmulatorRuntime, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const target = parseTarget(request.url ?? '/');
  const isAdmin = target.ok && target.segments[0]?.toLowerCase() === '__emulator';
  if (!isAdmin) runtime.state.counters.requests += 1;

  const body = await readBody(request, runtime.settings.maxBodyBytes);
  if (body.kind === 'aborted') return;
  if (body.kind === 'too-large') return answer(runtime, response, body.reply);
  if (!target.ok) return answer(runtime, response, target.reply);
  if (isAdmin) return answer(runtime, response, handleAdmin(runtime, request.method ?? 'GET', target.segments, body.bytes));

  const prepared = prepareRequest(runtime, request, target.segments, target.apiVersion, body.bytes);
  if (!prepared.ok) return answer(runtime, response, prepared.reply);

  const throttled = takeThrottleToken(runtime, prepared.operation, prepared.context);
  if (throttled !== undefined) return answer(runtime, response, throttled);

  runtime.state.counters.operations += 1;
  await applyWithFaults(runtime, request, response, prepared.operation, prepared.context);
}

async function applyWithFaults(
  runtime: EmulatorRuntime,
  request: IncomingMessage,
  response: ServerResponse,
  operation: Operation,
  context: OperationContext,
): Promise<void> {
  const fault = runtime.faults.decide();
  const counters = runtime.state.counters;

  if (fault.latencyMs > 0) {
    counters.faults += 1;
    await holdFor(runtime, fault.latencyMs);
  }

  if (fault.outcome !== 'none') counters.faults += 1;
  if (fault.outcome === 'drop-before-apply') return void request.socket.destroy();
  if (fault.outcome === 'internal-error') {
    return answer(runtime, response, errorReply(500, ERROR_CODES.internalError, 'Internal server error (injected fault)'));
  }

  if (fault.outcome === 'service-unavailable') {
    return answer(runtime, response, errorReply(503, ERROR_CODES.serviceUnavailable, 'Service unavailable (injected fault)'));
  }

  const reply = OPERATIONS[operation](context);
  if (fault.outcome === 'drop-after-apply') return void request.socket.destroy();
  if (fault.outcome === 'slow-response') await holdFor(runtime, fault.responseDelayMs);

  answer(runtime, response, reply);
}

/**
 * One operation per HTTP call (issue 3), or one per item of a bulk call when the switch says
 * so. Over the quota: 429 with `Retry-After` in whole seconds unless turned off.
 */
function takeThrottleToken(runtime: EmulatorRuntime, operation: Operation, context: OperationContext): RouteReply | undefined {
  if (runtime.bucket === undefined) return undefined;

  const items = operation === 'bulk' && runtime.settings.countBulkItems ? countBulkItems(context) : 1;
  const taken = runtime.bucket.take(items, performance.now());
  if (taken.granted) return undefined;

  runtime.state.counters.throttled += 1;
  const headers = runtime.settings.retryAfter ? { 'retry-after': String(retryAfterSeconds(taken.retryAfterMs)) } : undefined;

  return errorReply(429, ERROR_CODES.throttled, 'Too many requests: the operations-per-minute quota is used up', headers);
}

function countBulkItems(context: OperationContext): number {
  const body = context.body as Record<string, unknown> | null;
  const list = body?.[context.recordKind.bulkField];

  return Array.isArray(list) && list.length > 0 ? list.length : 1;
}

function answer(runtime: EmulatorRuntime, response: ServerResponse, reply: RouteReply): void {
  sendReply(response, reply, runtime.isTls);
}
