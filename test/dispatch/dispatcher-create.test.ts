import { afterEach, describe, expect, it } from 'vitest';

import type { RowOutcome } from '../../src/outcomes/index.js';
import {
  BULK_OK,
  bulkBody,
  dispatchAll,
  makeItem,
  makeItems,
  startHarness,
  toBatches,
  type Harness,
} from './support/harness.js';

let harness: Harness | undefined;

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

function created(line: number, attempts = 1): RowOutcome {
  return {
    line,
    registrationId: `device-${line - 2}`,
    status: 'succeeded',
    action: 'created',
    attempts,
    httpStatus: 200,
    message: '',
  };
}

describe('dispatcher in create mode', () => {
  it('maps a per-item error of a 200 reply to its row; the nine others succeed', async () => {
    harness = await startHarness(() => ({
      status: 200,
      body: {
        isSuccessful: false,
        errors: [{ registrationId: 'DEVICE-4', errorCode: 400004, errorStatus: 'Invalid EK.' }],
      },
    }));

    await dispatchAll(harness, toBatches(makeItems(10)));

    const expected = makeItems(10).map((item) => created(item.line));
    expected[4] = {
      line: 6,
      registrationId: 'device-4',
      status: 'failed',
      action: 'none',
      attempts: 1,
      httpStatus: 200,
      errorCode: 400004,
      message: 'Invalid EK.',
    };
    expect(harness.sorted()).toEqual(expected);
    expect(harness.dispatcher.stats()).toEqual({
      requests: 1,
      retries: 0,
      throttled: 0,
      byStatus: { '200': 1 },
      transportErrors: {},
    });
  });

  it('sends 23 rows as three calls and decides every row once', async () => {
    harness = await startHarness(() => BULK_OK);

    await dispatchAll(harness, toBatches(makeItems(23)));

    expect(harness.sorted()).toEqual(makeItems(23).map((item) => created(item.line)));
    const bodies = harness.server.requests.map((request) => bulkBody(request.body));
    expect(bodies.map((body) => body.enrollments.length).sort()).toEqual([10, 10, 3]);
    expect(bodies.every((body) => body.mode === 'create')).toBe(true);
  });

  it('isolates the row that made the service reject its whole call; nine succeed', async () => {
    const malformed = { errorCode: 400000, message: 'The attestation of device-9 is malformed.' };
    harness = await startHarness((request) => {
      const ids = bulkBody(request.body).enrollments.map((enrollment) => enrollment.registrationId);
      return ids.includes('device-9') ? { status: 400, body: malformed } : BULK_OK;
    });

    await dispatchAll(harness, toBatches(makeItems(10)));

    const outcomes = harness.sorted();
    expect(outcomes[9]).toEqual({
      line: 11,
      registrationId: 'device-9',
      status: 'failed',
      action: 'none',
      attempts: 4,
      httpStatus: 400,
      errorCode: 400000,
      message:
        'HTTP 400: The attestation of device-9 is malformed. (this row sank its call of 10 rows)',
    });
    // Calls: 10 (rejected) → 5 + 5 (rejected) → 3 + 2 (rejected) → 1 + 1 (rejected).
    expect(outcomes.slice(0, 5)).toEqual([2, 3, 4, 5, 6].map((line) => created(line, 2)));
    expect(outcomes.slice(5, 8)).toEqual([7, 8, 9].map((line) => created(line, 3)));
    expect(outcomes[8]).toEqual(created(10, 4));
    expect(harness.dispatcher.stats().requests).toBe(7);
  });

  it('retries 503 and 429 and counts the attempts on every row of the call', async () => {
    const script = [
      { status: 503, body: { errorCode: 503000, message: 'busy' } },
      { status: 429, headers: { 'retry-after': '0' }, body: { errorCode: 429001 } },
      BULK_OK,
    ];
    harness = await startHarness((_request, index) => script[index] ?? BULK_OK);

    await dispatchAll(harness, toBatches(makeItems(3)));

    expect(harness.sorted()).toEqual([2, 3, 4].map((line) => created(line, 3)));
    expect(harness.dispatcher.stats()).toEqual({
      requests: 3,
      retries: 2,
      throttled: 1,
      byStatus: { '200': 1, '429': 1, '503': 1 },
      transportErrors: {},
    });
  });

  it('fails the rows with the last answer when the attempts run out', async () => {
    const unavailable = { errorCode: 503000, message: 'Service unavailable.' };
    harness = await startHarness(() => ({ status: 503, body: unavailable }), {
      config: { maxAttempts: 3 },
    });

    await dispatchAll(harness, toBatches(makeItems(1)));

    expect(harness.outcomes).toEqual([
      {
        line: 2,
        registrationId: 'device-0',
        status: 'failed',
        action: 'none',
        attempts: 3,
        httpStatus: 503,
        errorCode: 503000,
        message: 'gave up after 3 attempts: HTTP 503: Service unavailable.',
      },
    ]);
  });

  it('never retries a 400', async () => {
    const badRequest = { errorCode: 400000, message: 'Bad request.' };
    harness = await startHarness(() => ({ status: 400, body: badRequest }));

    await dispatchAll(harness, toBatches(makeItems(1)));

    expect(harness.outcomes).toEqual([
      {
        line: 2,
        registrationId: 'device-0',
        status: 'failed',
        action: 'none',
        attempts: 1,
        httpStatus: 400,
        errorCode: 400000,
        message: 'HTTP 400: Bad request.',
      },
    ]);
    expect(harness.server.requests).toHaveLength(1);
  });

  it('fails an existing enrollment with 409201 and a hint to use upsert', async () => {
    const exists = {
      registrationId: 'device-1',
      errorCode: 409201,
      errorStatus: 'Enrollment already exists.',
    };
    harness = await startHarness(() => ({
      status: 200,
      body: { isSuccessful: false, errors: [exists] },
    }));

    await dispatchAll(harness, toBatches(makeItems(2)));

    expect(harness.sorted()[1]).toEqual({
      line: 3,
      registrationId: 'device-1',
      status: 'failed',
      action: 'none',
      attempts: 1,
      httpStatus: 200,
      errorCode: 409201,
      message: 'Enrollment already exists. Use --mode upsert to update existing enrollments.',
    });
    expect(harness.server.requests).toHaveLength(1);
  });

  it('refuses to send an enrollment larger than any call may carry', async () => {
    harness = await startHarness(() => BULK_OK);
    const huge = makeItem(0, { initialTwin: { tags: { blob: 'x'.repeat(100_000) } } });

    await dispatchAll(harness, [{ id: 1, mode: 'create', items: [huge] }]);

    expect(harness.outcomes[0]).toMatchObject({
      status: 'failed',
      attempts: 0,
      errorCode: 'message-too-large',
    });
    expect(harness.outcomes[0]?.message).toMatch(
      /^enrollment JSON is 100\d{3} bytes: no call can carry it/,
    );
    expect(harness.server.requests).toHaveLength(0);
  });

  it('logs IDs, statuses and codes but never keys, bodies or tokens', async () => {
    harness = await startHarness((_request, index) =>
      index === 0 ? { status: 500, body: { message: 'oops' } } : BULK_OK,
    );
    const items = makeItems(3);

    await dispatchAll(harness, toBatches(items));

    const text = harness.logText();
    expect(text).toContain('"batchId":1');
    expect(text).toContain('"status":500');
    expect(text).toContain('backing off');
    expect(text).toContain('batch decided');
    for (const item of items) {
      expect(text).not.toContain(item.enrollment.attestation.symmetricKey?.primaryKey);
    }
    expect(text).not.toContain('SharedAccessSignature');
    expect(text).not.toContain('enrollments');
  });
});
