import { afterEach, describe, expect, it } from 'vitest';
import {
  startEmulator,
  type EmulatorOptions,
  type RunningEmulator,
} from '../../src/emulator/index.js';
import { retryAfterSeconds, TokenBucket } from '../../src/emulator/throttle/token-bucket.js';
import { EmulatorClient, symmetricEnrollment as enrollment } from './support/emulator-client.js';

/** How many of `count` single-token takes at `nowMs` the bucket grants. */
function grantedOf(bucket: TokenBucket, count: number, nowMs: number): number {
  return Array.from({ length: count }, () => bucket.take(1, nowMs).granted).filter(Boolean).length;
}

describe('TokenBucket', () => {
  it('holds one second of operations, so 1000/min admits 16 at once, not 1000', () => {
    const bucket = new TokenBucket(1_000, undefined, 0);

    expect(bucket.capacity).toBe(16);
    expect(grantedOf(bucket, 20, 0)).toBe(16);
  });

  it('refills continuously: one token per 60 ms at 1000/min', () => {
    const bucket = new TokenBucket(1_000, 1, 0);
    bucket.take(1, 0);

    expect(bucket.take(1, 59)).toEqual({ granted: false, retryAfterMs: 1 });
    expect(bucket.take(1, 60)).toEqual({ granted: true });
  });

  it('keeps the rate over a long run: 60 s at 600/min grants 600 plus the bucket', () => {
    const bucket = new TokenBucket(600, undefined, 0);
    let granted = 0;
    for (let nowMs = 0; nowMs <= 60_000; nowMs += 5) {
      if (bucket.take(1, nowMs).granted) granted += 1;
    }

    expect(granted).toBe(600 + 10);
  });

  it('never holds more than its capacity after a long idle time', () => {
    const bucket = new TokenBucket(60, 3, 0);

    expect(grantedOf(bucket, 5, 3_600_000)).toBe(3);
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

  /** 6 per minute refills one token every 10 s, so no test here ever sees a refill. */
  async function start(options: EmulatorOptions): Promise<EmulatorClient> {
    emulator = await startEmulator({ port: 0, operationsPerMinute: 6, ...options });
    client = new EmulatorClient(emulator);

    return client;
  }

  it('answers 429 with the error body and Retry-After once the bucket is empty', async () => {
    const http = await start({ burst: 2 });

    const answers = [];
    for (let index = 0; index < 3; index += 1) {
      answers.push(await http.bulk([enrollment(`t-${index}`)]));
    }

    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 429]);
    expect(answers[2]!.headers['retry-after']).toBe('10');
    expect(answers[2]!.headers['x-ms-error-code']).toBe('429001');
    expect(answers[2]!.body).toMatchObject({ errorCode: 429001 });
    expect(emulator!.stats()).toMatchObject({
      requests: 3,
      operations: 2,
      throttled: 1,
      enrollments: 2,
    });
  });

  it('leaves Retry-After out when told to', async () => {
    const http = await start({ burst: 1, retryAfter: false });

    await http.get('a');
    const answer = await http.get('a');

    expect(answer.status).toBe(429);
    expect(answer.headers['retry-after']).toBeUndefined();
  });

  it('charges a bulk call one operation per item with countBulkItems', async () => {
    const http = await start({ burst: 10, behavior: { countBulkItems: true } });

    const ten = Array.from({ length: 10 }, (_, index) => enrollment(`c-${index}`));

    const first = await http.bulk(ten);
    const second = await http.bulk([enrollment('c-10')]);

    expect([first.status, second.status]).toEqual([200, 429]);
  });
});
