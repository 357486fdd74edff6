/**
 * One HTTP exchange over an undici dispatcher, ending in a value. A low-level handler (rather
 * than `request()`) lets us see the moment the request is put on a socket, which is what makes a
 * later failure ambiguous, and lets one timer bound the whole exchange.
 */
import type { Dispatcher } from 'undici';

import { classifyTransportError } from './transport-errors.js';
import type { TransportErrorCode } from './types.js';

/** Largest response body we keep, in bytes; DPS answers are far smaller. */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/** One request: everything the wire needs, nothing logged. */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path with query string, e.g. `/enrollments?api-version=2021-10-01`. */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

/** The raw result of one exchange, before the body is interpreted. */
export type HttpExchange =
  | { kind: 'reply'; status: number; headers: Record<string, string>; bodyText: string }
  | { kind: 'transport-error'; code: TransportErrorCode; sentRequest: boolean; detail: string };

type RawHeaders = Record<string, string | string[] | undefined>;

function flattenHeaders(headers: RawHeaders): Record<string, string> {
  const flat: Record<string, string> = {};

  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }

  return flat;
}

/** Collects one answer; settles exactly once, whichever of reply, error or timeout comes first. */
class ExchangeHandler implements Dispatcher.DispatchHandler {
  #controller: Dispatcher.DispatchController | undefined;
  #started = false;
  #settled = false;
  #status = 0;
  #headers: Record<string, string> = {};
  #chunks: Buffer[] = [];
  #bytes = 0;
  readonly #resolve: (exchange: HttpExchange) => void;

  constructor(resolve: (exchange: HttpExchange) => void) {
    this.#resolve = resolve;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    this.#started = true;

    // The timeout fired while the request still waited for a connection: never send it.
    if (this.#settled) controller.abort(new Error('request abandoned after its timeout'));
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: RawHeaders,
  ): void {
    // 1xx interim answers are not the reply.
    if (statusCode < 200) return;

    this.#status = statusCode;
    this.#headers = flattenHeaders(headers);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#bytes += chunk.length;

    if (this.#bytes > MAX_RESPONSE_BYTES) {
      this.#settle({
        kind: 'transport-error',
        code: 'response-too-large',
        sentRequest: true,
        detail: `response body passed ${MAX_RESPONSE_BYTES} bytes`,
      });
      controller.abort(new Error('response too large'));
      return;
    }

    this.#chunks.push(chunk);
  }

  onResponseEnd(): void {
    const bodyText = Buffer.concat(this.#chunks).toString('utf8');

    this.#settle({ kind: 'reply', status: this.#status, headers: this.#headers, bodyText });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.fail(error);
  }

  /** The exchange failed below HTTP (also when dispatching it threw). */
  fail(error: unknown): void {
    this.#settle({ kind: 'transport-error', ...classifyTransportError(error, this.#started) });
  }

  /** The whole-exchange timer ran out: settle now, and stop the exchange if it is running. */
  timeOut(timeoutMs: number): void {
    if (this.#settled) return;

    this.#settle({
      kind: 'transport-error',
      code: 'timeout',
      sentRequest: this.#started,
      detail: `no complete reply within ${timeoutMs} ms`,
    });
    this.#controller?.abort(new Error('request timed out'));
  }

  #settle(exchange: HttpExchange): void {
    if (this.#settled) return;

    this.#settled = true;
    this.#resolve(exchange);
  }
}

/** Sends one request and resolves with its reply or its transport error; never rejects. */
export function exchange(
  dispatcher: Dispatcher,
  request: HttpRequest,
  timeoutMs: number,
): Promise<HttpExchange> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const handler = new ExchangeHandler((result) => {
      clearTimeout(timer);
      resolve(result);
    });

    timer = setTimeout(() => handler.timeOut(timeoutMs), timeoutMs);

    try {
      dispatcher.dispatch(
        {
          method: request.method,
          path: request.path,
          headers: request.headers,
          body: request.body ?? null,
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        },
        handler,
      );
    } catch (error) {
      handler.fail(error);
    }
  });
}
