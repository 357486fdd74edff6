import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import {
  EmulatorClient,
  symmetricEnrollment as enrollment,
  testKey,
} from './support/emulator-client.js';

const EXISTS = { errorCode: 409201, errorStatus: 'Enrollment already exists.' };
const NOT_FOUND = { errorCode: 404201, errorStatus: 'Enrollment not found.' };
const ALL_GOOD = { errors: [], isSuccessful: true };

describe('emulator enrollment API (issue 2 level)', () => {
  let emulator: RunningEmulator;
  let client: EmulatorClient;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    client = new EmulatorClient(emulator);
  });

  afterAll(async () => {
    await client.close();
    await emulator.close();
  });

  beforeEach(() => {
    emulator.reset();
  });

  describe('start', () => {
    it('listens on loopback and names 127.0.0.1:<port> as the HostName', () => {
      const hostName = emulator.hostName.replaceAll('.', '\\.');

      expect(emulator.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(emulator.hostName).toBe(emulator.endpoint.slice('http://'.length));
      expect(emulator.connectionString).toMatch(
        new RegExp(
          `^HostName=${hostName};SharedAccessKeyName=provisioningserviceowner;` +
            'SharedAccessKey=[A-Za-z0-9+/]{43}=$',
        ),
      );
    });
  });

  describe('bulk create', () => {
    it('stores every enrollment of a call and answers with an empty errors list', async () => {
      const answer = await client.bulk([enrollment('meter-1'), enrollment('meter-2')]);

      expect(answer.status).toBe(200);
      expect(answer.body).toEqual(ALL_GOOD);
      expect(emulator.stats().enrollments).toBe(2);
      expect(emulator.stats().createsPerId).toEqual({ 'meter-1': 1, 'meter-2': 1 });
    });

    it('answers a per-item 409201 for an existing ID and applies the others', async () => {
      await client.bulk([enrollment('Sensor-A01')]);

      const answer = await client.bulk([enrollment('sensor-a01'), enrollment('sensor-a02')]);

      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        errors: [{ registrationId: 'sensor-a01', ...EXISTS }],
        isSuccessful: false,
      });
      expect(emulator.stats().enrollments).toBe(2);
    });

    it('refuses 11 enrollments as a whole with 400 and the error body, storing none', async () => {
      const eleven = Array.from({ length: 11 }, (_, index) => enrollment(`device-${index}`));

      const answer = await client.bulk(eleven);

      expect(answer.status).toBe(400);
      expect(answer.headers['x-ms-error-code']).toBe('400000');
      expect(answer.body).toMatchObject({
        errorCode: 400000,
        message: 'enrollments: at most 10 per call, found 11',
      });
      expect(answer.body.trackingId).toMatch(/^[0-9a-f-]{36}$/);
      expect(answer.body.timestampUtc).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,7})?Z$/);
      expect(emulator.stats().enrollments).toBe(0);
    });

    it('fails the whole call with 400 when one ID appears twice, ignoring case', async () => {
      const items = [enrollment('dup-1'), enrollment('other'), enrollment('DUP-1')];

      const answer = await client.bulk(items);

      expect(answer.status).toBe(400);
      expect(answer.body.message).toBe(
        'enrollments[2].registrationId: "DUP-1" duplicates item 0; IDs must be unique in one call',
      );
      expect(emulator.stats().enrollments).toBe(0);
    });

    it('generates 64-byte keys when none are sent, readable as the attestation', async () => {
      await client.bulk([enrollment('keyless')]);

      const answer = await client.attestation('keyless');

      const keys = answer.body.symmetricKey;
      expect(answer.status).toBe(200);
      expect(answer.body.type).toBe('symmetricKey');
      expect(Buffer.from(keys.primaryKey, 'base64')).toHaveLength(64);
      expect(Buffer.from(keys.secondaryKey, 'base64')).toHaveLength(64);
      expect(keys.primaryKey).not.toBe(keys.secondaryKey);
    });

    it('reports a per-item 400000 for an invalid item and creates the others', async () => {
      const badKey = { type: 'symmetricKey', symmetricKey: { primaryKey: testKey(12) } };

      const answer = await client.bulk([
        enrollment('good-1'),
        { registrationId: 'bad-key', attestation: badKey },
      ]);

      expect(answer.body).toEqual({
        errors: [
          {
            registrationId: 'bad-key',
            errorCode: 400000,
            errorStatus:
              'attestation.symmetricKey.primaryKey: must decode to 16 to 64 bytes, found 12',
          },
        ],
        isSuccessful: false,
      });
      expect(emulator.stats().enrollments).toBe(1);
    });
  });

  describe('bulk update and delete', () => {
    it('updates an item that carries the current etag and changes its etag', async () => {
      await client.bulk([enrollment('upd-1')]);
      const before = (await client.get('upd-1')).body;
      const changed = enrollment('upd-1', { provisioningStatus: 'disabled' });
      const item = { ...changed, etag: before.etag };

      const answer = await client.bulk([item], 'update');

      const after = (await client.get('upd-1')).body;
      expect(answer.body).toEqual(ALL_GOOD);
      expect(after.provisioningStatus).toBe('disabled');
      expect(after.etag).not.toBe(before.etag);
      expect(after.createdDateTimeUtc).toBe(before.createdDateTimeUtc);
    });

    it('answers 409201 to an update without etag of an existing record, as observed', async () => {
      await client.bulk([enrollment('upd-2')]);

      const answer = await client.bulk([enrollment('upd-2')], 'update');

      expect(answer.body.errors).toEqual([{ registrationId: 'upd-2', ...EXISTS }]);
    });

    it('answers 412 per item for a stale etag and leaves the record as it was', async () => {
      await client.bulk([enrollment('upd-3')]);
      const stale = (await client.get('upd-3')).body.etag;
      await client.bulk([{ ...enrollment('upd-3'), etag: stale }], 'update');
      const current = (await client.get('upd-3')).body.etag;
      const item = { ...enrollment('upd-3', { provisioningStatus: 'disabled' }), etag: stale };

      const answer = await client.bulk([item], 'update');

      expect(answer.body.errors).toEqual([
        {
          registrationId: 'upd-3',
          errorCode: 412002,
          errorStatus: 'Precondition failed for "upd-3": the etag is not the current one.',
        },
      ]);
      expect((await client.get('upd-3')).body.etag).toBe(current);
    });

    it('accepts * as the etag of a bulk update', async () => {
      await client.bulk([enrollment('upd-4')]);

      const answer = await client.bulk([{ ...enrollment('upd-4'), etag: '*' }], 'update');

      expect(answer.body).toEqual(ALL_GOOD);
    });

    it('answers 404201 per item for update and delete of IDs that do not exist', async () => {
      const update = await client.bulk([enrollment('ghost-1')], 'update');
      const remove = await client.bulk([{ registrationId: 'ghost-2' }], 'delete');

      expect(update.body.errors).toEqual([{ registrationId: 'ghost-1', ...NOT_FOUND }]);
      expect(remove.body.errors).toEqual([{ registrationId: 'ghost-2', ...NOT_FOUND }]);
    });

    it('deletes the items of a delete call that exist', async () => {
      await client.bulk([enrollment('del-1'), enrollment('del-2')]);

      const items = [{ registrationId: 'DEL-1' }, { registrationId: 'del-2' }];

      const answer = await client.bulk(items, 'delete');

      expect(answer.body).toEqual(ALL_GOOD);
      expect(emulator.stats().enrollments).toBe(0);
    });
  });

  describe('single enrollment routes', () => {
    it('creates with PUT: 200 with the generated keys, an etag and timestamps', async () => {
      const answer = await client.put('put-1', enrollment('put-1'));

      expect(answer.status).toBe(200);
      expect(Object.keys(answer.body)).toEqual([
        'registrationId',
        'attestation',
        'etag',
        'provisioningStatus',
        'createdDateTimeUtc',
        'lastUpdatedDateTimeUtc',
      ]);
      const primaryKey = answer.body.attestation.symmetricKey.primaryKey as string;
      expect(Buffer.from(primaryKey, 'base64')).toHaveLength(64);
      expect(Buffer.from(answer.body.etag, 'base64').toString()).toMatch(
        /^"[0-9a-f]{8}-0000-0800-0000-[0-9a-f]{12}"$/,
      );
      expect(answer.body.provisioningStatus).toBe('enabled');
    });

    it('answers 409 with 409201 to a PUT without If-Match on an existing ID', async () => {
      await client.put('put-2', enrollment('put-2'));

      const answer = await client.put('put-2', enrollment('put-2'));

      expect(answer.status).toBe(409);
      expect(answer.headers['x-ms-error-code']).toBe('409201');
      expect(answer.body).toMatchObject({
        errorCode: 409201,
        message: 'Enrollment already exists.',
      });
    });

    it('updates with If-Match quoted or not, and answers 412 to a stale one', async () => {
      const created = await client.put('put-3', enrollment('put-3'));
      const etag = created.body.etag as string;

      const updated = await client.put('put-3', enrollment('put-3'), { 'if-match': `"${etag}"` });
      const stale = await client.put('put-3', enrollment('put-3'), { 'if-match': etag });

      expect(updated.status).toBe(200);
      expect(updated.body.etag).not.toBe(etag);
      expect(updated.body.attestation.symmetricKey).toEqual(created.body.attestation.symmetricKey);
      expect(stale.status).toBe(412);
      expect(stale.headers['x-ms-error-code']).toBe('412002');
    });

    it('answers GET without keys, with registrationState after deviceId', async () => {
      await client.put('get-1', enrollment('get-1', { deviceId: 'dev-1' }));

      const answer = await client.get('get-1');

      expect(answer.status).toBe(200);
      expect(Object.keys(answer.body).slice(0, 4)).toEqual([
        'registrationId',
        'deviceId',
        'registrationState',
        'attestation',
      ]);
      expect(answer.body.registrationState).toEqual({
        registrationId: 'get-1',
        status: 'unassigned',
      });
      expect(answer.body.attestation).toEqual({ type: 'symmetricKey' });
    });

    it('answers 404 with 404201 to GET and DELETE of a missing ID', async () => {
      const get = await client.get('nobody');
      const remove = await client.remove('nobody');

      expect(get.status).toBe(404);
      expect(get.body).toMatchObject({ errorCode: 404201, message: 'Enrollment not found.' });
      expect(remove.status).toBe(404);
      expect(remove.headers['x-ms-error-code']).toBe('404201');
    });

    it('deletes with 204 and an empty body', async () => {
      await client.put('del-3', enrollment('del-3'));

      const answer = await client.remove('del-3');

      expect(answer.status).toBe(204);
      expect(answer.text).toBe('');
      expect(emulator.stats().enrollments).toBe(0);
    });

    it('finds IDs percent-encoded in the path, as the SDK sends them', async () => {
      await client.bulk([enrollment('meter:site15.a_b')]);

      const answer = await client.send('/enrollments/meter%3Asite15.a_b');

      expect(answer.status).toBe(200);
      expect(answer.body.registrationId).toBe('meter:site15.a_b');
    });
  });

  describe('authentication', () => {
    it('answers 401 with 401002 when the Authorization header is missing', async () => {
      const answer = await client.send('/enrollments/x', { authorization: null });

      expect(answer.status).toBe(401);
      expect(answer.headers['x-ms-error-code']).toBe('401002');
      expect(answer.body.message).toBe('Unauthorized: the Authorization header is missing');
    });

    it('answers 401 to an expired token', async () => {
      const answer = await client.send('/enrollments/x', { authorization: client.sas(-10) });

      expect(answer.status).toBe(401);
      expect(answer.body.message).toMatch(/^Unauthorized: the SAS token expired at \d{4}-/);
    });

    it('answers 401 to a token signed with another key, not echoing the signature', async () => {
      const otherKey = `SharedAccessKey=${testKey(32)}`;
      const wrongKey = emulator.connectionString.replace(/SharedAccessKey=.*$/, otherKey);
      const token = client.sas(3600, wrongKey);
      const signature = decodeURIComponent(token.split('sig=')[1]!.split('&')[0]!);

      const answer = await client.send('/enrollments/x', { authorization: token });

      expect(answer.status).toBe(401);
      expect(answer.body.message).toBe(
        'Unauthorized: the SAS signature does not match policy "provisioningserviceowner"',
      );
      expect(answer.text).not.toContain(signature);
    });

    it('answers 401 to a token for another host name', async () => {
      const otherHost = 'HostName=other.azure-devices-provisioning.net';
      const connection = emulator.connectionString.replace(/HostName=[^;]+/, otherHost);

      const authorization = client.sas(3600, connection);

      const answer = await client.send('/enrollments/x', { authorization });

      expect(answer.status).toBe(401);
      expect(answer.body.message).toContain('the SAS resource (sr) must be 127.0.0.1:');
    });

    it('accepts the fields of a token in any order', async () => {
      const [, fields] = client.sas().split(' ');
      const reordered = `SharedAccessSignature ${fields!.split('&').reverse().join('&')}`;

      const answer = await client.send('/enrollments/x', { authorization: reordered });

      expect(answer.status).toBe(404);
    });
  });

  describe('stats', () => {
    it('serves the counters without authentication and does not count itself', async () => {
      await client.bulk([enrollment('s-1')]);
      await client.send('/enrollments/x', { authorization: null });

      const first = await client.admin('stats');
      const second = await client.admin('stats');

      expect(first.status).toBe(200);
      expect(first.body).toEqual({
        requests: 2,
        operations: 1,
        throttled: 0,
        faults: 0,
        enrollments: 1,
        enrollmentGroups: 0,
        createsPerId: { 's-1': 1 },
      });
      expect(second.body).toEqual(first.body);
    });
  });
});
