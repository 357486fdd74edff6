/**
 * The dispatcher and the client against the real in-process emulator over loopback HTTP: the
 * stored records, the emulator's own counters and the reported outcomes must all agree.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';

import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';

import type { SendItem } from '../../src/batching/index.js';
import { createDispatcher, RateGovernor } from '../../src/dispatch/index.js';
import type { Dispatcher } from '../../src/dispatch/index.js';
import { createDpsClient } from '../../src/dps/client/index.js';
import type { DpsClient, DpsReply } from '../../src/dps/client/index.js';
import { parseConnectionString } from '../../src/dps/contract/index.js';
import type { IndividualEnrollment } from '../../src/dps/contract/index.js';
import { startEmulator } from '../../src/emulator/index.js';
import type { EmulatorOptions, RunningEmulator } from '../../src/emulator/index.js';
import type { DispatchConfig, RunMode, ServiceTarget } from '../../src/job/run-config.js';
import type { RowOutcome } from '../../src/outcomes/index.js';
import { BASE_CONFIG, generateDeviceKey, toBatches } from './support/harness.js';

let emulator: RunningEmulator | undefined;
const clients: DpsClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  await emulator?.close();
  emulator = undefined;
});

function targetOf(running: RunningEmulator, key?: string): ServiceTarget {
  const connection = parseConnectionString(running.connectionString);
  const target: ServiceTarget = {
    kind: 'emulator',
    endpoint: running.endpoint,
    hostName: connection.hostName,
    credential: {
      kind: 'sas',
      policyName: connection.sharedAccessKeyName,
      key: key ?? connection.sharedAccessKey,
    },
  };

  if (running.caCertificate !== undefined) target.caCertificate = running.caCertificate;
  return target;
}

/** A fake TPM2B_PUBLIC: size prefix, RSA type, random rest; enough for the emulator. */
function endorsementKey(): string {
  const body = randomBytes(314);
  body.writeUInt16BE(0x0001, 0);
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(body.length, 0);

  return Buffer.concat([prefix, body]).toString('base64');
}

/** Rows of three kinds: keys given, keys left to the service, TPM. */
function makeRows(count: number): SendItem[] {
  return Array.from({ length: count }, (_, index): SendItem => {
    const registrationId = `meter-${String(index).padStart(3, '0')}`;
    const keys = { primaryKey: generateDeviceKey(), secondaryKey: generateDeviceKey() };
    const attestations: IndividualEnrollment['attestation'][] = [
      { type: 'symmetricKey', symmetricKey: keys },
      { type: 'symmetricKey' },
      { type: 'tpm', tpm: { endorsementKey: endorsementKey() } },
    ];
    const attestation = attestations[index % 3]!;
    const initialTwin = { tags: { site: 'plant-3', index } };

    return {
      line: index + 2,
      registrationId,
      enrollment: { registrationId, attestation, initialTwin },
      fingerprint: `fingerprint-${index}`,
    };
  });
}

function collector(lines: string[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
}

/** One creation per ID, for `count` IDs. */
function createdOnce(count: number): number[] {
  return Array.from({ length: count }, () => 1);
}

interface Run {
  dispatcher: Dispatcher;
  outcomes: RowOutcome[];
  logText(): string;
}

async function run(
  running: RunningEmulator,
  mode: RunMode,
  items: SendItem[],
  options: { config?: Partial<DispatchConfig>; key?: string; governor?: RateGovernor } = {},
): Promise<Run> {
  const config: DispatchConfig = { ...BASE_CONFIG, mode, concurrency: 4, ...options.config };
  const client = createDpsClient(targetOf(running, options.key), {
    requestTimeoutMs: config.requestTimeoutMs,
    connections: config.concurrency,
  });
  clients.push(client);
  const lines: string[] = [];
  const outcomes: RowOutcome[] = [];
  const dispatcher = createDispatcher({
    client,
    config,
    logger: pino({ level: 'debug' }, collector(lines)),
    onOutcome: (outcome) => outcomes.push(outcome),
    retryPolicy: { baseDelayMs: 5, maxDelayMs: 50 },
    governor: options.governor ?? new RateGovernor({ operationsPerMinute: 60_000_000 }),
  });

  for (const batch of toBatches(items, mode === 'delete' ? 'delete' : 'create')) {
    await dispatcher.waitForCapacity();
    dispatcher.submit(batch);
  }

  await dispatcher.drain();
  outcomes.sort((left, right) => left.line - right.line);
  return { dispatcher, outcomes, logText: () => lines.join('') };
}

async function start(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  emulator = await startEmulator({ port: 0, ...options });
  return emulator;
}

function readerFor(running: RunningEmulator): DpsClient {
  const client = createDpsClient(targetOf(running), { requestTimeoutMs: 5_000, connections: 1 });
  clients.push(client);
  return client;
}

async function storedKeys(client: DpsClient, id: string): Promise<unknown> {
  return ((await client.attestationMechanism(id)) as DpsReply).body;
}

function summary(outcomes: RowOutcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const outcome of outcomes) {
    const key = `${outcome.status}/${outcome.action}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }

  return counts;
}

describe('dispatcher against the emulator', () => {
  it('creates every row once, and the emulator holds exactly them', async () => {
    const running = await start();
    const rows = makeRows(35);

    const { dispatcher, outcomes } = await run(running, 'create', rows);

    expect(summary(outcomes)).toEqual({ 'succeeded/created': 35 });
    expect(outcomes.every((outcome) => outcome.attempts === 1)).toBe(true);
    const stats = running.stats();
    expect(stats.enrollments).toBe(35);
    expect(Object.values(stats.createsPerId)).toEqual(Array.from({ length: 35 }, () => 1));
    expect(dispatcher.stats().requests).toBe(4);
    expect(stats.requests).toBe(4);
  });

  it('in create mode, fails exactly the rows that already exist with 409201', async () => {
    const running = await start();
    const rows = makeRows(12);
    await run(running, 'create', rows.slice(0, 5));

    const { outcomes } = await run(running, 'create', rows);

    expect(summary(outcomes)).toEqual({ 'failed/none': 5, 'succeeded/created': 7 });
    const codes = outcomes.slice(0, 5).map((outcome) => outcome.errorCode);
    expect(codes).toEqual([409201, 409201, 409201, 409201, 409201]);
  });

  it('in upsert mode, updates existing rows and keeps keys the rows left blank', async () => {
    const running = await start();
    const rows = makeRows(12);
    await run(running, 'create', rows);
    const reader = readerFor(running);
    const keysBefore = await storedKeys(reader, 'meter-001');
    const changed = rows.map((row) => ({
      ...row,
      enrollment: { ...row.enrollment, initialTwin: { tags: { site: 'plant-4' } } },
    }));

    const { outcomes } = await run(running, 'upsert', changed);

    expect(summary(outcomes)).toEqual({ 'succeeded/updated': 12 });
    expect(await storedKeys(reader, 'meter-001')).toEqual(keysBefore);
    const record = ((await reader.get('meter-004')) as DpsReply).body as IndividualEnrollment;
    expect(record.initialTwin?.tags).toMatchObject({ site: 'plant-4' });
    expect(Object.values(running.stats().createsPerId)).toEqual(createdOnce(12));
  });

  it('deletes, then counts a second delete as already absent', async () => {
    const running = await start();
    const rows = makeRows(11);
    await run(running, 'create', rows);

    const first = await run(running, 'delete', rows);
    const second = await run(running, 'delete', rows);

    expect(summary(first.outcomes)).toEqual({ 'succeeded/deleted': 11 });
    expect(summary(second.outcomes)).toEqual({ 'succeeded/none': 11 });
    expect(second.outcomes[0]?.message).toBe('already absent');
    expect(running.stats().enrollments).toBe(0);
  });

  it('disables every kind of row, keeps keys, and a second run changes nothing', async () => {
    const running = await start();
    const rows = makeRows(9);
    await run(running, 'create', rows);
    const reader = readerFor(running);
    const keysBefore = await storedKeys(reader, 'meter-001');
    const bare = rows.map((row) => ({
      ...row,
      enrollment: {
        registrationId: row.registrationId,
        attestation: { type: row.enrollment.attestation.type },
      },
    }));

    const first = await run(running, 'disable', bare);
    const second = await run(running, 'disable', rows);

    expect(summary(first.outcomes)).toEqual({ 'succeeded/disabled': 9 });
    expect(summary(second.outcomes)).toEqual({ 'succeeded/none': 9 });
    expect(await storedKeys(reader, 'meter-001')).toEqual(keysBefore);
    for (const id of ['meter-000', 'meter-001', 'meter-002']) {
      const record = ((await reader.get(id)) as DpsReply).body as IndividualEnrollment;
      expect(record.provisioningStatus).toBe('disabled');
      expect(record.initialTwin?.tags).toMatchObject({ site: 'plant-3' });
    }
  });

  it('confirms a create whose answer was lost after the emulator applied it', async () => {
    const running = await start({ faults: { dropAfterApply: { kind: 'at', ordinals: [1] } } });
    const rows = makeRows(10);

    const { outcomes } = await run(running, 'create', rows);

    expect(summary(outcomes)).toEqual({ 'succeeded/created': 10 });
    expect(outcomes[0]?.message).toBe(
      'stored as sent: an earlier attempt whose answer was lost had created it',
    );
    expect(Object.values(running.stats().createsPerId)).toEqual(createdOnce(10));
  });

  it('retries a connection dropped before the emulator applied the call', async () => {
    const running = await start({ faults: { dropBeforeApply: { kind: 'at', ordinals: [1] } } });

    const { outcomes } = await run(running, 'create', makeRows(10));

    expect(summary(outcomes)).toEqual({ 'succeeded/created': 10 });
    expect(outcomes.map((outcome) => outcome.attempts)).toEqual(createdOnce(10).map(() => 2));
    expect(outcomes[0]?.message).toBe('');
  });

  it('finishes every row against a throttling emulator, some after retries', async () => {
    const running = await start({ operationsPerMinute: 1_200, burst: 2 });
    const rows = makeRows(60);

    const { outcomes, dispatcher } = await run(running, 'create', rows, {
      governor: new RateGovernor({ operationsPerMinute: 60_000_000 }),
    });

    expect(summary(outcomes)).toEqual({ 'succeeded/created': 60 });
    expect(dispatcher.stats().throttled).toBe(running.stats().throttled);
    expect(dispatcher.stats().throttled).toBeGreaterThan(0);
    expect(outcomes.some((outcome) => outcome.attempts > 1)).toBe(true);
    expect(running.stats().enrollments).toBe(60);
  });

  it('stops with reason auth, every row pending, when the key is wrong', async () => {
    const running = await start();

    const { dispatcher, outcomes } = await run(running, 'create', makeRows(25), {
      key: randomBytes(32).toString('base64'),
    });

    expect(dispatcher.stopReason).toBe('auth');
    expect(summary(outcomes)).toEqual({ 'pending/none': 25 });
    expect(running.stats().enrollments).toBe(0);
  });

  it('talks to an emulator serving TLS with its generated CA', async () => {
    const running = await start({ tls: true });

    const { outcomes } = await run(running, 'create', makeRows(3));

    expect(running.endpoint.startsWith('https://')).toBe(true);
    expect(summary(outcomes)).toEqual({ 'succeeded/created': 3 });
  });

  it('never logs a key or a token', async () => {
    const running = await start({ faults: { serviceUnavailable: { kind: 'at', ordinals: [1] } } });
    const rows = makeRows(6);

    const { logText } = await run(running, 'upsert', rows);
    const text = logText();

    expect(text).toContain('"status":503');
    for (const row of rows) {
      const keys = row.enrollment.attestation.symmetricKey;
      if (keys?.primaryKey) expect(text).not.toContain(keys.primaryKey);
      const tpm = row.enrollment.attestation.tpm;
      if (tpm) expect(text).not.toContain(tpm.endorsementKey);
    }
    expect(text).not.toContain(parseConnectionString(running.connectionString).sharedAccessKey);
    expect(text).not.toContain('SharedAccessSignature');
  });
});
