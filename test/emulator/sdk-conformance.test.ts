/**
 * Conformance: Microsoft's own `azure-iot-provisioning-service` package, unchanged, against the
 * emulator over TLS. Each step checks the reply against the contract (dps-contract.md).
 */
import type {
  BulkEnrollmentOperationResult,
  IndividualEnrollment,
} from 'azure-iot-provisioning-service/dist/interfaces.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { buildCertificate, generateKeyPair } from '../../src/emulator/tls/certificate-builder.js';
import { createSdkClient, type SdkHandle } from './support/sdk-client.js';

/** An RSA TPM2B_PUBLIC shape (size 0x013A, type 0x0001) with filler: test material only. */
const ENDORSEMENT_KEY = Buffer.concat([
  Buffer.from([0x01, 0x3a, 0x00, 0x01]),
  Buffer.alloc(312, 9),
]).toString('base64');

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,7})?Z$/;

interface FailureDetails {
  name: string;
  status: number | undefined;
  body: Record<string, unknown>;
}

function symmetric(id: string, extra: Partial<IndividualEnrollment> = {}): IndividualEnrollment {
  const enrollment = { registrationId: id, attestation: { type: 'symmetricKey' }, ...extra };

  return enrollment as IndividualEnrollment;
}

/** What an SDK error carries: its class name, the HTTP status and the service's error body. */
function describeFailure(failure: unknown): FailureDetails {
  const error = failure as Error & { response?: { statusCode: number }; responseBody?: string };

  return {
    name: error.name,
    status: error.response?.statusCode,
    body: JSON.parse(error.responseBody ?? '{}') as Record<string, unknown>,
  };
}

function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

/** The bulk call in its callback form (its promise form never settles, as a test shows). */
function runBulk(
  sdk: SdkHandle,
  mode: string,
  enrollments: IndividualEnrollment[],
): Promise<BulkEnrollmentOperationResult> {
  return new Promise((resolve, reject) => {
    sdk.client.runBulkEnrollmentOperation({ mode, enrollments } as never, (error, result) => {
      if (error) reject(error);
      else resolve(result!);
    });
  });
}

function registrationIds(items: unknown): string[] {
  return (items as IndividualEnrollment[]).map((item) => item.registrationId);
}

describe('azure-iot-provisioning-service against the emulator (TLS)', () => {
  let emulator: RunningEmulator;
  let sdk: SdkHandle;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, tls: true });
    sdk = createSdkClient(emulator);
  });

  afterAll(async () => {
    sdk.close();
    await emulator.close();
  });

  beforeEach(() => {
    emulator.reset();
  });

  const create = (enrollment: IndividualEnrollment) =>
    sdk.client.createOrUpdateIndividualEnrollment(enrollment);

  it('creates an enrollment and gets the full record with generated 64-byte keys', async () => {
    const enrollment = symmetric('sdk-create', { deviceId: 'sdk-device' });

    const { responseBody, httpResponse } = await create(enrollment);

    const primaryKey = responseBody.attestation.symmetricKey!.primaryKey;
    expect(httpResponse.statusCode).toBe(200);
    expect(responseBody.registrationId).toBe('sdk-create');
    expect(responseBody.deviceId).toBe('sdk-device');
    expect(Buffer.from(primaryKey, 'base64')).toHaveLength(64);
    expect(Buffer.from(responseBody.etag!, 'base64').toString()).toMatch(/^".+"$/);
    expect(responseBody.createdDateTimeUtc).toMatch(TIMESTAMP);
    expect(httpResponse.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('gets an enrollment without its keys, with an unassigned registration state', async () => {
    await create(symmetric('sdk-get'));

    const { responseBody } = await sdk.client.getIndividualEnrollment('sdk-get');

    expect(responseBody.attestation).toEqual({ type: 'symmetricKey' });
    expect(responseBody.registrationState).toEqual({
      registrationId: 'sdk-get',
      status: 'unassigned',
    });
  });

  it('updates with the etag (sent as If-Match) and refuses a stale etag with 412', async () => {
    const created = (await create(symmetric('sdk-update'))).responseBody;

    const updated = (await create({ ...created, provisioningStatus: 'disabled' })).responseBody;
    const stale = await failureOf(create({ ...created, provisioningStatus: 'enabled' }));

    expect(updated.provisioningStatus).toBe('disabled');
    expect(updated.etag).not.toBe(created.etag);
    expect(updated.attestation.symmetricKey).toEqual(created.attestation.symmetricKey);
    expect(stale).toBeInstanceOf(Error);
    expect(describeFailure(stale)).toMatchObject({
      name: 'InvalidEtagError',
      status: 412,
      body: { errorCode: 412002 },
    });
  });

  it('refuses a second create without etag with 409201', async () => {
    await create(symmetric('sdk-twice'));

    const again = await failureOf(create(symmetric('sdk-twice')));

    expect(describeFailure(again)).toMatchObject({
      name: 'DeviceAlreadyExistsError',
      status: 409,
      body: { errorCode: 409201, message: 'Enrollment already exists.' },
    });
  });

  it('deletes an enrollment (204) and then cannot find it (404)', async () => {
    await create(symmetric('sdk-delete'));

    await sdk.client.deleteIndividualEnrollment('sdk-delete');
    const missing = await failureOf(sdk.client.getIndividualEnrollment('sdk-delete'));

    expect((missing as Error).message).toBe('Not found');
    expect(describeFailure(missing)).toMatchObject({ status: 404, body: { errorCode: 404201 } });
    expect(emulator.stats().enrollments).toBe(0);
  });

  it('runs a bulk create with a partial failure and applies the other items', async () => {
    await create(symmetric('bulk-exists'));
    const subjectKeys = generateKeyPair();
    const certificate = buildCertificate({ commonName: 'bulk-x509', subjectKeys, usage: 'client' });
    const tpm = { type: 'tpm', tpm: { endorsementKey: ENDORSEMENT_KEY } };
    const x509 = { type: 'x509', x509: { clientCertificates: { primary: { certificate } } } };

    const result = await runBulk(sdk, 'create', [
      symmetric('bulk-new'),
      symmetric('bulk-exists'),
      { registrationId: 'bulk-tpm', attestation: tpm } as IndividualEnrollment,
      { registrationId: 'bulk-x509', attestation: x509 } as IndividualEnrollment,
    ]);

    const exists = { errorCode: 409201, errorStatus: 'Enrollment already exists.' };
    expect(result).toEqual({
      errors: [{ registrationId: 'bulk-exists', ...exists }],
      isSuccessful: false,
    });
    expect(emulator.stats().enrollments).toBe(4);
    const read = (await sdk.client.getIndividualEnrollment('bulk-x509')).responseBody;
    const info = read.attestation.x509!.clientCertificates!.primary!.info!;
    expect(info.subjectName).toBe('CN=bulk-x509');
  });

  it('confirms that the promise form of the bulk call never settles, though answered', async () => {
    const original = sdk.restApiClient.executeApiCall.bind(sdk.restApiClient);
    let sdkCallbackRan = false;
    const observe = (...args: unknown[]): void => {
      const done = args[args.length - 1] as (...results: unknown[]) => void;
      args[args.length - 1] = (...results: unknown[]) => {
        done(...results);
        sdkCallbackRan = true;
      };
      (original as (...callArgs: unknown[]) => void)(...args);
    };
    const spy = vi.spyOn(sdk.restApiClient, 'executeApiCall').mockImplementation(observe as never);

    let settled = false;
    const operation = { mode: 'create', enrollments: [symmetric('promise-form')] };
    const pending = sdk.client.runBulkEnrollmentOperation(operation as never);
    pending.then(
      () => (settled = true),
      () => (settled = true),
    );
    await vi.waitFor(() => expect(sdkCallbackRan).toBe(true), { timeout: 10_000 });
    await new Promise((resolve) => setImmediate(resolve));
    spy.mockRestore();

    // The SDK's own reply handler has run (and the emulator applied the call), yet the promise
    // is still pending: that handler only forwards the reply when a callback was passed.
    expect(emulator.stats().createsPerId).toEqual({ 'promise-form': 1 });
    expect(settled).toBe(false);
  });

  it('pages a query over more than one page (callback form) until none is left', async () => {
    const seven = Array.from({ length: 7 }, (_, index) => symmetric(`page-${index}`));
    await runBulk(sdk, 'create', seven);
    const query = sdk.client.createIndividualEnrollmentQuery({ query: 'SELECT *' }, 3);

    const pages: string[][] = [];
    const itemTypes: unknown[] = [];
    while (query.hasMoreResults) {
      const items = await new Promise<unknown>((resolve, reject) => {
        query.next((error, result, response) => {
          if (error) return reject(error);
          itemTypes.push(response!.headers['x-ms-item-type']);
          resolve(result);
        });
      });
      pages.push(registrationIds(items));
    }

    expect(pages.map((page) => page.length)).toEqual([3, 3, 1]);
    expect(new Set(pages.flat()).size).toBe(7);
    expect(pages.flat().every((id) => id.startsWith('page-'))).toBe(true);
    expect(itemTypes).toEqual(['Enrollment', 'Enrollment', 'Enrollment']);
  });

  it('shows that query.next() as a promise without a token restarts at page one', async () => {
    const four = Array.from({ length: 4 }, (_, index) => symmetric(`restart-${index}`));
    await runBulk(sdk, 'create', four);
    const query = sdk.client.createIndividualEnrollmentQuery({ query: 'SELECT *' }, 2);

    const first = await query.next();
    const second = await query.next();
    const resumed = await query.next(first.httpResponse.headers['x-ms-continuation'] as string);

    // The SDK reads an absent argument as "no continuation", so a plain `while (hasMoreResults)
    // await next()` loop never ends; passing the token (or using the callback form) pages.
    expect(query.hasMoreResults).toBe(false);
    expect(second.responseBody).toEqual(first.responseBody);
    expect(registrationIds(resumed.responseBody)).toEqual(['restart-2', 'restart-3']);
  });

  it('reads the attestation mechanism with the keys the create returned', async () => {
    const created = (await create(symmetric('sdk-attestation'))).responseBody;

    const read = await sdk.client.getIndividualEnrollmentAttestationMechanism('sdk-attestation');

    expect(read.responseBody).toEqual(created.attestation);
  });

  it('serves enrollment groups, including the lower-case attestation path', async () => {
    const group = { enrollmentGroupId: 'sdk-group', attestation: { type: 'symmetricKey' } };
    const created = (await sdk.client.createOrUpdateEnrollmentGroup(group as never)).responseBody;

    const read = await sdk.client.getEnrollmentGroupAttestationMechanism('sdk-group');
    await sdk.client.deleteEnrollmentGroup('sdk-group');

    expect(read.responseBody).toEqual(created.attestation);
    expect(emulator.stats().enrollmentGroups).toBe(0);
  });
});
