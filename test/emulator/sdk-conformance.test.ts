/**
 * Conformance: Microsoft's own `azure-iot-provisioning-service` package, unchanged, against the
 * emulator over TLS. Each step checks the reply against the contract (dps-contract.md).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BulkEnrollmentOperationResult, IndividualEnrollment } from 'azure-iot-provisioning-service/dist/interfaces.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { buildCertificate, generateKeyPair } from '../../src/emulator/tls/certificate-builder.js';
import { createSdkClient, type SdkHandle } from './support/sdk-client.js';

/** An RSA TPM2B_PUBLIC shape (size prefix 0x013A, type 0x0001), filler bytes: test material only. */
const ENDORSEMENT_KEY = Buffer.concat([Buffer.from([0x01, 0x3a, 0x00, 0x01]), Buffer.alloc(312, 9)]).toString('base64');

function symmetric(registrationId: string, extra: Partial<IndividualEnrollment> = {}): IndividualEnrollment {
  return { registrationId, attestation: { type: 'symmetricKey' }, ...extra } as IndividualEnrollment;
}

/** What the SDK's error carries: its class name, the HTTP status and the service's error body. */
function describeFailure(failure: unknown): { name: string; status: number | undefined; body: Record<string, unknown> } {
  const error = failure as Error & { response?: { statusCode: number }; responseBody?: string };

  return { name: error.name, status: error.response?.statusCode, body: JSON.parse(error.responseBody ?? '{}') };
}

function runBulk(sdk: SdkHandle, mode: string, enrollments: IndividualEnrollment[]): Promise<BulkEnrollmentOperationResult> {
  return new Promise((resolve, reject) => {
    sdk.client.runBulkEnrollmentOperation({ mode, enrollments } as never, (error, result) => {
      if (error) reject(error);
      else resolve(result!);
    });
  });
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

  it('creates an enrollment and gets back the full record with generated 64-byte keys', async () => {
    const { responseBody, httpResponse } = await sdk.client.createOrUpdateIndividualEnrollment(symmetric('sdk-create', { deviceId: 'sdk-device' }));

    expect(httpResponse.statusCode).toBe(200);
    expect(responseBody.registrationId).toBe('sdk-create');
    expect(responseBody.deviceId).toBe('sdk-device');
    expect(Buffer.from(responseBody.attestation.symmetricKey!.primaryKey, 'base64')).toHaveLength(64);
    expect(Buffer.from(responseBody.etag!, 'base64').toString()).toMatch(/^".+"$/);
    expect(responseBody.createdDateTimeUtc).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,7})?Z$/);
    expect(httpResponse.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('gets an enrollment without its keys and with an unassigned registration state', async () => {
    await sdk.client.createOrUpdateIndividualEnrollment(symmetric('sdk-get'));

    const { responseBody } = await sdk.client.getIndividualEnrollment('sdk-get');

    expect(responseBody.attestation).toEqual({ type: 'symmetricKey' });
    expect(responseBody.registrationState).toEqual({ registrationId: 'sdk-get', status: 'unassigned' });
  });

  it('updates with the etag (the SDK sends it as If-Match) and refuses a stale etag with 412', async () => {
    const created = (await sdk.client.createOrUpdateIndividualEnrollment(symmetric('sdk-update'))).responseBody;

    const updated = (await sdk.client.createOrUpdateIndividualEnrollment({ ...created, provisioningStatus: 'disabled' })).responseBody;
    const stale = await sdk.client.createOrUpdateIndividualEnrollment({ ...created, provisioningStatus: 'enabled' }).catch((error: Error) => error);

    expect(updated.provisioningStatus).toBe('disabled');
    expect(updated.etag).not.toBe(created.etag);
    expect(updated.attestation.symmetricKey).toEqual(created.attestation.symmetricKey);
    expect(stale).toBeInstanceOf(Error);
    expect(describeFailure(stale)).toMatchObject({ name: 'InvalidEtagError', status: 412, body: { errorCode: 412002 } });
  });

  it('refuses a second create without etag with 409201', async () => {
    await sdk.client.createOrUpdateIndividualEnrollment(symmetric('sdk-twice'));

    const again = await sdk.client.createOrUpdateIndividualEnrollment(symmetric('sdk-twice')).catch((error: Error) => error);

    expect(describeFailure(again)).toMatchObject({
      name: 'DeviceAlreadyExistsError',
      status: 409,
      body: { errorCode: 409201, message: 'Enrollment already exists.' },
    });
  });

  it('deletes an enrollment (204) and then cannot find it (404)', async () => {
    await sdk.client.createOrUpdateIndividualEnrollment(symmetric('sdk-delete'));

    await sdk.client.deleteIndividualEnrollment('sdk-delete');
    const missing = await sdk.client.getIndividualEnrollment('sdk-delete').catch((error: Error) => error);

    expect((missing as Error).message).toBe('Not found');
    expect(describeFailure(missing)).toMatchObject({ status: 404, body: { errorCode: 404201 } });
    expect(emulator.stats().enrollments).toBe(0);
  });

  it('runs a bulk create with a partial failure (callback form) and applies the other items', async () => {
    await sdk.client.createOrUpdateIndividualEnrollment(symmetric('bulk-exists'));
    const keys = generateKeyPair();
    const certificate = buildCertificate({ commonName: 'bulk-x509', subjectKeys: keys, usage: 'client' });

    const result = await runBulk(sdk, 'create', [
      symmetric('bulk-new'),
      symmetric('bulk-exists'),
      { registrationId: 'bulk-tpm', attestation: { type: 'tpm', tpm: { endorsementKey: ENDORSEMENT_KEY } } } as IndividualEnrollment,
      { registrationId: 'bulk-x509', attestation: { type: 'x509', x509: { clientCertificates: { primary: { certificate } } } } } as IndividualEnrollment,
    ]);

    expect(result).toEqual({
      errors: [{ registrationId: 'bulk-exists', errorCode: 409201, errorStatus: 'Enrollment already exists.' }],
      isSuccessful: false,
    });
    expect(emulator.stats().enrollments).toBe(4);
    const x509 = (await sdk.client.getIndividualEnrollment('bulk-x509')).responseBody;
    expect(x509.attestation.x509!.clientCertificates!.primary!.info!.subjectName).toBe('CN=bulk-x509');
  });

  it('confirms that the promise form of the bulk call never settles, although the reply arrived', async () => {
    const original = sdk.restApiClient.executeApiCall.bind(sdk.restApiClient);
    let sdkCallbackRan = false;
    const spy = vi.spyOn(sdk.restApiClient, 'executeApiCall').mockImplementation(((...args: unknown[]) => {
      const done = args[args.length - 1] as (...results: unknown[]) => void;
      args[args.length - 1] = (...results: unknown[]) => {
        done(...results);
        sdkCallbackRan = true;
      };

      return (original as (...callArgs: unknown[]) => void)(...args);
    }) as never);

    let settled = false;
    const pending = sdk.client.runBulkEnrollmentOperation({ mode: 'create', enrollments: [symmetric('promise-form')] } as never);
    pending.then(() => { settled = true; }, () => { settled = true; });
    await vi.waitFor(() => expect(sdkCallbackRan).toBe(true), { timeout: 10_000, interval: 10 });
    await new Promise((resolve) => setImmediate(resolve));
    spy.mockRestore();

    // The SDK's own reply handler has run (and the emulator applied the call), yet the promise
    // is still pending: its handler only forwards the reply when a callback was passed.
    expect(emulator.stats().createsPerId).toEqual({ 'promise-form': 1 });
    expect(settled).toBe(false);
  });

  it('pages a query over more than one page (callback form) until hasMoreResults is false', async () => {
    await runBulk(sdk, 'create', Array.from({ length: 7 }, (_, index) => symmetric(`page-${index}`)));
    const query = sdk.client.createIndividualEnrollmentQuery({ query: 'SELECT *' }, 3);

    const pages: string[][] = [];
    while (query.hasMoreResults) {
      const page = await new Promise<{ items: IndividualEnrollment[]; itemType: unknown }>((resolve, reject) => {
        query.next((error, result, response) => {
          if (error) reject(error);
          else resolve({ items: result as unknown as IndividualEnrollment[], itemType: response!.headers['x-ms-item-type'] });
        });
      });
      expect(page.itemType).toBe('Enrollment');
      pages.push(page.items.map((item) => item.registrationId));
    }

    expect(pages.map((page) => page.length)).toEqual([3, 3, 1]);
    expect(new Set(pages.flat()).size).toBe(7);
    expect(pages.flat().every((id) => id.startsWith('page-'))).toBe(true);
  });

  it('shows that the promise form of query.next() without a token restarts at the first page', async () => {
    await runBulk(sdk, 'create', Array.from({ length: 4 }, (_, index) => symmetric(`restart-${index}`)));
    const query = sdk.client.createIndividualEnrollmentQuery({ query: 'SELECT *' }, 2);

    const first = await query.next();
    const second = await query.next();
    const resumed = await query.next(first.httpResponse.headers['x-ms-continuation'] as string);

    // The SDK reads an absent argument as "no continuation", so a plain `while (hasMoreResults)
    // await next()` loop never ends; passing the token (or using the callback form) pages.
    expect(query.hasMoreResults).toBe(false);
    expect(second.responseBody).toEqual(first.responseBody);
    expect((resumed.responseBody as unknown as IndividualEnrollment[]).map((item) => item.registrationId)).toEqual(['restart-2', 'restart-3']);
  });

  it('reads the attestation mechanism with the keys the create returned', async () => {
    const created = (await sdk.client.createOrUpdateIndividualEnrollment(symmetric('sdk-attestation'))).responseBody;

    const { responseBody } = await sdk.client.getIndividualEnrollmentAttestationMechanism('sdk-attestation');

    expect(responseBody).toEqual(created.attestation);
  });

  it('works with enrollment groups and their attestation mechanism (lower-case path from the SDK)', async () => {
    const created = (await sdk.client.createOrUpdateEnrollmentGroup({ enrollmentGroupId: 'sdk-group', attestation: { type: 'symmetricKey' } } as never)).responseBody;

    const attestation = (await sdk.client.getEnrollmentGroupAttestationMechanism('sdk-group')).responseBody;
    await sdk.client.deleteEnrollmentGroup('sdk-group');

    expect(attestation).toEqual(created.attestation);
    expect(emulator.stats().enrollmentGroups).toBe(0);
  });
});
