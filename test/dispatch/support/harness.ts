/**
 * Runs a dispatcher against a scripted loopback server and collects what it reports. Keys and
 * tokens are generated per test; none is real.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';

import { pino } from 'pino';

import type { Batch, SendItem } from '../../../src/batching/index.js';
import { createDispatcher, RateGovernor } from '../../../src/dispatch/index.js';
import type { Dispatcher, DispatcherOptions } from '../../../src/dispatch/index.js';
import { createDpsClient } from '../../../src/dps/client/index.js';
import type { DpsClient } from '../../../src/dps/client/index.js';
import type { IndividualEnrollment } from '../../../src/dps/contract/index.js';
import type { DispatchConfig } from '../../../src/job/run-config.js';
import type { RowOutcome } from '../../../src/outcomes/index.js';
import {
  startScriptedServer,
  type ScriptedServer,
  type ScriptHandler,
} from '../../dps/support/scripted-server.js';
import { generatePolicyKey, sasTarget } from '../../dps/support/targets.js';

/** A base64 symmetric key of 32 random bytes, made for one test. */
export function generateDeviceKey(): string {
  return randomBytes(32).toString('base64');
}

/** A symmetric-key item for line `index + 2`, ID `device-<index>`. */
export function makeItem(index: number, enrollment: Partial<IndividualEnrollment> = {}): SendItem {
  const registrationId = enrollment.registrationId ?? `device-${index}`;

  return {
    line: index + 2,
    registrationId,
    enrollment: {
      registrationId,
      attestation: {
        type: 'symmetricKey',
        symmetricKey: { primaryKey: generateDeviceKey(), secondaryKey: generateDeviceKey() },
      },
      ...enrollment,
    },
    fingerprint: `fingerprint-${index}`,
  };
}

export function makeItems(count: number, from = 0): SendItem[] {
  return Array.from({ length: count }, (_, offset) => makeItem(from + offset));
}

/** Batches of the items, in order, 10 at a time (the batcher has its own tests). */
export function toBatches(items: SendItem[], mode: Batch['mode'] = 'create'): Batch[] {
  const batches: Batch[] = [];

  for (let start = 0; start < items.length; start += 10) {
    batches.push({ id: batches.length + 1, mode, items: items.slice(start, start + 10) });
  }

  return batches;
}

export const BASE_CONFIG: DispatchConfig = {
  mode: 'create',
  concurrency: 2,
  maxAttempts: 6,
  requestTimeoutMs: 5_000,
  outageThreshold: 20,
};

export interface Harness {
  server: ScriptedServer;
  client: DpsClient;
  dispatcher: Dispatcher;
  outcomes: RowOutcome[];
  /** Every log line, as text. */
  logText(): string;
  /** Outcomes in line order. */
  sorted(): RowOutcome[];
  close(): Promise<void>;
}

export interface HarnessOptions {
  config?: Partial<DispatchConfig>;
  requestTimeoutMs?: number;
  closeGraceMs?: number;
  dispatcher?: Partial<Omit<DispatcherOptions, 'client' | 'config' | 'logger' | 'onOutcome'>>;
}

/** Starts a scripted server and a dispatcher aimed at it, with near-zero backoff. */
export async function startHarness(
  handler: ScriptHandler,
  options: HarnessOptions = {},
): Promise<Harness> {
  const server = await startScriptedServer(handler);
  const config = { ...BASE_CONFIG, ...options.config };
  const client = createDpsClient(sasTarget(server.url, generatePolicyKey()), {
    requestTimeoutMs: options.requestTimeoutMs ?? config.requestTimeoutMs,
    connections: config.concurrency,
    ...(options.closeGraceMs === undefined ? {} : { closeGraceMs: options.closeGraceMs }),
  });
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString('utf8'));
      callback();
    },
  });
  const outcomes: RowOutcome[] = [];
  const dispatcher = createDispatcher({
    client,
    config,
    logger: pino({ level: 'debug' }, sink),
    onOutcome: (outcome) => outcomes.push(outcome),
    random: () => 0.5,
    retryPolicy: { baseDelayMs: 2, maxDelayMs: 10 },
    governor: new RateGovernor({ operationsPerMinute: 60_000_000 }),
    ...options.dispatcher,
  });

  return {
    server,
    client,
    dispatcher,
    outcomes,
    logText: () => lines.join(''),
    sorted: () => [...outcomes].sort((left, right) => left.line - right.line),
    close: async () => {
      // Server first: it cuts any request still hanging, so the client can close.
      await server.close();
      await client.close();
    },
  };
}

/** Submits the batches, honouring backpressure, and waits for every outcome. */
export async function dispatchAll(harness: Harness, batches: Batch[]): Promise<void> {
  for (const batch of batches) {
    await harness.dispatcher.waitForCapacity();
    harness.dispatcher.submit(batch);
  }

  await harness.dispatcher.drain();
}

/** The bulk body of a recorded request. */
export function bulkBody(body: unknown): { mode: string; enrollments: IndividualEnrollment[] } {
  return body as { mode: string; enrollments: IndividualEnrollment[] };
}

export const BULK_OK = { status: 200, body: { isSuccessful: true, errors: [] } };
