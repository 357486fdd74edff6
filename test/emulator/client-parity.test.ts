/**
 * "The same requests made by our own client produce the same stored records as the SDK's":
 * each enrollment is sent once by the official SDK and once by dps-bulk's client
 * (src/dps/client), under two IDs; both stored records are read back (GET and
 * attestationmechanism) and compared with the ID, etag and timestamps set aside.
 */
import type { IndividualEnrollment as SdkEnrollment } from 'azure-iot-provisioning-service/dist/interfaces.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDpsClient, type DpsAnswer, type DpsClient } from '../../src/dps/client/index.js';
import { parseConnectionString, type IndividualEnrollment } from '../../src/dps/contract/index.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { buildCertificate, generateKeyPair } from '../../src/emulator/tls/certificate-builder.js';
import { testKey } from './support/emulator-client.js';
import { createSdkClient, type SdkHandle } from './support/sdk-client.js';

const ENDORSEMENT_KEY = Buffer.concat([
  Buffer.from([0x01, 0x3a, 0x00, 0x01]),
  Buffer.alloc(312, 5),
]).toString('base64');

/** Enrollments covering each attestation kind and the optional fields a manifest can fill. */
function samples(prefix: string, certificate: string): IndividualEnrollment[] {
  const keys = { primaryKey: testKey(32, 1), secondaryKey: testKey(32, 2) };
  const clientCertificates = { primary: { certificate } };

  return [
    {
      registrationId: `${prefix}-sym`,
      deviceId: `${prefix}-device`,
      attestation: { type: 'symmetricKey', symmetricKey: keys },
      iotHubs: ['factory-hub.azure-devices.net'],
      provisioningStatus: 'disabled',
      initialTwin: { tags: { site: 'plant-7', line: 3 } },
    },
    {
      registrationId: `${prefix}-tpm`,
      attestation: { type: 'tpm', tpm: { endorsementKey: ENDORSEMENT_KEY } },
    },
    {
      registrationId: `${prefix}-x509`,
      attestation: { type: 'x509', x509: { clientCertificates } },
      allocationPolicy: 'hashed',
      reprovisionPolicy: { updateHubAssignment: true, migrateDeviceData: false },
    },
  ];
}

function replyBody(answer: DpsAnswer): Record<string, unknown> {
  if (answer.kind !== 'reply') throw new Error(`transport error: ${answer.code}`);

  return answer.body as Record<string, unknown>;
}

/** The stored record as GET and attestationmechanism show it, minus what differs by design. */
async function storedRecord(client: DpsClient, id: string): Promise<Record<string, unknown>> {
  const read = replyBody(await client.get(id));
  const attestation = replyBody(await client.attestationMechanism(id));
  const { registrationState, etag, createdDateTimeUtc, ...rest } = read;
  expect(typeof etag).toBe('string');
  expect(typeof createdDateTimeUtc).toBe('string');
  delete rest['registrationId'];
  delete rest['deviceId'];
  delete rest['lastUpdatedDateTimeUtc'];
  const registrationStatus = (registrationState as { status: string }).status;

  return { ...rest, registrationStatus, attestation };
}

describe('dps-bulk client and the official SDK store the same records', () => {
  let emulator: RunningEmulator;
  let sdk: SdkHandle;
  let ours: DpsClient;
  let certificate: string;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, tls: true });
    sdk = createSdkClient(emulator);
    const connection = parseConnectionString(emulator.connectionString);
    const credential = {
      kind: 'sas' as const,
      policyName: connection.sharedAccessKeyName,
      key: connection.sharedAccessKey,
    };
    ours = createDpsClient(
      {
        kind: 'emulator',
        endpoint: emulator.endpoint,
        hostName: connection.hostName,
        credential,
        caCertificate: emulator.caCertificate!,
      },
      { requestTimeoutMs: 10_000, connections: 2 },
    );
    const subjectKeys = generateKeyPair();
    certificate = buildCertificate({ commonName: 'parity-device', subjectKeys, usage: 'client' });
  });

  afterAll(async () => {
    sdk.close();
    await ours.close();
    await emulator.close();
  });

  it('stores identical records from one bulk create each', async () => {
    const operation = { mode: 'create', enrollments: samples('sdk', certificate) };
    const sdkResult = await new Promise((resolve, reject) => {
      sdk.client.runBulkEnrollmentOperation(operation as never, (error, result) => {
        if (error) reject(error);
        else resolve(result);
      });
    });
    const ourResult = replyBody(await ours.bulk('create', samples('ours', certificate)));

    expect(sdkResult).toEqual({ errors: [], isSuccessful: true });
    expect(ourResult).toEqual({ errors: [], isSuccessful: true });
    for (const suffix of ['sym', 'tpm', 'x509']) {
      const fromSdk = await storedRecord(ours, `sdk-${suffix}`);
      expect(await storedRecord(ours, `ours-${suffix}`)).toEqual(fromSdk);
    }
  });

  it('stores identical records from PUT, and from the same update through the etag', async () => {
    const [sdkSample] = samples('sdk-put', certificate);
    const [ourSample] = samples('ours-put', certificate);

    const sdkEnrollment = sdkSample as unknown as SdkEnrollment;
    const created = await sdk.client.createOrUpdateIndividualEnrollment(sdkEnrollment);
    const ourCreated = replyBody(await ours.put(ourSample!)) as unknown as IndividualEnrollment;
    const sdkUpdate = { ...created.responseBody, provisioningStatus: 'enabled' as const };
    await sdk.client.createOrUpdateIndividualEnrollment(sdkUpdate);
    await ours.put({ ...ourCreated, provisioningStatus: 'enabled' }, ourCreated.etag);

    const sdkStored = await storedRecord(ours, 'sdk-put-sym');
    expect(sdkStored['provisioningStatus']).toBe('enabled');
    expect(await storedRecord(ours, 'ours-put-sym')).toEqual(sdkStored);
  });
});
