import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { retryAfterSeconds, TokenBucket } from '../../src/emulator/throttle/token-bucket.js';
import { EmulatorClient, symmetricEnrollment } from './support/emulator-client.js';

describe('TokenBucket', () => {
  it('holds one second of operations by default, so 1000/min admits 16 at once, not 1000', () => {
    const bucket = new TokenBucket(1_000, undefined, 0);
    const granted = Array.from({ length: 20 }, () => bucket.take(1, 0).granted).filter(Boolean);

    expect(bucket.capacity).toBe(16);
    expect(granted).toHaveLength(16);
  });

  it('refills continuously: one token per 60 ms at 1000/min', () => {
    const bucket = new TokenBucket(1_000, 1, 0);
    bucket.take(1, 0);

    expect(bucket.take(1, 59)).toEqual({ granted: false, retryAfterMs: 1 });
    expect(bucket.take(1, 60)).toEqual({ granted: true });
  });

  it('keeps the rate over a long run: 60 s at 600/min grants 600 plus the initial bucket', () => {
    const bucket = new TokenBucket(600, undefined, 0);
    let granted = 0;
    for (let nowMs = 0; nowMs <= 60_000; nowMs += 5) {
      if (bucket.take(1, nowMs).granted) granted += 1;
    }

    expect(granted).toBe(600 + 10);
  });

  it('never holds more than its capacity after a long idle time', () => {
    const bucket = new TokenBucket(60, 3, 0);
    const granted = Array.from({ length: 5 }, () => bucket.take(1, 3_600_000).granted).filter(Boolean);

    expect(granted).toHaveLength(3);
  });

  it('waits for a full bucket when asked for more than it can hold', () => {
    const bucket = new TokenBucket(60, 2, 0);

    expect(bucket.take(10, 0)).toEqual({ granted: true });
    expect(bucket.take(10, 0)).toEqual({ granted: false, retryAfterMs: 2_000 });
  });

  it('rounds Retry-After up to whole seconds, never below 1', () => {
    expect(retryAfterSeconds(1)).toBe(1);
    expect(retryAfterSeconds(1_000)).toBe(1);
    expect(retryAfterSeconds(1_001)).toBe(2);
  });
});

describe('emulator throttling over HTTP', () => {
  let emulator: RunningEmulator | undefined;
  let client: EmulatorClient | undefined;

  afterEach(async () => {
    await client?.close();
    await emulator?.close();
  });

  it('answers 429 with the error body and Retry-After once the bucket is empty', async () => {
    // 6 per minute refills one token every 10 s, so the test never sees a refill.
    emulator = await startEmulator({ port: 0, operationsPerMinute: 6, burst: 2 });
    client = new EmulatorClient(emulator);

    const statuses = [];
    for (let index = 0; index < 3; index += 1) statuses.push(await client.bulk([symmetricEnrollment(`t-${index}`)]));

    expect(statuses.map((answer) => answer.status)).toEqual([200, 200, 429]);
    expect(statuses[2]!.headers['retry-after']).toBe('10');
    expect(statuses[2]!.headers['x-ms-error-code']).toBe('429001');
    expect(statuses[2]!.body).toMatchObject({ errorCode: 429001 });
    expect(emulator.stats()).toMatchObject({ requests: 3, operations: 2, throttled: 1, enrollments: 2 });
  });

  it('leaves Retry-After out when told to', async () => {
    emulator = await startEmulator({ port: 0, operationsPerMinute: 6, burst: 1, retryAfter: false });
    client = new EmulatorClient(emulator);

    await client.send('/enrollments/a');
    const answer = await client.send('/enrollments/a');

    expect(answer.status).toBe(429);
    expect(answer.headers['retry-after']).toBeUndefined();
  });

  it('charges a bulk call one operation per item with countBulkItems', async () => {
    emulator = await startEmulator({ port: 0, operationsPerMinute: 6, burst: 10, behavior: { countBulkItems: true } });
    client = new EmulatorClient(emulator);

    const first = await client.bulk(Array.from({ length: 10 }, (_, index) => symmetricEnrollment(`c-${index}`)));
    const second = await client.bulk([symmetricEnrollment('c-10')]);

    expect([first.status, second.status]).toEqual([200, 429]);
  });
});
