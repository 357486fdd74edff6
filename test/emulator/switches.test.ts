/**
 * The switches for behaviours the public record leaves open (dps-contract.md, marked ★ or
 * UNCONFIRMED): each default, and what the other setting does.
 */
import { Agent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import {
  startEmulator,
  type EmulatorOptions,
  type RunningEmulator,
} from '../../src/emulator/index.js';
import { buildCertificate, generateKeyPair } from '../../src/emulator/tls/certificate-builder.js';
import { EmulatorClient, symmetricEnrollment as enrollment } from './support/emulator-client.js';

describe('emulator switches', () => {
  let emulator: RunningEmulator | undefined;
  let client: EmulatorClient | undefined;

  afterEach(async () => {
    await stop();
  });

  async function start(options: EmulatorOptions = {}): Promise<EmulatorClient> {
    emulator = await startEmulator({ port: 0, ...options });
    client = new EmulatorClient(emulator);

    return client;
  }

  async function stop(): Promise<void> {
    await client?.close();
    await emulator?.close();
    client = undefined;
    emulator = undefined;
  }

  async function etagOf(http: EmulatorClient, id: string): Promise<string> {
    return (await http.get(id)).body.etag as string;
  }

  async function primaryKeyOf(http: EmulatorClient, id: string): Promise<string> {
    return (await http.attestation(id)).body.symmetricKey.primaryKey as string;
  }

  it('keeps the casing of the create by default, and lower-cases with idCase lower', async () => {
    const preserving = await start();
    await preserving.bulk([enrollment('Sensor-A01')]);
    const kept = (await preserving.get('sensor-a01')).body.registrationId;
    await stop();

    const lowering = await start({ behavior: { idCase: 'lower' } });
    await lowering.bulk([enrollment('Sensor-A01')]);
    const lowered = (await lowering.get('SENSOR-A01')).body.registrationId;

    expect(kept).toBe('Sensor-A01');
    expect(lowered).toBe('sensor-a01');
  });

  it('creates on a bulk update of a missing ID when updateMissing is create', async () => {
    const http = await start({ behavior: { updateMissing: 'create' } });

    const answer = await http.bulk([enrollment('made-by-update')], 'update');

    expect(answer.body).toEqual({ errors: [], isSuccessful: true });
    expect(emulator!.stats().createsPerId).toEqual({ 'made-by-update': 1 });
  });

  it('answers If-Match on a missing ID with 404201, or 412 when switched', async () => {
    const ifMatch = { 'if-match': 'IjEi' };
    const defaults = await start();
    const notFound = await defaults.put('absent', enrollment('absent'), ifMatch);
    await stop();

    const switched = await start({ behavior: { ifMatchOnMissing: 'precondition-failed' } });
    const failed = await switched.remove('absent', ifMatch);

    expect([notFound.status, notFound.body.errorCode]).toEqual([404, 404201]);
    expect([failed.status, failed.body.errorCode]).toEqual([412, 412002]);
  });

  it('needs an etag in updateIfMatchETag mode and takes the Node SDK spelling', async () => {
    const http = await start();
    await http.bulk([enrollment('etag-mode')]);

    const missing = await http.bulk([enrollment('etag-mode')], 'updateIfMatchETag');
    const item = { ...enrollment('etag-mode'), etag: await etagOf(http, 'etag-mode') };
    const nodeSpelling = await http.bulk([item], 'updateIfMatchEtag');

    expect(missing.body.errors).toEqual([
      {
        registrationId: 'etag-mode',
        errorCode: 412002,
        errorStatus: 'Precondition failed for "etag-mode": it carries no etag.',
      },
    ]);
    expect(nodeSpelling.body).toEqual({ errors: [], isSuccessful: true });
  });

  it('refuses the Node SDK spelling of the mode when exact spelling is required', async () => {
    const http = await start({ behavior: { bulkModeIgnoresCase: false } });

    const answer = await http.bulk([enrollment('x')], 'updateIfMatchEtag');

    expect(answer.status).toBe(400);
    expect(answer.body.message).toBe(
      'mode: must be one of create, update, updateIfMatchETag, delete, found "updateIfMatchEtag"',
    );
  });

  it('keeps keys on an update that sends none, or generates new ones when switched', async () => {
    const keysAround = async (options: EmulatorOptions): Promise<[string, string]> => {
      const http = await start(options);
      await http.bulk([enrollment('rekey')]);
      const before = await primaryKeyOf(http, 'rekey');
      await http.bulk([{ ...enrollment('rekey'), etag: await etagOf(http, 'rekey') }], 'update');
      const after = await primaryKeyOf(http, 'rekey');
      await stop();

      return [before, after];
    };

    const [keptBefore, keptAfter] = await keysAround({});
    const [newBefore, newAfter] = await keysAround({ behavior: { keysOnUpdate: 'regenerate' } });

    expect(keptAfter).toBe(keptBefore);
    expect(newAfter).not.toBe(newBefore);
  });

  it('skips the device ID rules when checkDeviceId is off', async () => {
    const http = await start({ behavior: { checkDeviceId: false } });

    const body = enrollment('odd-device', { deviceId: 'has space' });

    const answer = await http.put('odd-device', body);

    expect(answer.status).toBe(200);
    expect(answer.body.deviceId).toBe('has space');
  });

  it('returns everything in one page when the default page size is 0', async () => {
    const http = await start({ behavior: { defaultPageSize: 0 } });
    for (let call = 0; call < 12; call += 1) {
      await http.bulk(Array.from({ length: 10 }, (_, index) => enrollment(`all-${call}-${index}`)));
    }

    const answer = await http.query('/enrollments/query');

    expect(answer.body).toHaveLength(120);
    expect(answer.headers['x-ms-continuation']).toBeUndefined();
  });

  it('serves HTTPS with a certificate and key it is given', async () => {
    const authority = generateKeyPair();
    const authorityName = 'test authority';
    const ca = buildCertificate({
      commonName: authorityName,
      subjectKeys: authority,
      isAuthority: true,
    });
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
    const agent = new Agent({ connect: { ca } });
    client = new EmulatorClient(emulator, emulator.connectionString, agent);

    const answer = await client.get('nothing');

    expect(emulator.caCertificate).toBeUndefined();
    expect(emulator.endpoint.startsWith('https://')).toBe(true);
    expect(answer.status).toBe(404);
  });
});
