import { afterEach, describe, expect, it } from 'vitest';

import type { ScriptedAnswer } from '../dps/support/scripted-server.js';
import {
  BULK_OK,
  dispatchAll,
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

/** A promise the test resolves when it wants the server to answer. */
function gate(): { opened: Promise<void>; open(): void } {
  let open = (): void => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

const UNAUTHORIZED: ScriptedAnswer = {
  status: 401,
  body: { errorCode: 401002, message: 'Unauthorized' },
};

/** Lets the event loop turn until the server has seen a request. */
async function untilRequested(harness: Harness): Promise<void> {
  while (harness.server.requests.length === 0) {
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('dispatcher stop conditions', () => {
  it('stops on an outage and reports the undecided rows pending, not failed', async () => {
    harness = await startHarness(() => ({ status: 503, body: { errorCode: 503000 } }), {
      config: { concurrency: 1, outageThreshold: 3, maxAttempts: 10 },
    });
    const [first, second] = toBatches(makeItems(12));

    await dispatchAll(harness, [first!]);
    harness.dispatcher.submit(second!);
    await harness.dispatcher.waitForCapacity();

    expect(harness.dispatcher.stopReason).toBe('outage');
    expect(harness.server.requests).toHaveLength(3);
    const pending = 'not decided: the run stopped while the service kept failing; rerun later';
    const rows = harness
      .sorted()
      .map((outcome) => [outcome.status, outcome.attempts, outcome.message]);
    expect(rows).toEqual([
      ...Array.from({ length: 10 }, () => ['pending', 3, pending]),
      ...Array.from({ length: 2 }, () => ['pending', 0, pending]),
    ]);
  });

  it('stops with reason auth on a 401 to the very first call', async () => {
    harness = await startHarness(() => UNAUTHORIZED);

    await dispatchAll(harness, toBatches(makeItems(3)));

    expect(harness.dispatcher.stopReason).toBe('auth');
    expect(harness.server.requests).toHaveLength(1);
    const statuses = harness.outcomes.map((outcome) => outcome.status);
    expect(statuses).toEqual(['pending', 'pending', 'pending']);
    expect(harness.outcomes[0]?.message).toBe(
      'not decided: the run stopped after authentication failed; rerun once it works',
    );
  });

  it('renews the token once after a 401 mid-run and carries on', async () => {
    harness = await startHarness((_request, index) => (index === 1 ? UNAUTHORIZED : BULK_OK), {
      config: { concurrency: 1 },
    });

    await dispatchAll(harness, toBatches(makeItems(20)));

    expect(harness.dispatcher.stopReason).toBeUndefined();
    expect(harness.client.credentialGeneration).toBe(2);
    expect(harness.sorted().map((outcome) => [outcome.status, outcome.attempts])).toEqual([
      ...Array.from({ length: 10 }, () => ['succeeded', 1]),
      ...Array.from({ length: 10 }, () => ['succeeded', 2]),
    ]);
  });

  it('stops with reason auth when the renewed token is refused too', async () => {
    harness = await startHarness((_request, index) => (index === 0 ? BULK_OK : UNAUTHORIZED), {
      config: { concurrency: 1 },
    });

    await dispatchAll(harness, toBatches(makeItems(30)));

    expect(harness.dispatcher.stopReason).toBe('auth');
    // Batch 2 was refused with the first token, renewed it; batch 3, sent with the renewed
    // token, was refused too: the run stopped, and batch 2's retry never went out.
    expect(harness.server.requests).toHaveLength(3);
    const tokens = new Set(harness.server.requests.map((request) => request.headers.authorization));
    expect(tokens.size).toBe(2);
    const statuses = harness.sorted().map((outcome) => outcome.status);
    expect(statuses).toEqual([
      ...Array.from({ length: 10 }, () => 'succeeded'),
      ...Array.from({ length: 20 }, () => 'pending'),
    ]);
  });

  it('on interrupt, lets the call in flight finish and reports later batches pending', async () => {
    const release = gate();
    harness = await startHarness(async () => {
      await release.opened;
      return BULK_OK;
    });
    const [first, second] = toBatches(makeItems(12));

    harness.dispatcher.submit(first!);
    await untilRequested(harness);
    const stopped = harness.dispatcher.stop('interrupt', 10_000);
    harness.dispatcher.submit(second!);
    release.open();
    await stopped;

    expect(harness.dispatcher.stopReason).toBe('interrupt');
    expect(harness.sorted().map((outcome) => outcome.status)).toEqual([
      ...Array.from({ length: 10 }, () => 'succeeded'),
      'pending',
      'pending',
    ]);
    expect(harness.sorted()[10]?.message).toBe(
      'not decided: the run was interrupted before this row finished; rerun to finish it',
    );
  });

  it('reports rows pending when the drain timeout runs out, and only once', async () => {
    harness = await startHarness(() => ({ hang: true }), { closeGraceMs: 20 });
    const [batch] = toBatches(makeItems(2));

    harness.dispatcher.submit(batch!);
    await untilRequested(harness);
    await harness.dispatcher.stop('interrupt', 50);
    // Neither waiting for the outcomes nor closing the client waits for the hanging call.
    await harness.dispatcher.drain();
    await harness.client.close();

    expect(harness.outcomes).toHaveLength(2);
    expect(harness.outcomes[0]).toEqual({
      line: 2,
      registrationId: 'device-0',
      status: 'pending',
      action: 'none',
      // The call was sent: its attempt counts even though the answer never came back.
      attempts: 1,
      message:
        'not decided: its call was still in flight when the 50 ms drain timeout ran out; ' +
        'rerun to finish it',
    });
  });

  it('holds back a new batch while twice the concurrency is in progress', async () => {
    const release = gate();
    harness = await startHarness(
      async () => {
        await release.opened;
        return BULK_OK;
      },
      { config: { concurrency: 1 } },
    );
    const batches = toBatches(makeItems(30));
    let capacity = false;

    harness.dispatcher.submit(batches[0]!);
    harness.dispatcher.submit(batches[1]!);
    const waited = harness.dispatcher.waitForCapacity().then(() => (capacity = true));
    await new Promise((resolve) => setTimeout(resolve, 20));

    expect(capacity).toBe(false);
    release.open();
    await waited;
    expect(capacity).toBe(true);

    harness.dispatcher.submit(batches[2]!);
    await harness.dispatcher.drain();
    expect(harness.outcomes).toHaveLength(30);
  });
});
