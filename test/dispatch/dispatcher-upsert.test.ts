import { afterEach, describe, expect, it } from 'vitest';

import type { IndividualEnrollment } from '../../src/dps/contract/index.js';
import type { RecordedRequest, ScriptedAnswer } from '../dps/support/scripted-server.js';
import {
  BULK_OK,
  bulkBody,
  dispatchAll,
  generateDeviceKey,
  makeItem,
  makeItems,
  startHarness,
  toBatches,
  type Harness,
} from './support/harness.js';

let harness: Harness | undefined;

const UPDATED_AFTER_FOUR = { status: 'succeeded', action: 'updated', attempts: 4 };

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

function exists(...ids: string[]): ScriptedAnswer {
  return {
    status: 200,
    body: {
      isSuccessful: false,
      errors: ids.map((registrationId) => ({
        registrationId,
        errorCode: 409201,
        errorStatus: 'Enrollment already exists.',
      })),
    },
  };
}

function storedRecord(id: string, etag: string, extra: Partial<IndividualEnrollment> = {}) {
  return {
    status: 200,
    body: {
      registrationId: id,
      attestation: { type: 'symmetricKey' },
      etag,
      provisioningStatus: 'enabled',
      registrationState: { registrationId: id, status: 'unassigned' },
      ...extra,
    },
  };
}

function idOf(request: RecordedRequest): string {
  return request.pathname.split('/')[2] ?? '';
}

function requestsOf(harness: Harness, method: string, pattern: RegExp): RecordedRequest[] {
  return harness.server.requests.filter(
    (request) => request.method === method && pattern.test(request.pathname),
  );
}

function updateRequests(harness: Harness): RecordedRequest[] {
  return harness.server.requests.filter((request) => bulkBody(request.body)?.mode === 'update');
}

function stale(id: string): ScriptedAnswer {
  const error = { registrationId: id, errorCode: 412002, errorStatus: 'Precondition failed.' };
  return { status: 200, body: { isSuccessful: false, errors: [error] } };
}

describe('dispatcher in upsert mode', () => {
  it('updates existing rows with the etag it reads, in one bulk update call', async () => {
    harness = await startHarness(
      (request) => {
        if (request.method === 'GET') return storedRecord(idOf(request), `etag-${idOf(request)}`);

        const body = bulkBody(request.body);
        return body.mode === 'create' ? exists('device-1', 'device-3') : BULK_OK;
      },
      { config: { mode: 'upsert' } },
    );
    const items = makeItems(4);

    await dispatchAll(harness, toBatches(items));

    const rows = harness
      .sorted()
      .map((outcome) => [outcome.status, outcome.action, outcome.attempts]);
    expect(rows).toEqual([
      ['succeeded', 'created', 1],
      ['succeeded', 'updated', 3],
      ['succeeded', 'created', 1],
      ['succeeded', 'updated', 3],
    ]);

    const updates = updateRequests(harness);
    expect(updates).toHaveLength(1);
    expect(bulkBody(updates[0]?.body).enrollments).toEqual([
      { ...items[1]!.enrollment, etag: 'etag-device-1' },
      { ...items[3]!.enrollment, etag: 'etag-device-3' },
    ]);
    const reads = requestsOf(harness, 'GET', /^\/enrollments\//).map(idOf);
    expect(reads.sort()).toEqual(['device-1', 'device-3']);
  });

  it('keeps the stored keys of a row that leaves them blank, so none are generated', async () => {
    const storedKeys = { primaryKey: generateDeviceKey(), secondaryKey: generateDeviceKey() };
    harness = await startHarness(
      (request) => {
        if (request.method === 'GET') return storedRecord('device-0', 'etag-1');
        if (request.pathname.endsWith('/attestationmechanism')) {
          return { status: 200, body: { type: 'symmetricKey', symmetricKey: storedKeys } };
        }

        return bulkBody(request.body).mode === 'create' ? exists('device-0') : BULK_OK;
      },
      { config: { mode: 'upsert' } },
    );
    const item = makeItem(0, { attestation: { type: 'symmetricKey' }, deviceId: 'meter-0' });

    await dispatchAll(harness, [{ id: 1, mode: 'create', items: [item] }]);

    expect(harness.outcomes[0]).toMatchObject(UPDATED_AFTER_FOUR);
    expect(bulkBody(updateRequests(harness)[0]?.body).enrollments[0]).toEqual({
      registrationId: 'device-0',
      deviceId: 'meter-0',
      attestation: { type: 'symmetricKey', symmetricKey: storedKeys },
      etag: 'etag-1',
    });
  });

  it('reads again and retries when the update meets a changed etag (412)', async () => {
    let reads = 0;
    let updates = 0;
    harness = await startHarness(
      (request) => {
        if (request.method === 'GET') {
          reads += 1;
          return storedRecord('device-0', `etag-${reads}`);
        }

        if (bulkBody(request.body).mode === 'create') return exists('device-0');

        updates += 1;
        return updates === 1 ? stale('device-0') : BULK_OK;
      },
      { config: { mode: 'upsert' } },
    );

    await dispatchAll(harness, toBatches(makeItems(1)));

    expect(harness.outcomes[0]).toMatchObject({ ...UPDATED_AFTER_FOUR, attempts: 5 });
    const sentEtags = updateRequests(harness).map(
      (request) => bulkBody(request.body).enrollments[0]?.etag,
    );
    expect(sentEtags).toEqual(['etag-1', 'etag-2']);
  });

  it('fails a row whose etag keeps changing after three tries', async () => {
    harness = await startHarness(
      (request) => {
        if (request.method === 'GET') return storedRecord('device-0', 'etag');
        return bulkBody(request.body).mode === 'create' ? exists('device-0') : stale('device-0');
      },
      { config: { mode: 'upsert' } },
    );

    await dispatchAll(harness, toBatches(makeItems(1)));

    expect(harness.outcomes).toEqual([
      {
        line: 2,
        registrationId: 'device-0',
        status: 'failed',
        action: 'none',
        attempts: 7,
        httpStatus: 200,
        errorCode: 412002,
        message: 'the enrollment kept changing while it was written (412 on 3 tries); rerun',
      },
    ]);
  });
});

describe('verifying a 409201 after an attempt that may have been applied', () => {
  it('counts a stored record that matches the row as created', async () => {
    const item = makeItem(0, { initialTwin: { tags: { site: 'plant-3' } } });
    const keys = item.enrollment.attestation.symmetricKey;
    let creates = 0;
    harness = await startHarness((request) => {
      if (request.method === 'GET') {
        const initialTwin = { tags: { site: 'plant-3', version: 1 } };
        return storedRecord('device-0', 'etag-1', { initialTwin });
      }
      if (request.pathname.endsWith('/attestationmechanism')) {
        return { status: 200, body: { type: 'symmetricKey', symmetricKey: keys } };
      }

      creates += 1;
      return creates === 1 ? { drop: true } : exists('device-0');
    });

    await dispatchAll(harness, [{ id: 1, mode: 'create', items: [item] }]);

    expect(harness.outcomes).toEqual([
      {
        line: 2,
        registrationId: 'device-0',
        status: 'succeeded',
        action: 'created',
        attempts: 4,
        httpStatus: 200,
        message: 'stored as sent: an earlier attempt whose answer was lost had created it',
      },
    ]);
  });

  it('fails a stored record that differs from the row, naming the fields', async () => {
    const item = {
      ...makeItem(0, { initialTwin: { tags: { site: 'plant-3' } } }),
      maybeApplied: true,
    };
    const keys = item.enrollment.attestation.symmetricKey;
    harness = await startHarness((request) => {
      if (request.method === 'GET') {
        const initialTwin = { tags: { site: 'plant-4' } };
        return storedRecord('device-0', 'etag-1', { deviceId: 'other', initialTwin });
      }
      if (request.pathname.endsWith('/attestationmechanism')) {
        return { status: 200, body: { type: 'symmetricKey', symmetricKey: keys } };
      }

      return exists('device-0');
    });

    await dispatchAll(harness, [{ id: 1, mode: 'create', items: [item] }]);

    expect(harness.outcomes[0]).toEqual({
      line: 2,
      registrationId: 'device-0',
      status: 'failed',
      action: 'none',
      attempts: 3,
      httpStatus: 200,
      errorCode: 409201,
      message:
        'Enrollment already exists and differs from this row (deviceId, initialTwin.tags); ' +
        'not overwritten. Use --mode upsert to update existing enrollments.',
    });
  });

  it('in upsert mode, updates a differing record using what it already read', async () => {
    const item = { ...makeItem(0), maybeApplied: true };
    harness = await startHarness(
      (request) => {
        if (request.method === 'GET') return storedRecord('device-0', 'etag-1');
        if (request.pathname.endsWith('/attestationmechanism')) {
          const other = { primaryKey: generateDeviceKey(), secondaryKey: generateDeviceKey() };
          return { status: 200, body: { type: 'symmetricKey', symmetricKey: other } };
        }

        return bulkBody(request.body).mode === 'create' ? exists('device-0') : BULK_OK;
      },
      { config: { mode: 'upsert' } },
    );

    await dispatchAll(harness, [{ id: 1, mode: 'create', items: [item] }]);

    expect(harness.outcomes[0]).toMatchObject(UPDATED_AFTER_FOUR);
    expect(requestsOf(harness, 'GET', /.*/)).toHaveLength(1);
  });
});
