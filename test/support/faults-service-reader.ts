/**
 * Reads what an emulator holds through its service API, signed with the owner policy: one query
 * for every individual enrollment, and (optionally) the attestation mechanism of each for its
 * symmetric keys, which GET and query strip. Reads tolerate the faults a test injected: 429 waits
 * its Retry-After, 5xx and dropped connections are tried again, all within a bounded budget.
 */
import { Agent, request } from 'undici';

import { createSasToken, parseConnectionString } from '../../src/dps/contract/index.js';
import type { EmulatorStats } from '../../src/emulator/index.js';

/** Where an emulator answers and how to sign for it (a secret: never print it). */
export interface ServiceAccess {
  endpoint: string;
  connectionString: string;
}

/** The fields of a stored enrollment the invariants compare. */
export interface HeldEnrollment {
  registrationId: string;
  deviceId?: string;
  attestationType?: string;
  provisioningStatus?: string | null;
  tags?: Record<string, unknown>;
  etag?: string;
  primaryKey?: string;
  secondaryKey?: string;
}

const API_VERSION = '2021-10-01';
const MAX_READ_ATTEMPTS = 12;
const RETRY_WAIT_MS = 5;
/** A 429 without Retry-After: about one token of a slow emulator's bucket. */
const THROTTLED_WAIT_MS = 250;
const LONGEST_RETRY_AFTER_MS = 5_000;
const PAGE_SIZE = 10_000;
const KEY_READS_AT_ONCE = 4;

interface Answer {
  status: number;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

/** Reads one emulator's records and counters; close() frees its connections. */
export class ServiceReader {
  readonly #access: ServiceAccess;
  readonly #agent = new Agent({ connections: 4 });

  constructor(access: ServiceAccess) {
    this.#access = access;
  }

  /** The emulator's counters from `GET /__emulator/stats` (not counted by the emulator). */
  async stats(): Promise<EmulatorStats> {
    const answer = await request(`${this.#access.endpoint}/__emulator/stats`, {
      dispatcher: this.#agent,
    });

    return (await answer.body.json()) as EmulatorStats;
  }

  /**
   * Every individual enrollment held, by lower-cased registration ID; with `withKeys`, one more
   * call per record fetches its symmetric keys.
   */
  async readAll(withKeys: boolean): Promise<Map<string, HeldEnrollment>> {
    const held = new Map<string, HeldEnrollment>();
    let continuation: string | undefined;

    do {
      const headers: Record<string, string> = { 'x-ms-max-item-count': String(PAGE_SIZE) };
      if (continuation !== undefined) headers['x-ms-continuation'] = continuation;

      const answer = await this.#send('POST', '/enrollments/query', headers, { query: 'SELECT *' });
      for (const record of answer.body as Record<string, any>[]) {
        held.set(String(record['registrationId']).toLowerCase(), toHeld(record));
      }

      const next = answer.headers['x-ms-continuation'];
      continuation = typeof next === 'string' && next !== '' ? next : undefined;
    } while (continuation !== undefined);

    if (withKeys) await this.#readAllKeys([...held.values()]);

    return held;
  }

  async close(): Promise<void> {
    await this.#agent.close();
  }

  /** Key reads, a few at a time: one request per record. */
  async #readAllKeys(records: HeldEnrollment[]): Promise<void> {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < records.length) await this.#readKeys(records[next++]!);
    };

    await Promise.all(Array.from({ length: KEY_READS_AT_ONCE }, worker));
  }

  async #readKeys(record: HeldEnrollment): Promise<void> {
    const path = `/enrollments/${encodeURIComponent(record.registrationId)}/attestationmechanism`;
    const answer = await this.#send('POST', path, {}, undefined);
    const keys = (answer.body as { symmetricKey?: { primaryKey?: string; secondaryKey?: string } })
      .symmetricKey;

    if (keys?.primaryKey !== undefined) record.primaryKey = keys.primaryKey;
    if (keys?.secondaryKey !== undefined) record.secondaryKey = keys.secondaryKey;
  }

  /** One read, tried again on throttling, server errors and dropped connections. */
  async #send(
    method: 'GET' | 'POST',
    path: string,
    headers: Record<string, string>,
    body: unknown,
  ): Promise<Answer> {
    let lastProblem = '';

    for (let attempt = 1; attempt <= MAX_READ_ATTEMPTS; attempt += 1) {
      const answer = await this.#attempt(method, path, headers, body).catch((error: Error) => {
        lastProblem = error.message;
        return undefined;
      });

      if (answer !== undefined && answer.status === 200) return answer;

      if (answer !== undefined) lastProblem = `HTTP ${answer.status}`;
      if (answer !== undefined && answer.status !== 429 && answer.status < 500) break;

      await wait(retryWaitMs(answer));
    }

    throw new Error(`reading ${method} ${path} from the emulator failed: ${lastProblem}`);
  }

  async #attempt(
    method: 'GET' | 'POST',
    path: string,
    headers: Record<string, string>,
    body: unknown,
  ): Promise<Answer> {
    const all: Record<string, string> = { ...headers, authorization: this.#signature() };
    if (body !== undefined) all['content-type'] = 'application/json';

    const answer = await request(`${this.#access.endpoint}${path}?api-version=${API_VERSION}`, {
      method,
      headers: all,
      body: body === undefined ? undefined : JSON.stringify(body),
      dispatcher: this.#agent,
    });
    const text = await answer.body.text();

    return {
      status: answer.statusCode,
      headers: answer.headers,
      body: text === '' ? undefined : JSON.parse(text),
    };
  }

  #signature(): string {
    const connection = parseConnectionString(this.#access.connectionString);

    return createSasToken({
      resource: connection.hostName,
      policyName: connection.sharedAccessKeyName,
      base64Key: connection.sharedAccessKey,
      expirySeconds: Math.floor(Date.now() / 1_000) + 600,
    });
  }
}

function toHeld(record: Record<string, any>): HeldEnrollment {
  const held: HeldEnrollment = { registrationId: String(record['registrationId']) };

  if (record['deviceId'] !== undefined) held.deviceId = record['deviceId'];
  if (record['attestation']?.type !== undefined) held.attestationType = record['attestation'].type;
  if ('provisioningStatus' in record) held.provisioningStatus = record['provisioningStatus'];
  if (record['initialTwin']?.tags !== undefined)
    held.tags = stripTwinMetadata(record['initialTwin'].tags);
  if (record['etag'] !== undefined) held.etag = record['etag'];

  return held;
}

/** The service may add `version`/`count` to a twin collection; tags compare without them. */
function stripTwinMetadata(tags: Record<string, unknown>): Record<string, unknown> {
  const { version: _version, count: _count, metadata: _metadata, ...rest } = tags;

  return rest;
}

function retryWaitMs(answer: Answer | undefined): number {
  const header = answer?.headers['retry-after'];
  const seconds = typeof header === 'string' ? Number(header) : Number.NaN;

  if (Number.isFinite(seconds)) return Math.min(seconds * 1_000, LONGEST_RETRY_AFTER_MS);

  return answer?.status === 429 ? THROTTLED_WAIT_MS : RETRY_WAIT_MS;
}

function wait(delayMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, delayMs));
}
