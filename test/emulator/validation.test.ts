import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { buildCertificate, generateKeyPair } from '../../src/emulator/tls/certificate-builder.js';
import { EmulatorClient, testKey } from './support/emulator-client.js';

const symmetric = { type: 'symmetricKey' };

/** A TPM2B_PUBLIC-shaped key: size prefix, then type (RSA), then filler. */
function tpmKey(type = 0x0001, size?: number): string {
  const body = Buffer.alloc(312, 1);
  body.writeUInt16BE(type, 0);
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(size ?? body.length);

  return Buffer.concat([prefix, body]).toString('base64');
}

describe('emulator validation of enrollments', () => {
  let emulator: RunningEmulator;
  let strict: RunningEmulator;
  let client: EmulatorClient;
  let strictClient: EmulatorClient;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    strict = await startEmulator({
      port: 0,
      linkedHubs: ['hub-1.azure-devices.net'],
      behavior: { registrationIdRule: 'spec', tpmCheck: 'structure' },
    });
    client = new EmulatorClient(emulator);
    strictClient = new EmulatorClient(strict);
  });

  afterAll(async () => {
    await Promise.all([client.close(), strictClient.close()]);
    await Promise.all([emulator.close(), strict.close()]);
  });

  const rejected: Array<[string, Record<string, unknown>, string]> = [
    ['an ID with @', { registrationId: 'meter@site12', attestation: symmetric }, 'registrationId: only letters, digits and - . _ : are allowed, found "@" (U+0040)'],
    ['an ID of 129 characters', { registrationId: 'a'.repeat(129), attestation: symmetric }, 'registrationId: must be 1 to 128 characters, found 129'],
    ['an ID ending in .', { registrationId: 'meter.', attestation: symmetric }, 'registrationId: must end with a letter, a digit or -, found "."'],
    ['no attestation', { registrationId: 'no-att' }, 'attestation: required object, found nothing'],
    ['an unknown attestation type', { registrationId: 'x', attestation: { type: 'password' } }, 'attestation.type: must be symmetricKey, tpm or x509, found "password"'],
    ['a key that is not base64', { registrationId: 'x', attestation: { type: 'symmetricKey', symmetricKey: { primaryKey: 'abc*defg' } } }, 'attestation.symmetricKey.primaryKey: must be base64, found 8 characters that are not'],
    ['a 65-byte key', { registrationId: 'x', attestation: { type: 'symmetricKey', symmetricKey: { secondaryKey: testKey(65) } } }, 'attestation.symmetricKey.secondaryKey: must decode to 16 to 64 bytes, found 65'],
    ['TPM without an endorsement key', { registrationId: 'x', attestation: { type: 'tpm', tpm: {} } }, 'attestation.tpm.endorsementKey: required non-empty string, found nothing'],
    ['X.509 without a certificate', { registrationId: 'x', attestation: { type: 'x509', x509: {} } }, 'attestation.x509: needs exactly one of clientCertificates, found 0'],
    ['an X.509 certificate that does not parse', { registrationId: 'x', attestation: { type: 'x509', x509: { clientCertificates: { primary: { certificate: 'bm90IGEgY2VydA==' } } } } }, 'attestation.x509.clientCertificates.primary.certificate: base64 text of 16 characters that does not parse as an X.509 certificate'],
    ['an unknown provisioningStatus', { registrationId: 'x', attestation: symmetric, provisioningStatus: 'paused' }, 'provisioningStatus: must be one of enabled, disabled, found "paused"'],
    ['an unknown allocationPolicy', { registrationId: 'x', attestation: symmetric, allocationPolicy: 'random' }, 'allocationPolicy: must be one of hashed, geoLatency, static, custom, found "random"'],
    ['a hub outside azure-devices.net', { registrationId: 'x', attestation: symmetric, iotHubs: ['hub.example.com'] }, 'iotHubs[0]: must be a host name under azure-devices.net, found "hub.example.com"'],
    ['tags that are not an object', { registrationId: 'x', attestation: symmetric, initialTwin: { tags: [1] } }, 'initialTwin.tags: must be an object, found an array'],
    ['a deviceId with a space', { registrationId: 'x', attestation: symmetric, deviceId: 'my device' }, `deviceId: only letters, digits and - . % _ * ? ! ( ) , : = @ $ ' are allowed, found " " (U+0020)`],
    ['custom allocation without its definition', { registrationId: 'x', attestation: symmetric, allocationPolicy: 'custom' }, 'customAllocationDefinition: required when allocationPolicy is "custom"'],
  ];

  it.each(rejected)('answers PUT of %s with 400 and the rule', async (_, body, message) => {
    const id = encodeURIComponent(body['registrationId'] as string);

    const answer = await client.send(`/enrollments/${id}`, { method: 'PUT', body });

    expect(answer.status).toBe(400);
    expect(answer.headers['x-ms-error-code']).toBe('400000');
    expect(answer.body.message).toBe(message);
  });

  it('accepts an ID with : . _ - and a 64-byte key, and keeps the key as sent', async () => {
    const keys = { primaryKey: testKey(64, 3), secondaryKey: testKey(16, 4) };

    const answer = await client.send('/enrollments/meter:site15.a_b', {
      method: 'PUT',
      body: { registrationId: 'meter:site15.a_b', attestation: { type: 'symmetricKey', symmetricKey: keys } },
    });

    expect(answer.status).toBe(200);
    expect(answer.body.attestation.symmetricKey).toEqual(keys);
  });

  it('echoes provisioningStatus null as the service does, and drops other null fields', async () => {
    const answer = await client.send('/enrollments/nulls', {
      method: 'PUT',
      body: { registrationId: 'nulls', attestation: symmetric, provisioningStatus: null, capabilities: null, iotHubs: null, initialTwin: null },
    });

    expect(answer.body.provisioningStatus).toBeNull();
    expect(Object.keys(answer.body)).not.toContain('capabilities');
    expect(Object.keys(answer.body)).not.toContain('iotHubs');
  });

  it('answers 400 when the body names another ID than the path', async () => {
    const answer = await client.send('/enrollments/path-id', { method: 'PUT', body: { registrationId: 'body-id', attestation: symmetric } });

    expect(answer.status).toBe(400);
    expect(answer.body.message).toBe('registrationId: the body names "body-id" but the path names "path-id"');
  });

  it('computes X.509 info and never returns the certificate from PUT or GET', async () => {
    const keys = generateKeyPair();
    const certificate = buildCertificate({ commonName: 'cert-device-1', subjectKeys: keys, usage: 'client' });
    const base64Der = certificate.replace(/-----[A-Z ]+-----|\s/g, '');
    const body = {
      registrationId: 'cert-device-1',
      attestation: { type: 'x509', x509: { clientCertificates: { primary: { certificate }, secondary: { certificate: base64Der } } } },
    };

    const put = await client.send('/enrollments/cert-device-1', { method: 'PUT', body });
    const get = await client.send('/enrollments/cert-device-1');

    const info = put.body.attestation.x509.clientCertificates.primary;
    expect(Object.keys(info)).toEqual(['info']);
    expect(info.info).toMatchObject({ subjectName: 'CN=cert-device-1', issuerName: 'CN=cert-device-1', version: 3 });
    expect(info.info.sha1Thumbprint).toMatch(/^[0-9A-F]{40}$/);
    expect(info.info.sha256Thumbprint).toMatch(/^[0-9A-F]{64}$/);
    expect(info.info.serialNumber).toMatch(/^[0-9A-F]+$/);
    expect(info.info.notBeforeUtc).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(put.body.attestation.x509.clientCertificates.secondary.info).toEqual(info.info);
    expect(get.body.attestation).toEqual(put.body.attestation);
    expect(put.text).not.toContain(base64Der.slice(0, 40));
  });

  describe('with the stricter switches and linked hubs', () => {
    it('refuses an ID that starts with - under the spec rule', async () => {
      const answer = await strictClient.send('/enrollments/-meter-site14', { method: 'PUT', body: { registrationId: '-meter-site14', attestation: symmetric } });

      expect(answer.body.message).toBe('registrationId: must start and end with a letter or digit, found "-…4"');
    });

    it('accepts only linked hubs, ignoring case', async () => {
      const linked = await strictClient.send('/enrollments/h-1', { method: 'PUT', body: { registrationId: 'h-1', attestation: symmetric, iotHubs: ['HUB-1.azure-devices.net'] } });
      const other = await strictClient.send('/enrollments/h-2', { method: 'PUT', body: { registrationId: 'h-2', attestation: symmetric, iotHubs: ['hub-2.azure-devices.net'] } });

      expect(linked.status).toBe(200);
      expect(other.body.message).toBe('iotHubs[0]: must be one of the linked hubs (hub-1.azure-devices.net), found "hub-2.azure-devices.net"');
    });

    it('checks the TPM2B_PUBLIC structure of an endorsement key', async () => {
      const good = await strictClient.send('/enrollments/tpm-1', { method: 'PUT', body: { registrationId: 'tpm-1', attestation: { type: 'tpm', tpm: { endorsementKey: tpmKey() } } } });
      const badSize = await strictClient.send('/enrollments/tpm-2', { method: 'PUT', body: { registrationId: 'tpm-2', attestation: { type: 'tpm', tpm: { endorsementKey: tpmKey(0x0001, 10) } } } });
      const badType = await strictClient.send('/enrollments/tpm-3', { method: 'PUT', body: { registrationId: 'tpm-3', attestation: { type: 'tpm', tpm: { endorsementKey: tpmKey(0x0008) } } } });

      expect(good.status).toBe(200);
      expect(good.body.attestation.tpm.endorsementKey).toBe(tpmKey());
      expect(badSize.body.message).toBe('attestation.tpm.endorsementKey: must be a TPM2B_PUBLIC whose size prefix matches its 312 remaining bytes, found prefix 10');
      expect(badType.body.message).toBe('attestation.tpm.endorsementKey: TPM2B_PUBLIC type must be RSA (0x0001) or ECC (0x0023), found 0x0008');
    });
  });
});
