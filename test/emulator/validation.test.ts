import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { buildCertificate, generateKeyPair } from '../../src/emulator/tls/certificate-builder.js';
import { EmulatorClient, testKey } from './support/emulator-client.js';

const symmetric = { type: 'symmetricKey' };

/** A TPM2B_PUBLIC-shaped key: size prefix, then the type (RSA by default), then filler. */
function tpmKey(type = 0x0001, size?: number): string {
  const body = Buffer.alloc(312, 1);
  body.writeUInt16BE(type, 0);
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(size ?? body.length);

  return Buffer.concat([prefix, body]).toString('base64');
}

/** An enrollment with a symmetric-key attestation and the given fields over it. */
function withFields(fields: Record<string, unknown>): Record<string, unknown> {
  return { registrationId: 'x', attestation: symmetric, ...fields };
}

function withAttestation(attestation: unknown): Record<string, unknown> {
  return { registrationId: 'x', attestation };
}

interface RejectedCase {
  what: string;
  body: Record<string, unknown>;
  message: string;
}

const REJECTED: RejectedCase[] = [
  {
    what: 'an ID with @',
    body: withFields({ registrationId: 'meter@site12' }),
    message: 'registrationId: only letters, digits and - . _ : are allowed, found "@" (U+0040)',
  },
  {
    what: 'an ID of 129 characters',
    body: withFields({ registrationId: 'a'.repeat(129) }),
    message: 'registrationId: must be 1 to 128 characters, found 129',
  },
  {
    what: 'an ID ending in .',
    body: withFields({ registrationId: 'meter.' }),
    message: 'registrationId: must end with a letter, a digit or -, found "."',
  },
  {
    what: 'no attestation',
    body: { registrationId: 'no-att' },
    message: 'attestation: required object, found nothing',
  },
  {
    what: 'an unknown attestation type',
    body: withAttestation({ type: 'password' }),
    message: 'attestation.type: must be symmetricKey, tpm or x509, found "password"',
  },
  {
    what: 'a key that is not base64',
    body: withAttestation({ type: 'symmetricKey', symmetricKey: { primaryKey: 'abc*defg' } }),
    message: 'attestation.symmetricKey.primaryKey: must be base64, found 8 characters that are not',
  },
  {
    what: 'a 65-byte key',
    body: withAttestation({ type: 'symmetricKey', symmetricKey: { secondaryKey: testKey(65) } }),
    message: 'attestation.symmetricKey.secondaryKey: must decode to 16 to 64 bytes, found 65',
  },
  {
    what: 'TPM without an endorsement key',
    body: withAttestation({ type: 'tpm', tpm: {} }),
    message: 'attestation.tpm.endorsementKey: required non-empty string, found nothing',
  },
  {
    what: 'X.509 without a certificate',
    body: withAttestation({ type: 'x509', x509: {} }),
    message: 'attestation.x509: needs exactly one of clientCertificates, found 0',
  },
  {
    what: 'an X.509 certificate that does not parse',
    body: withAttestation({
      type: 'x509',
      x509: { clientCertificates: { primary: { certificate: 'bm90IGEgY2VydA==' } } },
    }),
    message:
      'attestation.x509.clientCertificates.primary.certificate: base64 text of ' +
      '16 characters that does not parse as an X.509 certificate',
  },
  {
    what: 'an unknown provisioningStatus',
    body: withFields({ provisioningStatus: 'paused' }),
    message: 'provisioningStatus: must be one of enabled, disabled, found "paused"',
  },
  {
    what: 'an unknown allocationPolicy',
    body: withFields({ allocationPolicy: 'random' }),
    message: 'allocationPolicy: must be one of hashed, geoLatency, static, custom, found "random"',
  },
  {
    what: 'a hub outside azure-devices.net',
    body: withFields({ iotHubs: ['hub.example.com'] }),
    message: 'iotHubs[0]: must be a host name under azure-devices.net, found "hub.example.com"',
  },
  {
    what: 'tags that are not an object',
    body: withFields({ initialTwin: { tags: [1] } }),
    message: 'initialTwin.tags: must be an object, found an array',
  },
  {
    what: 'a deviceId with a space',
    body: withFields({ deviceId: 'my device' }),
    message:
      "deviceId: only letters, digits and - . % _ * ? ! ( ) , : = @ $ ' are allowed, " +
      'found " " (U+0020)',
  },
  {
    what: 'custom allocation without its definition',
    body: withFields({ allocationPolicy: 'custom' }),
    message: 'customAllocationDefinition: required when allocationPolicy is "custom"',
  },
];

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

  it.each(REJECTED)('answers PUT of $what with 400 and the rule', async ({ body, message }) => {
    const answer = await client.put(body['registrationId'] as string, body);

    expect(answer.status).toBe(400);
    expect(answer.headers['x-ms-error-code']).toBe('400000');
    expect(answer.body.message).toBe(message);
  });

  it('accepts an ID with : . _ - and a 64-byte key, and keeps the keys as sent', async () => {
    const keys = { primaryKey: testKey(64, 3), secondaryKey: testKey(16, 4) };
    const id = 'meter:site15.a_b';
    const body = { registrationId: id, attestation: { type: 'symmetricKey', symmetricKey: keys } };

    const answer = await client.put(id, body);

    expect(answer.status).toBe(200);
    expect(answer.body.attestation.symmetricKey).toEqual(keys);
  });

  it('echoes provisioningStatus null as the service does, and drops other nulls', async () => {
    const nulls = { provisioningStatus: null, capabilities: null, iotHubs: null };

    const answer = await client.put('nulls', withFields({ registrationId: 'nulls', ...nulls }));

    expect(answer.body.provisioningStatus).toBeNull();
    expect(Object.keys(answer.body)).not.toContain('capabilities');
    expect(Object.keys(answer.body)).not.toContain('iotHubs');
  });

  it('answers 400 when the body names another ID than the path', async () => {
    const answer = await client.put('path-id', withFields({ registrationId: 'body-id' }));

    expect(answer.status).toBe(400);
    expect(answer.body.message).toBe(
      'registrationId: the body names "body-id" but the path names "path-id"',
    );
  });

  it('computes X.509 info and never returns the certificate from PUT or GET', async () => {
    const subjectKeys = generateKeyPair();
    const commonName = 'cert-device-1';
    const certificate = buildCertificate({ commonName, subjectKeys, usage: 'client' });
    const base64Der = certificate.replace(/-----[A-Z ]+-----|\s/g, '');
    const clientCertificates = { primary: { certificate }, secondary: { certificate: base64Der } };
    const body = {
      registrationId: 'cert-device-1',
      attestation: { type: 'x509', x509: { clientCertificates } },
    };

    const put = await client.put('cert-device-1', body);
    const get = await client.get('cert-device-1');

    const primary = put.body.attestation.x509.clientCertificates.primary;
    expect(Object.keys(primary)).toEqual(['info']);
    expect(primary.info).toMatchObject({
      subjectName: 'CN=cert-device-1',
      issuerName: 'CN=cert-device-1',
      version: 3,
    });
    expect(primary.info.sha1Thumbprint).toMatch(/^[0-9A-F]{40}$/);
    expect(primary.info.sha256Thumbprint).toMatch(/^[0-9A-F]{64}$/);
    expect(primary.info.serialNumber).toMatch(/^[0-9A-F]+$/);
    expect(primary.info.notBeforeUtc).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(put.body.attestation.x509.clientCertificates.secondary.info).toEqual(primary.info);
    expect(get.body.attestation).toEqual(put.body.attestation);
    expect(put.text).not.toContain(base64Der.slice(0, 40));
  });

  describe('with the stricter switches and linked hubs', () => {
    it('refuses an ID that starts with - under the spec rule', async () => {
      const id = '-meter-site14';

      const answer = await strictClient.put(id, withFields({ registrationId: id }));

      expect(answer.body.message).toBe(
        'registrationId: must start and end with a letter or digit, found "-…4"',
      );
    });

    it('accepts only linked hubs, ignoring case', async () => {
      const linkedHub = { registrationId: 'h-1', iotHubs: ['HUB-1.azure-devices.net'] };
      const otherHub = { registrationId: 'h-2', iotHubs: ['hub-2.azure-devices.net'] };

      const linked = await strictClient.put('h-1', withFields(linkedHub));
      const other = await strictClient.put('h-2', withFields(otherHub));

      expect(linked.status).toBe(200);
      expect(other.body.message).toBe(
        'iotHubs[0]: must be one of the linked hubs (hub-1.azure-devices.net), ' +
          'found "hub-2.azure-devices.net"',
      );
    });

    it('checks the TPM2B_PUBLIC structure of an endorsement key', async () => {
      const withKey = (id: string, endorsementKey: string): Record<string, unknown> => ({
        registrationId: id,
        attestation: { type: 'tpm', tpm: { endorsementKey } },
      });

      const good = await strictClient.put('tpm-1', withKey('tpm-1', tpmKey()));
      const badSize = await strictClient.put('tpm-2', withKey('tpm-2', tpmKey(0x0001, 10)));
      const badType = await strictClient.put('tpm-3', withKey('tpm-3', tpmKey(0x0008)));

      expect(good.status).toBe(200);
      expect(good.body.attestation.tpm.endorsementKey).toBe(tpmKey());
      expect(badSize.body.message).toBe(
        'attestation.tpm.endorsementKey: must be a TPM2B_PUBLIC whose size prefix matches its ' +
          '312 remaining bytes, found prefix 10',
      );
      expect(badType.body.message).toBe(
        'attestation.tpm.endorsementKey: TPM2B_PUBLIC type must be RSA (0x0001) or ECC ' +
          '(0x0023), found 0x0008',
      );
    });
  });
});
