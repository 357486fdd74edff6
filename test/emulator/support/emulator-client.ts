/**
 * A thin raw HTTP client for emulator tests: undici on loopback, SAS signed with the contract's
 * own helper, answers returned whole (status, headers, parsed body) so tests assert exactly.
 */
import { Agent, request } from 'undici';
import { createSasToken, parseConnectionString } from '../../../src/dps/contract/index.js';
import type { RunningEmulator } from '../../../src/emulator/index.js';

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
  text: string;
}

export interface SendOptions {
  method?: 'GET' | 'PUT' | 'POST' | 'DELETE' | 'PATCH';
  body?: unknown;
  /** Raw text body, sent as is. */
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
  /** Authorization header; the emulator's owner SAS when absent, none when null. */
  authorization?: string | null;
  /** Appended as `?api-version=…` unless null. */
  apiVersion?: string | null;
}

export class EmulatorClient {
  readonly #emulator: RunningEmulator;
  readonly #agent: Agent;
  readonly #connectionString: string;

  constructor(
    emulator: RunningEmulator,
    connectionString = emulator.connectionString,
    agent?: Agent,
  ) {
    this.#emulator = emulator;
    this.#connectionString = connectionString;
    this.#agent = agent ?? new Agent({ connections: 8 });
  }

  /** A SAS token for this emulator, valid for `lifetimeSeconds` (negative: already expired). */
  sas(lifetimeSeconds = 3600, connectionString = this.#connectionString): string {
    const connection = parseConnectionString(connectionString);

    return createSasToken({
      resource: connection.hostName,
      policyName: connection.sharedAccessKeyName,
      base64Key: connection.sharedAccessKey,
      expirySeconds: Math.floor(Date.now() / 1000) + lifetimeSeconds,
    });
  }

  async send(path: string, options: SendOptions = {}): Promise<RawAnswer> {
    const apiVersion = options.apiVersion === undefined ? '2021-10-01' : options.apiVersion;
    const separator = path.includes('?') ? '&' : '?';
    const query = apiVersion === null ? '' : `${separator}api-version=${apiVersion}`;
    const url = `${this.#emulator.endpoint}${path}${query}`;
    const headers: Record<string, string> = { ...options.headers };
    const authorization = options.authorization === undefined ? this.sas() : options.authorization;
    if (authorization !== null) headers['authorization'] = authorization;

    let body: string | Buffer | undefined = options.rawBody;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json; charset=utf-8';
    }

    const method = options.method ?? 'GET';
    const answer = await request(url, { method, headers, body, dispatcher: this.#agent });
    const text = await answer.body.text();

    return { status: answer.statusCode, headers: answer.headers, body: parseJson(text), text };
  }

  bulk(enrollments: unknown[], mode = 'create'): Promise<RawAnswer> {
    return this.send('/enrollments', { method: 'POST', body: { mode, enrollments } });
  }

  /** PUT /enrollments/{id} (percent-encoded), with optional extra headers such as If-Match. */
  put(id: string, body: unknown, headers?: Record<string, string>): Promise<RawAnswer> {
    return this.send(enrollmentPath(id), { method: 'PUT', body, headers: headers ?? {} });
  }

  get(id: string): Promise<RawAnswer> {
    return this.send(enrollmentPath(id));
  }

  remove(id: string, headers?: Record<string, string>): Promise<RawAnswer> {
    return this.send(enrollmentPath(id), { method: 'DELETE', headers: headers ?? {} });
  }

  attestation(id: string): Promise<RawAnswer> {
    return this.send(`${enrollmentPath(id)}/attestationmechanism`, { method: 'POST' });
  }

  /** POST {path} with `{ query }` and the paging headers given. */
  query(path: string, headers: Record<string, string> = {}, text = 'SELECT *'): Promise<RawAnswer> {
    return this.send(path, { method: 'POST', body: { query: text }, headers });
  }

  /** A `/__emulator/…` helper route: no auth, no api-version. */
  admin(path: string, method: 'GET' | 'POST' = 'GET', body?: unknown): Promise<RawAnswer> {
    const options: SendOptions = { method, body, authorization: null, apiVersion: null };

    return this.send(`/__emulator/${path}`, options);
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }
}

function enrollmentPath(id: string): string {
  return `/enrollments/${encodeURIComponent(id)}`;
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A symmetric-key enrollment with no keys (the service generates them). */
export function symmetricEnrollment(
  registrationId: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { registrationId, attestation: { type: 'symmetricKey' }, ...extra };
}

/** A base64 key of `bytes` random-looking bytes (test material, not a real key). */
export function testKey(bytes: number, fill = 7): string {
  return Buffer.alloc(bytes, fill).toString('base64');
}
