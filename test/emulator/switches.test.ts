/**
 * The switches for behaviours the public record leaves open (dps-contract.md, marked ★ or
 * UNCONFIRMED): each default, and what the other setting does.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Agent } from 'undici';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/index.js';
import { buildCertificate, generateKeyPair } from '../../src/emulator/tls/certificate-builder.js';
import { EmulatorClient, symmetricEnrollment } from './support/emulator-client.js';

describe('emulator switches', () => {
  let emulator: RunningEmulator | undefined;
  let client: EmulatorClient | undefined;

  afterEach(async () => {
    await client?.close();
    await emulator?.close();
    client = undefined;
    emulator = undefined;
  });

  async function start(options: EmulatorOptions = {}): Promise<EmulatorClient> {
    emulator = await startEmulator({ port: 0, ...options });
    client = new EmulatorClient(emulator);

    return client;
  }

  async function etagOf(http: EmulatorClient, id: string): Promise<string> {
    return (await http.send(`/enrollments/${id}`)).body.etag as string;
  }

  it('keeps the casing an ID was created with by default, and lower-cases it with idCase lower', async () => {
    const preserving = await start();
    await preserving.bulk([symmetricEnrollment('Sensor-A01')]);
    const kept = (await preserving.send('/enrollments/sensor-a01')).body.registrationId;
    await preserving.close();
    await emulator!.close();

    const lowering = await start({ behavior: { idCase: 'lower' } });
    await lowering.bulk([symmetricEnrollment('Sensor-A01')]);
    const lowered = (await lowering.send('/enrollments/SENSOR-A01')).body.registrationId;

    expect(kept).toBe('Sensor-A01');
    expect(lowered).toBe('sensor-a01');
  });

  it('creates on a bulk update of a missing ID without etag when updateMissing is create', async () => {
    const http = await start({ behavior: { updateMissing: 'create' } });

    const answer = await http.bulk([symmetricEnrollment('made-by-update')], 'update');

    expect(answer.body).toEqual({ errors: [], isSuccessful: true });
    expect(emulator!.stats().createsPerId).toEqual({ 'made-by-update': 1 });
  });

  it('answers If-Match on a missing ID with 404201 by default, or 412 when switched', async () => {
    const defaults = await start();
    const notFound = await defaults.send('/enrollments/absent', {
      method: 'PUT',
      body: symmetricEnrollment('absent'),
      headers: { 'if-match': 'IjEi' },
    });
    await defaults.close();
    await emulator!.close();

    const switched = await start({ behavior: { ifMatchOnMissing: 'precondition-failed' } });
    const failed = await switched.send('/enrollments/absent', { method: 'DELETE', headers: { 'if-match': 'IjEi' } });

    expect([notFound.status, notFound.body.errorCode]).toEqual([404, 404201]);
    expect([failed.status, failed.body.errorCode]).toEqual([412, 412002]);
  });

  it('insists on an etag in updateIfMatchETag mode and accepts the Node SDK spelling by default', async () => {
    const http = await start();
    await http.bulk([symmetricEnrollment('etag-mode')]);

    const missing = await http.bulk([symmetricEnrollment('etag-mode')], 'updateIfMatchETag');
    const nodeSpelling = await http.bulk([{ ...symmetricEnrollment('etag-mode'), etag: await etagOf(http, 'etag-mode') }], 'updateIfMatchEtag');

    expect(missing.body.errors).toEqual([{
      registrationId: 'etag-mode',
      errorCode: 412002,
      errorStatus: 'Precondition failed for "etag-mode": it carries no etag.',
    }]);
    expect(nodeSpelling.body).toEqual({ errors: [], isSuccessful: true });
  });

  it('refuses the Node SDK spelling of the mode when exact spelling is required', async () => {
    const http = await start({ behavior: { bulkModeIgnoresCase: false } });

    const answer = await http.bulk([symmetricEnrollment('x')], 'updateIfMatchEtag');

    expect(answer.status).toBe(400);
    expect(answer.body.message).toBe('mode: must be one of create, update, updateIfMatchETag, delete, found "updateIfMatchEtag"');
  });

  it('keeps symmetric keys on an update that sends none, or generates new ones when switched', async () => {
    const keysAfterUpdate = async (options: EmulatorOptions): Promise<[string, string]> => {
      const http = await start(options);
      await http.bulk([symmetricEnrollment('rekey')]);
      const before = (await http.send('/enrollments/rekey/attestationmechanism', { method: 'POST' })).body.symmetricKey.primaryKey;
      await http.bulk([{ ...symmetricEnrollment('rekey'), etag: await etagOf(http, 'rekey') }], 'update');
      const after = (await http.send('/enrollments/rekey/attestationmechanism', { method: 'POST' })).body.symmetricKey.primaryKey;
      await http.close();
      await emulator!.close();
      client = undefined;
      emulator = undefined;

      return [before, after];
    };

    const [keptBefore, keptAfter] = await keysAfterUpdate({});
    const [newBefore, newAfter] = await keysAfterUpdate({ behavior: { keysOnUpdate: 'regenerate' } });

    expect(keptAfter).toBe(keptBefore);
    expect(newAfter).not.toBe(newBefore);
  });

  it('skips the device ID rules when checkDeviceId is off', async () => {
    const http = await start({ behavior: { checkDeviceId: false } });

    const answer = await http.send('/enrollments/odd-device', {
      method: 'PUT',
      body: symmetricEnrollment('odd-device', { deviceId: 'has space' }),
    });

    expect(answer.status).toBe(200);
    expect(answer.body.deviceId).toBe('has space');
  });

  it('returns everything in one page when the default page size is 0', async () => {
    const http = await start({ behavior: { defaultPageSize: 0 } });
    for (let call = 0; call < 12; call += 1) {
      await http.bulk(Array.from({ length: 10 }, (_, index) => symmetricEnrollment(`all-${call}-${index}`)));
    }

    const answer = await http.send('/enrollments/query', { method: 'POST', body: { query: 'SELECT *' } });

    expect(answer.body).toHaveLength(120);
    expect(answer.headers['x-ms-continuation']).toBeUndefined();
  });

  it('serves HTTPS with a certificate and key it is given', async () => {
    const authority = generateKeyPair();
    const authorityName = 'test authority';
    const ca = buildCertificate({ commonName: authorityName, subjectKeys: authority, isAuthority: true });
    const serverKeys = generateKeyPair();
    const cert = buildCertificate({
      commonName: 'localhost',
      subjectKeys: serverKeys,
      issuer: { commonName: authorityName, privateKey: authority.privateKey },
      ipAddresses: ['127.0.0.1'],
      usage: 'server',
    });
    const key = serverKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    emulator = await startEmulator({ port: 0, tls: { cert, key } });
    client = new EmulatorClient(emulator, emulator.connectionString, new Agent({ connect: { ca } }));

    const answer = await client.send('/enrollments/nothing');

    expect(emulator.caCertificate).toBeUndefined();
    expect(emulator.endpoint.startsWith('https://')).toBe(true);
    expect(answer.status).toBe(404);
  });
});
