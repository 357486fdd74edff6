import { afterEach, describe, expect, it } from 'vitest';

import type { IndividualEnrollment } from '../../src/dps/contract/index.js';
import type { RecordedRequest } from '../dps/support/scripted-server.js';
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

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

function idOf(request: RecordedRequest): string {
  return request.pathname.split('/')[2] ?? '';
}

function updateBodies(harness: Harness): IndividualEnrollment[] {
  return harness.server.requests
    .filter((request) => bulkBody(request.body)?.mode === 'update')
    .flatMap((request) => bulkBody(request.body).enrollments);
}

describe('dispatcher in delete mode', () => {
  it('deletes, and counts a row already absent as succeeded with nothing done', async () => {
    const absent = {
      registrationId: 'device-1',
      errorCode: 404201,
      errorStatus: 'Enrollment not found.',
    };
    harness = await startHarness(
      () => ({ status: 200, body: { isSuccessful: false, errors: [absent] } }),
      { config: { mode: 'delete' } },
    );

    await dispatchAll(harness, toBatches(makeItems(2), 'delete'));

    expect(harness.sorted()).toEqual([
      {
        line: 2,
        registrationId: 'device-0',
        status: 'succeeded',
        action: 'deleted',
        attempts: 1,
        httpStatus: 200,
        message: '',
      },
      {
        line: 3,
        registrationId: 'device-1',
        status: 'succeeded',
        action: 'none',
        attempts: 1,
        httpStatus: 200,
        message: 'already absent',
      },
    ]);
    expect(bulkBody(harness.server.requests[0]?.body).mode).toBe('delete');
  });
});

describe('dispatcher in disable mode', () => {
  const stored: Record<string, object> = {
    'device-0': { attestation: { type: 'symmetricKey' }, provisioningStatus: 'enabled' },
    'device-1': { attestation: { type: 'symmetricKey' }, provisioningStatus: 'disabled' },
    'device-2': {
      attestation: { type: 'tpm', tpm: { endorsementKey: 'AToAAQALAAMAsgAg' } },
      provisioningStatus: 'enabled',
      initialTwin: { tags: { site: 'plant-3' } },
    },
    'device-3': {
      attestation: {
        type: 'x509',
        x509: { clientCertificates: { primary: { info: { subjectName: 'CN=x' } } } },
      },
    },
  };
  const storedKeys = { primaryKey: generateDeviceKey(), secondaryKey: generateDeviceKey() };

  async function start(): Promise<Harness> {
    return startHarness(
      (request) => {
        const id = idOf(request);

        if (request.method === 'GET') {
          const record = stored[id];
          if (!record) return { status: 404, body: { errorCode: 404201, message: 'Not found.' } };

          return {
            status: 200,
            body: {
              registrationId: id,
              etag: `etag-${id}`,
              createdDateTimeUtc: '2026-01-15T08:00:00Z',
              lastUpdatedDateTimeUtc: '2026-01-15T08:00:00Z',
              registrationState: { registrationId: id, status: 'unassigned' },
              ...record,
            },
          };
        }

        if (request.pathname.endsWith('/attestationmechanism')) {
          return { status: 200, body: { type: 'symmetricKey', symmetricKey: storedKeys } };
        }

        return BULK_OK;
      },
      { config: { mode: 'disable' } },
    );
  }

  it('writes a row that carries its keys back disabled, with the stored etag', async () => {
    harness = await start();
    const item = makeItem(0);

    await dispatchAll(harness, [{ id: 1, mode: 'update', items: [item] }]);

    expect(harness.outcomes[0]).toEqual({
      line: 2,
      registrationId: 'device-0',
      status: 'succeeded',
      action: 'disabled',
      attempts: 2,
      httpStatus: 200,
      message: '',
    });
    expect(updateBodies(harness)).toEqual([
      { ...item.enrollment, provisioningStatus: 'disabled', etag: 'etag-device-0' },
    ]);
  });

  it('writes the stored record back with its own keys when the row has none', async () => {
    harness = await start();
    const item = makeItem(0, { attestation: { type: 'symmetricKey' } });

    await dispatchAll(harness, [{ id: 1, mode: 'update', items: [item] }]);

    expect(harness.outcomes[0]).toMatchObject({
      status: 'succeeded',
      action: 'disabled',
      attempts: 3,
    });
    expect(updateBodies(harness)).toEqual([
      {
        registrationId: 'device-0',
        etag: 'etag-device-0',
        attestation: { type: 'symmetricKey', symmetricKey: storedKeys },
        provisioningStatus: 'disabled',
      },
    ]);
  });

  it('keeps everything else of a stored TPM record and needs no keys for it', async () => {
    harness = await start();
    const item = makeItem(2, { attestation: { type: 'tpm' } });

    await dispatchAll(harness, [{ id: 1, mode: 'update', items: [item] }]);

    expect(harness.outcomes[0]).toMatchObject({
      status: 'succeeded',
      action: 'disabled',
      attempts: 2,
    });
    expect(updateBodies(harness)).toEqual([
      {
        registrationId: 'device-2',
        etag: 'etag-device-2',
        attestation: { type: 'tpm', tpm: { endorsementKey: 'AToAAQALAAMAsgAg' } },
        provisioningStatus: 'disabled',
        initialTwin: { tags: { site: 'plant-3' } },
      },
    ]);
  });

  it('reports an already disabled record as succeeded with nothing done', async () => {
    harness = await start();

    await dispatchAll(harness, [{ id: 1, mode: 'update', items: [makeItem(1)] }]);

    expect(harness.outcomes[0]).toEqual({
      line: 3,
      registrationId: 'device-1',
      status: 'succeeded',
      action: 'none',
      attempts: 1,
      httpStatus: 200,
      message: 'already disabled',
    });
    expect(updateBodies(harness)).toEqual([]);
  });

  it('fails an X.509 record without a certificate in the row, and a missing record', async () => {
    harness = await start();
    const x509 = makeItem(3, { attestation: { type: 'x509' } });
    const missing = makeItem(4);

    await dispatchAll(harness, [{ id: 1, mode: 'update', items: [x509, missing] }]);

    expect(harness.sorted()).toEqual([
      {
        line: 5,
        registrationId: 'device-3',
        status: 'failed',
        action: 'none',
        attempts: 1,
        httpStatus: 200,
        errorCode: 'certificate-required',
        message:
          'an X.509 enrollment can only be disabled from a row that carries its certificate ' +
          '(the service never returns certificates); add primaryCertificate to the row',
      },
      {
        line: 6,
        registrationId: 'device-4',
        status: 'failed',
        action: 'none',
        attempts: 1,
        httpStatus: 404,
        errorCode: 404201,
        message: 'no enrollment with this registration ID: nothing to disable',
      },
    ]);
    expect(updateBodies(harness)).toEqual([]);
  });
});
