import fc from 'fast-check';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { createDispatcher, RateGovernor } from '../../src/dispatch/index.js';
import type { DpsAnswer } from '../../src/dps/client/index.js';
import type { RunMode } from '../../src/job/run-config.js';
import type { RowOutcome } from '../../src/outcomes/index.js';
import {
  FAKE_BULK_OK,
  FakeDpsClient,
  fakeReply,
  type FakeAnswerer,
} from './support/fake-client.js';
import { BASE_CONFIG, makeItems, toBatches } from './support/harness.js';

const silent = pino({ level: 'silent' });

function start(answer: FakeAnswerer, mode: RunMode = 'create', operationsPerMinute = 60_000_000) {
  const client = new FakeDpsClient(answer);
  const outcomes: RowOutcome[] = [];
  const dispatcher = createDispatcher({
    client,
    config: { ...BASE_CONFIG, mode, concurrency: 1 },
    logger: silent,
    onOutcome: (outcome) => outcomes.push(outcome),
    random: () => 0.5,
    governor: new RateGovernor({ operationsPerMinute }),
  });

  return { client, dispatcher, outcomes };
}

describe('dispatcher timing (fake timers)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: Date.parse('2026-01-15T08:00:00Z') });
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits exactly the 3 s of Retry-After after a 429 before the next attempt', async () => {
    const { client, dispatcher, outcomes } = start((_call, index) =>
      index === 0 ? fakeReply(429, {}, { 'retry-after': '3' }) : FAKE_BULK_OK,
    );
    const startMs = Date.now();

    dispatcher.submit(toBatches(makeItems(2))[0]!);
    await vi.advanceTimersByTimeAsync(2_999);
    expect(client.calls).toHaveLength(1);

    await vi.advanceTimersByTimeAsync(1);
    await dispatcher.drain();

    expect(client.calls.map((call) => call.atMs - startMs)).toEqual([0, 3_000]);
    expect(outcomes.map((outcome) => [outcome.status, outcome.attempts])).toEqual([
      ['succeeded', 2],
      ['succeeded', 2],
    ]);
    expect(dispatcher.stats().throttled).toBe(1);
  });

  it('lets throttling alone never fail a row: 9 answers 429 with maxAttempts 6, then success', async () => {
    const { client, dispatcher, outcomes } = start((_call, index) =>
      index < 9 ? fakeReply(429, {}, { 'retry-after': '1' }) : FAKE_BULK_OK,
    );

    dispatcher.submit(toBatches(makeItems(1))[0]!);
    await vi.advanceTimersByTimeAsync(9_000);
    await dispatcher.drain();

    expect(client.calls).toHaveLength(10);
    expect(outcomes.map((outcome) => [outcome.status, outcome.attempts])).toEqual([
      ['succeeded', 10],
    ]);
  });

  it('still gives up on a call the service throttles without end, after 10 × maxAttempts', async () => {
    const { client, dispatcher, outcomes } = start(() =>
      fakeReply(429, {}, { 'retry-after': '1' }),
    );

    dispatcher.submit(toBatches(makeItems(1))[0]!);
    await vi.advanceTimersByTimeAsync(120_000);
    await dispatcher.drain();

    expect(client.calls).toHaveLength(60);
    expect(outcomes).toMatchObject([{ status: 'failed', httpStatus: 429, attempts: 60 }]);
  });

  it('pauses every other call for the Retry-After too', async () => {
    const { client, dispatcher } = start((_call, index) =>
      index === 0 ? fakeReply(429, {}, { 'retry-after': '3' }) : FAKE_BULK_OK,
    );
    const startMs = Date.now();
    const [first, second] = toBatches(makeItems(20));

    dispatcher.submit(first!);
    dispatcher.submit(second!);
    await vi.advanceTimersByTimeAsync(3_000);
    await dispatcher.drain();

    expect(client.calls.map((call) => [call.ids[0], call.atMs - startMs])).toEqual([
      ['device-0', 0],
      ['device-10', 3_000],
      ['device-0', 3_000],
    ]);
  });

  it('waits until the HTTP date of Retry-After', async () => {
    const retryAt = new Date(Date.now() + 7_000).toUTCString();
    const { client, dispatcher } = start((_call, index) =>
      index === 0 ? fakeReply(503, {}, { 'retry-after': retryAt }) : FAKE_BULK_OK,
    );
    const startMs = Date.now();

    dispatcher.submit(toBatches(makeItems(1))[0]!);
    await vi.advanceTimersByTimeAsync(7_000);
    await dispatcher.drain();

    expect(client.calls.map((call) => call.atMs - startMs)).toEqual([0, 7_000]);
  });

  it('backs off exponentially with jitter when no Retry-After is given', async () => {
    const { client, dispatcher } = start((_call, index) =>
      index < 3 ? fakeReply(500) : FAKE_BULK_OK,
    );
    const startMs = Date.now();

    dispatcher.submit(toBatches(makeItems(1))[0]!);
    await vi.advanceTimersByTimeAsync(2_000);
    await dispatcher.drain();

    // Full jitter at random 0.5: half of 500, 1000, 2000 ms.
    expect(client.calls.map((call) => call.atMs - startMs)).toEqual([0, 250, 750, 1_750]);
  });

  it('paces calls at the given quota', async () => {
    const { client, dispatcher } = start(() => FAKE_BULK_OK, 'create', 120);
    const startMs = Date.now();

    for (const batch of toBatches(makeItems(40))) dispatcher.submit(batch);
    await vi.advanceTimersByTimeAsync(2_000);
    await dispatcher.drain();

    expect(client.calls.map((call) => call.atMs - startMs)).toEqual([0, 500, 1_000, 1_500]);
  });
});

/**
 * Answers from the script in turn; GETs find a TPM record, and every third successful bulk
 * reply names its first item as existing, so the upsert and verify paths run too.
 */
function scriptedAnswerer(script: DpsAnswer[]): FakeAnswerer {
  const record = { etag: 'e', attestation: { type: 'tpm', tpm: { endorsementKey: 'AA' } } };

  return (call, index) => {
    const scripted = script[index % script.length]!;
    if (call.operation === 'get') return fakeReply(200, { registrationId: call.ids[0], ...record });

    const isSuccess = scripted.kind === 'reply' && scripted.status === 200;
    if (!isSuccess || call.operation !== 'bulk' || index % 3 !== 1) return scripted;

    const exists = { registrationId: call.ids[0], errorCode: 409201, errorStatus: 'exists' };
    return fakeReply(200, { isSuccessful: false, errors: [exists] });
  };
}

describe('dispatcher outcomes (property)', () => {
  const answers: fc.Arbitrary<DpsAnswer>[] = [
    fc.constant(FAKE_BULK_OK),
    fc.constant(fakeReply(503)),
    fc.constant(fakeReply(429, {}, { 'retry-after': '0' })),
    fc.constant(fakeReply(400, { message: 'bad' })),
    fc.constant(fakeReply(200, { isSuccessful: false, errors: [] })),
    fc.constant<DpsAnswer>({
      kind: 'transport-error',
      code: 'connection-reset',
      sentRequest: true,
      detail: 'ECONNRESET',
      durationMs: 1,
      credentialGeneration: 1,
    }),
  ];

  it('gives every submitted row exactly one outcome, whatever the service answers', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(...answers), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 35 }),
        fc.constantFrom<RunMode>('create', 'upsert', 'delete', 'disable'),
        async (script, rowCount, mode) => {
          const client = new FakeDpsClient(scriptedAnswerer(script));
          const outcomes: RowOutcome[] = [];
          const dispatcher = createDispatcher({
            client,
            config: { ...BASE_CONFIG, mode, concurrency: 3, maxAttempts: 3, outageThreshold: 8 },
            logger: silent,
            onOutcome: (outcome) => outcomes.push(outcome),
            random: () => 0,
            governor: new RateGovernor({ operationsPerMinute: 60_000_000 }),
          });
          const items = makeItems(rowCount);

          for (const batch of toBatches(items)) {
            await dispatcher.waitForCapacity();
            dispatcher.submit(batch);
          }
          await dispatcher.drain();

          const lines = outcomes.map((outcome) => outcome.line).sort((a, b) => a - b);
          expect(lines).toEqual(items.map((item) => item.line));
          for (const outcome of outcomes) {
            expect(['succeeded', 'failed', 'pending']).toContain(outcome.status);
            expect(outcome.attempts).toBeLessThanOrEqual(client.calls.length);
          }
          if (dispatcher.stopReason === undefined) {
            expect(outcomes.some((outcome) => outcome.status === 'pending')).toBe(false);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
