/**
 * The DPS REST client: one undici keep-alive pool to the endpoint, SAS or bearer authorization,
 * the contract's headers (section 6), and answers as values. It neither retries nor logs: retry
 * decisions belong to dispatch/, and nothing here could log a body or a token by accident.
 */
import { randomUUID } from 'node:crypto';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';

import { Pool } from 'undici';

import type { BulkMode, IndividualEnrollment } from '../contract/index.js';
import type { ServiceTarget } from '../../job/run-config.js';
import { createCredentialSource, type CredentialSource } from './credentials.js';
import { DpsClientError } from './errors.js';
import { RequestPaths } from './request-paths.js';
import { exchange, type HttpRequest } from './transport.js';
import type { DpsAnswer, DpsClient, DpsClientOptions } from './types.js';
import { defaultUserAgent } from './user-agent.js';

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** How long close() lets requests in flight end before it cuts them, in milliseconds. */
export const CLOSE_GRACE_MS = 2_000;

interface ParsedEndpoint {
  origin: string;
  basePath: string;
  isHttps: boolean;
}

function parseEndpoint(endpoint: string): ParsedEndpoint {
  let url: URL;

  try {
    url = new URL(endpoint);
  } catch (error) {
    throw new DpsClientError('invalid-endpoint', `endpoint: not a URL, got "${endpoint}"`, {
      cause: error,
    });
  }

  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    const message = `endpoint: must start with http:// or https://, got "${url.protocol}"`;
    throw new DpsClientError('invalid-endpoint', message);
  }

  return { origin: url.origin, basePath: url.pathname, isHttps: url.protocol === 'https:' };
}

function createPool(
  endpoint: ParsedEndpoint,
  target: ServiceTarget,
  options: DpsClientOptions,
): Pool {
  if (!Number.isInteger(options.connections) || options.connections < 1) {
    const message = `connections: must be a whole number of at least 1, got ${options.connections}`;
    throw new DpsClientError('invalid-option', message);
  }

  const connect: { timeout: number; secureContext?: SecureContext } = {
    timeout: options.requestTimeoutMs,
  };

  if (target.caCertificate !== undefined && endpoint.isHttps) {
    if (!target.caCertificate.includes('-----BEGIN CERTIFICATE-----')) {
      throw new DpsClientError('invalid-ca-certificate', 'caCertificate: expected PEM text');
    }

    // `ca` replaces Node's trust store, so the public roots go along with the extra one. One
    // context for the pool: built per connection, loading every root costs ~60 ms of CPU each.
    connect.secureContext = createSecureContext({
      ca: [...rootCertificates, target.caCertificate],
    });
  }

  return new Pool(endpoint.origin, { connections: options.connections, pipelining: 1, connect });
}

function parseBody(text: string, contentType: string | undefined): unknown {
  if (text === '') return undefined;
  if (contentType !== undefined && !contentType.toLowerCase().includes('json')) return text;

  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

class UndiciDpsClient implements DpsClient {
  readonly #pool: Pool;
  readonly #paths: RequestPaths;
  readonly #credentials: CredentialSource;
  readonly #timeoutMs: number;
  readonly #closeGraceMs: number;
  readonly #userAgent: string;
  #closing: Promise<void> | undefined;

  constructor(target: ServiceTarget, options: DpsClientOptions) {
    const endpoint = parseEndpoint(target.endpoint);

    this.#pool = createPool(endpoint, target, options);
    this.#paths = new RequestPaths(endpoint.basePath);
    this.#credentials = createCredentialSource(target, options.now ?? Date.now);
    this.#timeoutMs = options.requestTimeoutMs;
    this.#closeGraceMs = options.closeGraceMs ?? CLOSE_GRACE_MS;
    this.#userAgent = options.userAgent ?? defaultUserAgent();
  }

  get credentialGeneration(): number {
    return this.#credentials.generation;
  }

  bulk(mode: BulkMode, enrollments: readonly IndividualEnrollment[]): Promise<DpsAnswer> {
    return this.#send('POST', this.#paths.bulk(), { body: { mode, enrollments } });
  }

  get(registrationId: string): Promise<DpsAnswer> {
    return this.#send('GET', this.#paths.enrollment(registrationId));
  }

  put(enrollment: IndividualEnrollment, ifMatch?: string): Promise<DpsAnswer> {
    const path = this.#paths.enrollment(enrollment.registrationId);
    return this.#send('PUT', path, { body: enrollment, ifMatch });
  }

  delete(registrationId: string, ifMatch?: string): Promise<DpsAnswer> {
    return this.#send('DELETE', this.#paths.enrollment(registrationId), { ifMatch });
  }

  attestationMechanism(registrationId: string): Promise<DpsAnswer> {
    return this.#send('POST', this.#paths.attestationMechanism(registrationId));
  }

  query(query: string, pageSize?: number, continuation?: string): Promise<DpsAnswer> {
    const extra: Record<string, string> = {};
    if (pageSize !== undefined && pageSize > 0) extra['x-ms-max-item-count'] = String(pageSize);
    if (continuation !== undefined) extra['x-ms-continuation'] = continuation;

    return this.#send('POST', this.#paths.query(), { body: { query }, extra });
  }

  renewCredential(): boolean {
    return this.#credentials.renew();
  }

  close(): Promise<void> {
    this.#closing ??= this.#closeWithGrace();
    return this.#closing;
  }

  async #closeWithGrace(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), this.#closeGraceMs);
    });

    // A request left hanging (say, after a drain timeout) must not keep the process alive.
    const closing = this.#pool.close();
    if ((await Promise.race([closing, grace])) === 'late') await this.#pool.destroy();

    clearTimeout(timer);
  }

  async #send(
    method: HttpRequest['method'],
    path: string,
    options: { body?: unknown; ifMatch?: string | undefined; extra?: Record<string, string> } = {},
  ): Promise<DpsAnswer> {
    const started = performance.now();
    const request = this.#buildRequest(method, path, options);
    // Read after building: authorization() may just have issued a fresh token.
    const credentialGeneration = this.#credentials.generation;

    const result = await exchange(this.#pool, request, this.#timeoutMs);
    const durationMs = Math.round(performance.now() - started);

    if (result.kind === 'transport-error') return { ...result, durationMs, credentialGeneration };

    return {
      kind: 'reply',
      status: result.status,
      headers: result.headers,
      body: parseBody(result.bodyText, result.headers['content-type']),
      durationMs,
      credentialGeneration,
    };
  }

  #buildRequest(
    method: HttpRequest['method'],
    path: string,
    options: { body?: unknown; ifMatch?: string | undefined; extra?: Record<string, string> },
  ): HttpRequest {
    const headers: Record<string, string> = {
      authorization: this.#credentials.authorization(),
      'request-id': randomUUID(),
      'user-agent': this.#userAgent,
      ...options.extra,
    };

    if (method !== 'DELETE') headers['accept'] = 'application/json';
    if (options.ifMatch !== undefined) headers['if-match'] = options.ifMatch;
    if (options.body === undefined) return { method, path, headers };

    headers['content-type'] = JSON_CONTENT_TYPE;
    return { method, path, headers, body: Buffer.from(JSON.stringify(options.body), 'utf8') };
  }
}

/** A client for one endpoint; throws DpsClientError only for a bad endpoint, CA or option. */
export function createDpsClient(target: ServiceTarget, options: DpsClientOptions): DpsClient {
  return new UndiciDpsClient(target, options);
}
