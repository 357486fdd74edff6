import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { EmulatorClient, symmetricEnrollment, testKey } from './support/emulator-client.js';

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
    it('listens on loopback and names 127.0.0.1:<port> as HostName in the connection string', () => {
      expect(emulator.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(emulator.hostName).toBe(emulator.endpoint.slice('http://'.length));
      expect(emulator.connectionString).toMatch(
        new RegExp(`^HostName=${emulator.hostName.replaceAll('.', '\\.')};` +
          'SharedAccessKeyName=provisioningserviceowner;SharedAccessKey=[A-Za-z0-9+/]{43}=$'),
      );
    });
  });

  describe('bulk create', () => {
    it('stores every enrollment of a call and answers isSuccessful with an empty errors list', async () => {
      const answer = await client.bulk([symmetricEnrollment('meter-1'), symmetricEnrollment('meter-2')]);

      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ errors: [], isSuccessful: true });
      expect(emulator.stats().enrollments).toBe(2);
      expect(emulator.stats().createsPerId).toEqual({ 'meter-1': 1, 'meter-2': 1 });
    });

    it('answers 200 with a per-item 409201 for an ID that exists and applies the others', async () => {
      await client.bulk([symmetricEnrollment('Sensor-A01')]);

      const answer = await client.bulk([symmetricEnrollment('sensor-a01'), symmetricEnrollment('sensor-a02')]);

      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        errors: [{ registrationId: 'sensor-a01', errorCode: 409201, errorStatus: 'Enrollment already exists.' }],
        isSuccessful: false,
      });
      expect(emulator.stats().enrollments).toBe(2);
    });

    it('refuses 11 enrollments as a whole with 400 and the error body, storing none', async () => {
      const eleven = Array.from({ length: 11 }, (_, index) => symmetricEnrollment(`device-${index}`));

      const answer = await client.bulk(eleven);

      expect(answer.status).toBe(400);
      expect(answer.headers['x-ms-error-code']).toBe('400000');
      expect(answer.body).toMatchObject({ errorCode: 400000, message: 'enrollments: at most 10 per call, found 11' });
      expect(answer.body.trackingId).toMatch(/^[0-9a-f-]{36}$/);
      expect(answer.body.timestampUtc).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,7})?Z$/);
      expect(emulator.stats().enrollments).toBe(0);
    });

    it('fails the whole call with 400 when one ID appears twice, ignoring case', async () => {
      const answer = await client.bulk([
        symmetricEnrollment('dup-1'),
        symmetricEnrollment('other'),
        symmetricEnrollment('DUP-1'),
      ]);

      expect(answer.status).toBe(400);
      expect(answer.body.message).toBe(
        'enrollments[2].registrationId: "DUP-1" duplicates item 0; IDs must be unique in one call',
      );
      expect(emulator.stats().enrollments).toBe(0);
    });

    it('generates 64-byte keys when none are sent, readable through attestationmechanism', async () => {
      await client.bulk([symmetricEnrollment('keyless')]);

      const answer = await client.send('/enrollments/keyless/attestationmechanism', { method: 'POST' });

      expect(answer.status).toBe(200);
      expect(answer.body.type).toBe('symmetricKey');
      expect(Buffer.from(answer.body.symmetricKey.primaryKey, 'base64')).toHaveLength(64);
      expect(Buffer.from(answer.body.symmetricKey.secondaryKey, 'base64')).toHaveLength(64);
      expect(answer.body.symmetricKey.primaryKey).not.toBe(answer.body.symmetricKey.secondaryKey);
    });

    it('reports a per-item 400000 for an invalid item and still creates the valid ones', async () => {
      const badKey = { type: 'symmetricKey', symmetricKey: { primaryKey: testKey(12) } };

      const answer = await client.bulk([
        symmetricEnrollment('good-1'),
        { registrationId: 'bad-key', attestation: badKey },
      ]);

      expect(answer.body).toEqual({
        errors: [{
          registrationId: 'bad-key',
          errorCode: 400000,
          errorStatus: 'attestation.symmetricKey.primaryKey: must decode to 16 to 64 bytes, found 12',
        }],
        isSuccessful: false,
      });
      expect(emulator.stats().enrollments).toBe(1);
    });
  });

  describe('bulk update and delete', () => {
    it('updates an item that carries the current etag and changes its etag', async () => {
      await client.bulk([symmetricEnrollment('upd-1')]);
      const before = (await client.send('/enrollments/upd-1')).body;

      const answer = await client.bulk([{ ...symmetricEnrollment('upd-1', { provisioningStatus: 'disabled' }), etag: before.etag }], 'update');
      const after = (await client.send('/enrollments/upd-1')).body;

      expect(answer.body).toEqual({ errors: [], isSuccessful: true });
      expect(after.provisioningStatus).toBe('disabled');
      expect(after.etag).not.toBe(before.etag);
      expect(after.createdDateTimeUtc).toBe(before.createdDateTimeUtc);
    });

    it('answers 409201 per item for an update without etag of an existing record (as observed)', async () => {
      await client.bulk([symmetricEnrollment('upd-2')]);

      const answer = await client.bulk([symmetricEnrollment('upd-2')], 'update');

      expect(answer.body.errors).toEqual([
        { registrationId: 'upd-2', errorCode: 409201, errorStatus: 'Enrollment already exists.' },
      ]);
    });

    it('answers 412 per item for a stale etag and leaves the record as it was', async () => {
      await client.bulk([symmetricEnrollment('upd-3')]);
      const stale = (await client.send('/enrollments/upd-3')).body.etag;
      await client.bulk([{ ...symmetricEnrollment('upd-3'), etag: stale }], 'update');
      const current = (await client.send('/enrollments/upd-3')).body.etag;

      const answer = await client.bulk([{ ...symmetricEnrollment('upd-3', { provisioningStatus: 'disabled' }), etag: stale }], 'update');

      expect(answer.body.errors).toEqual([{
        registrationId: 'upd-3',
        errorCode: 412002,
        errorStatus: 'Precondition failed for "upd-3": the etag is not the current one.',
      }]);
      expect((await client.send('/enrollments/upd-3')).body.etag).toBe(current);
    });

    it('accepts * as the etag of a bulk update', async () => {
      await client.bulk([symmetricEnrollment('upd-4')]);

      const answer = await client.bulk([{ ...symmetricEnrollment('upd-4'), etag: '*' }], 'update');

      expect(answer.body).toEqual({ errors: [], isSuccessful: true });
    });

    it('answers 404201 per item for update and delete of IDs that do not exist', async () => {
      const update = await client.bulk([symmetricEnrollment('ghost-1')], 'update');
      const remove = await client.bulk([{ registrationId: 'ghost-2' }], 'delete');

      expect(update.body.errors).toEqual([{ registrationId: 'ghost-1', errorCode: 404201, errorStatus: 'Enrollment not found.' }]);
      expect(remove.body.errors).toEqual([{ registrationId: 'ghost-2', errorCode: 404201, errorStatus: 'Enrollment not found.' }]);
    });

    it('deletes the items of a delete call that exist', async () => {
      await client.bulk([symmetricEnrollment('del-1'), symmetricEnrollment('del-2')]);

      const answer = await client.bulk([{ registrationId: 'DEL-1' }, { registrationId: 'del-2' }], 'delete');

      expect(answer.body).toEqual({ errors: [], isSuccessful: true });
      expect(emulator.stats().enrollments).toBe(0);
    });
  });

  describe('single enrollment routes', () => {
    it('creates with PUT, answering 200 with the keys it generated, an etag and timestamps', async () => {
      const answer = await client.send('/enrollments/put-1', { method: 'PUT', body: symmetricEnrollment('put-1') });

      expect(answer.status).toBe(200);
      expect(Object.keys(answer.body)).toEqual([
        'registrationId', 'attestation', 'etag', 'provisioningStatus', 'createdDateTimeUtc', 'lastUpdatedDateTimeUtc',
      ]);
      expect(Buffer.from(answer.body.attestation.symmetricKey.primaryKey, 'base64')).toHaveLength(64);
      expect(Buffer.from(answer.body.etag, 'base64').toString()).toMatch(/^"[0-9a-f]{8}-0000-0800-0000-[0-9a-f]{12}"$/);
      expect(answer.body.provisioningStatus).toBe('enabled');
    });

    it('answers 409 with 409201 to a PUT without If-Match on an existing ID', async () => {
      await client.send('/enrollments/put-2', { method: 'PUT', body: symmetricEnrollment('put-2') });

      const answer = await client.send('/enrollments/put-2', { method: 'PUT', body: symmetricEnrollment('put-2') });

      expect(answer.status).toBe(409);
      expect(answer.headers['x-ms-error-code']).toBe('409201');
      expect(answer.body).toMatchObject({ errorCode: 409201, message: 'Enrollment already exists.' });
    });

    it('updates with If-Match quoted or not, and answers 412 to a stale one', async () => {
      const created = await client.send('/enrollments/put-3', { method: 'PUT', body: symmetricEnrollment('put-3') });
      const updated = await client.send('/enrollments/put-3', {
        method: 'PUT',
        body: symmetricEnrollment('put-3'),
        headers: { 'if-match': `"${created.body.etag}"` },
      });
      const stale = await client.send('/enrollments/put-3', {
        method: 'PUT',
        body: symmetricEnrollment('put-3'),
        headers: { 'if-match': created.body.etag },
      });

      expect(updated.status).toBe(200);
      expect(updated.body.etag).not.toBe(created.body.etag);
      expect(updated.body.attestation.symmetricKey).toEqual(created.body.attestation.symmetricKey);
      expect(stale.status).toBe(412);
      expect(stale.headers['x-ms-error-code']).toBe('412002');
    });

    it('answers GET without keys and with an unassigned registrationState after deviceId', async () => {
      await client.send('/enrollments/get-1', { method: 'PUT', body: symmetricEnrollment('get-1', { deviceId: 'dev-1' }) });

      const answer = await client.send('/enrollments/get-1');

      expect(answer.status).toBe(200);
      expect(Object.keys(answer.body).slice(0, 4)).toEqual(['registrationId', 'deviceId', 'registrationState', 'attestation']);
      expect(answer.body.registrationState).toEqual({ registrationId: 'get-1', status: 'unassigned' });
      expect(answer.body.attestation).toEqual({ type: 'symmetricKey' });
    });

    it('answers 404 with 404201 to GET and DELETE of a missing ID', async () => {
      const get = await client.send('/enrollments/nobody');
      const remove = await client.send('/enrollments/nobody', { method: 'DELETE' });

      expect(get.status).toBe(404);
      expect(get.body).toMatchObject({ errorCode: 404201, message: 'Enrollment not found.' });
      expect(remove.status).toBe(404);
      expect(remove.headers['x-ms-error-code']).toBe('404201');
    });

    it('deletes with 204 and an empty body', async () => {
      await client.send('/enrollments/del-3', { method: 'PUT', body: symmetricEnrollment('del-3') });

      const answer = await client.send('/enrollments/del-3', { method: 'DELETE' });

      expect(answer.status).toBe(204);
      expect(answer.text).toBe('');
      expect(emulator.stats().enrollments).toBe(0);
    });

    it('finds IDs percent-encoded in the path, as the SDK sends them', async () => {
      await client.bulk([symmetricEnrollment('meter:site15.a_b')]);

      const answer = await client.send(`/enrollments/${encodeURIComponent('meter:site15.a_b')}`);

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

    it('answers 401 to a token signed with another key, without echoing the signature', async () => {
      const wrongKey = emulator.connectionString.replace(/SharedAccessKey=.*$/, `SharedAccessKey=${testKey(32)}`);
      const token = client.sas(3600, wrongKey);

      const answer = await client.send('/enrollments/x', { authorization: token });

      expect(answer.status).toBe(401);
      expect(answer.body.message).toBe('Unauthorized: the SAS signature does not match policy "provisioningserviceowner"');
      expect(answer.text).not.toContain(token.split('sig=')[1]!.split('&')[0]!);
    });

    it('answers 401 to a token for another host name', async () => {
      const otherHost = emulator.connectionString.replace(/HostName=[^;]+/, 'HostName=other.azure-devices-provisioning.net');

      const answer = await client.send('/enrollments/x', { authorization: client.sas(3600, otherHost) });

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
      await client.bulk([symmetricEnrollment('s-1')]);
      await client.send('/enrollments/x', { authorization: null });

      const first = await client.send('/__emulator/stats', { authorization: null, apiVersion: null });
      const second = await client.send('/__emulator/stats', { authorization: null, apiVersion: null });

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
