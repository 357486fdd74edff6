import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { EmulatorClient, symmetricEnrollment, testKey } from './support/emulator-client.js';

describe('emulator query, enrollment groups and registrations', () => {
  let emulator: RunningEmulator;
  let client: EmulatorClient;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, behavior: { defaultPageSize: 4 } });
    client = new EmulatorClient(emulator);
  });

  afterAll(async () => {
    await client.close();
    await emulator.close();
  });

  beforeEach(() => {
    emulator.reset();
  });

  async function createMany(count: number): Promise<void> {
    for (let start = 0; start < count; start += 10) {
      const ids = Array.from({ length: Math.min(10, count - start) }, (_, index) => `q-${String(start + index).padStart(3, '0')}`);
      await client.bulk(ids.map((id) => symmetricEnrollment(id)));
    }
  }

  async function queryAll(path: string, pageSize?: number): Promise<{ pages: number[]; ids: string[] }> {
    const pages: number[] = [];
    const ids: string[] = [];
    let continuation: string | undefined;

    do {
      const headers: Record<string, string> = {};
      if (pageSize !== undefined) headers['x-ms-max-item-count'] = String(pageSize);
      if (continuation !== undefined) headers['x-ms-continuation'] = continuation;
      const answer = await client.send(path, { method: 'POST', body: { query: 'SELECT *' }, headers });
      expect(answer.status).toBe(200);
      pages.push(answer.body.length);
      ids.push(...answer.body.map((item: Record<string, string>) => item['registrationId'] ?? item['enrollmentGroupId']));
      continuation = answer.headers['x-ms-continuation'] as string | undefined;
    } while (continuation !== undefined);

    return { pages, ids };
  }

  describe('query', () => {
    it('pages by x-ms-max-item-count with an opaque continuation until none is sent', async () => {
      await createMany(25);

      const { pages, ids } = await queryAll('/enrollments/query', 10);

      expect(pages).toEqual([10, 10, 5]);
      expect(new Set(ids).size).toBe(25);
    });

    it('always sends x-ms-item-type and answers [] when there is nothing', async () => {
      const answer = await client.send('/enrollments/query', { method: 'POST', body: { query: 'select * from enrollments' } });

      expect(answer.status).toBe(200);
      expect(answer.text).toBe('[]');
      expect(answer.headers['x-ms-item-type']).toBe('Enrollment');
      expect(answer.headers['x-ms-continuation']).toBeUndefined();
    });

    it('pages even without a page size, by the default page size', async () => {
      await createMany(9);

      const { pages } = await queryAll('/enrollments/query');

      expect(pages).toEqual([4, 4, 1]);
    });

    it('strips keys and leaves registrationState out of query items', async () => {
      await client.bulk([symmetricEnrollment('q-keys', { deviceId: 'dev' })]);

      const answer = await client.send('/enrollments/query', { method: 'POST', body: { query: '*' } });

      expect(answer.body).toHaveLength(1);
      expect(answer.body[0].attestation).toEqual({ type: 'symmetricKey' });
      expect(answer.body[0].registrationState).toBeUndefined();
    });

    it('does not skip or repeat records deleted between pages', async () => {
      await createMany(12);
      const first = await client.send('/enrollments/query', { method: 'POST', body: { query: '*' }, headers: { 'x-ms-max-item-count': '5' } });
      await client.bulk([{ registrationId: 'q-001' }, { registrationId: 'q-006' }], 'delete');

      const second = await client.send('/enrollments/query', {
        method: 'POST',
        body: { query: '*' },
        headers: { 'x-ms-max-item-count': '5', 'x-ms-continuation': first.headers['x-ms-continuation'] as string },
      });

      expect(second.body.map((item: { registrationId: string }) => item.registrationId)).toEqual(['q-005', 'q-007', 'q-008', 'q-009', 'q-010']);
    });

    it('refuses a query it does not understand, a bad page size and a forged continuation with 400', async () => {
      const filter = await client.send('/enrollments/query', { method: 'POST', body: { query: "SELECT * WHERE x='1'" } });
      const size = await client.send('/enrollments/query', { method: 'POST', body: { query: '*' }, headers: { 'x-ms-max-item-count': '-3' } });
      const token = await client.send('/enrollments/query', { method: 'POST', body: { query: '*' }, headers: { 'x-ms-continuation': 'bm9wZQ==' } });

      expect([filter.status, size.status, token.status]).toEqual([400, 400, 400]);
      expect(filter.body.message).toBe(`query: the emulator only understands "SELECT *" (optionally "FROM …"), found "SELECT * WHERE x='1'"`);
      expect(size.body.message).toBe('x-ms-max-item-count: must be a whole number 1..10000, found "-3"');
      expect(token.body.message).toBe('x-ms-continuation: not a token this emulator issued for this query');
    });
  });

  describe('attestation mechanism', () => {
    it('returns the keys that were sent', async () => {
      const keys = { primaryKey: testKey(32, 1), secondaryKey: testKey(32, 2) };
      await client.bulk([{ registrationId: 'att-1', attestation: { type: 'symmetricKey', symmetricKey: keys } }]);

      const answer = await client.send('/enrollments/att-1/attestationmechanism', { method: 'POST' });

      expect(answer.body).toEqual({ type: 'symmetricKey', symmetricKey: keys });
    });

    it('answers 404201 for a missing enrollment', async () => {
      const answer = await client.send('/enrollments/none/attestationmechanism', { method: 'POST' });

      expect(answer.status).toBe(404);
      expect(answer.body.errorCode).toBe(404201);
    });
  });

  describe('enrollment groups', () => {
    const group = (id: string): Record<string, unknown> => ({ enrollmentGroupId: id, attestation: { type: 'symmetricKey' } });

    it('creates groups in bulk, reports per-item errors by enrollmentGroupId, and queries them', async () => {
      const created = await client.send('/enrollmentGroups', { method: 'POST', body: { mode: 'create', enrollmentGroups: [group('g-1'), group('g-2')] } });
      const again = await client.send('/enrollmentGroups', { method: 'POST', body: { mode: 'create', enrollmentGroups: [group('g-1')] } });
      const query = await client.send('/enrollmentGroups/query', { method: 'POST', body: { query: 'SELECT * FROM enrollmentGroups' } });

      expect(created.body).toEqual({ errors: [], isSuccessful: true });
      expect(again.body).toEqual({
        errors: [{ enrollmentGroupId: 'g-1', errorCode: 409201, errorStatus: 'Enrollment already exists.' }],
        isSuccessful: false,
      });
      expect(query.headers['x-ms-item-type']).toBe('EnrollmentGroup');
      expect(query.body.map((item: { enrollmentGroupId: string }) => item.enrollmentGroupId)).toEqual(['g-1', 'g-2']);
      expect(emulator.stats()).toMatchObject({ enrollments: 0, enrollmentGroups: 2 });
    });

    it('serves PUT, GET (without registrationState), attestation and DELETE, with 404204 when missing', async () => {
      const put = await client.send('/enrollmentGroups/g-3', { method: 'PUT', body: group('g-3') });
      const get = await client.send('/enrollmentgroups/G-3');
      const attestation = await client.send('/enrollmentgroups/g-3/attestationmechanism', { method: 'POST' });
      const remove = await client.send('/enrollmentGroups/g-3', { method: 'DELETE' });
      const missing = await client.send('/enrollmentGroups/g-3');

      expect(put.status).toBe(200);
      expect(get.body.registrationState).toBeUndefined();
      expect(get.body.attestation).toEqual({ type: 'symmetricKey' });
      expect(attestation.body.symmetricKey.primaryKey).toBe(put.body.attestation.symmetricKey.primaryKey);
      expect(remove.status).toBe(204);
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ errorCode: 404204, message: 'Enrollment group not found.' });
    });

    it('refuses TPM attestation for a group', async () => {
      const answer = await client.send('/enrollmentGroups/g-4', {
        method: 'PUT',
        body: { enrollmentGroupId: 'g-4', attestation: { type: 'tpm', tpm: { endorsementKey: 'AAAA' } } },
      });

      expect(answer.status).toBe(400);
      expect(answer.body.message).toBe('attestation.type: enrollment groups cannot use "tpm"');
    });
  });

  describe('registrations', () => {
    it('answers 404201 before a device registered, then shows and deletes the registration record', async () => {
      await client.bulk([symmetricEnrollment('reg-1', { deviceId: 'device-reg-1', iotHubs: ['hub-a.azure-devices.net'] })]);
      const before = await client.send('/registrations/reg-1');

      const registered = await client.send('/__emulator/registrations/reg-1', { method: 'POST', authorization: null, apiVersion: null });
      const state = await client.send('/registrations/reg-1');
      const enrollment = await client.send('/enrollments/reg-1');
      const removed = await client.send('/registrations/reg-1', { method: 'DELETE', headers: { 'if-match': state.body.etag } });

      expect(before.status).toBe(404);
      expect(before.body.errorCode).toBe(404201);
      expect(registered.status).toBe(200);
      expect(state.body).toMatchObject({ registrationId: 'reg-1', deviceId: 'device-reg-1', assignedHub: 'hub-a.azure-devices.net', status: 'assigned' });
      expect(enrollment.body.registrationState).toEqual(state.body);
      expect(removed.status).toBe(204);
      expect((await client.send('/registrations/reg-1')).status).toBe(404);
    });

    it('lists the registrations of an enrollment group, paged', async () => {
      await client.send('/enrollmentGroups/g-r', { method: 'PUT', body: { enrollmentGroupId: 'g-r', attestation: { type: 'symmetricKey' } } });
      for (const id of ['r-1', 'r-2', 'r-3']) {
        await client.send(`/__emulator/registrations/${id}`, { method: 'POST', body: { enrollmentGroupId: 'g-r' }, authorization: null, apiVersion: null });
      }

      const answer = await client.send('/registrations/g-r/query', { method: 'POST', headers: { 'x-ms-max-item-count': '2' } });

      expect(answer.headers['x-ms-item-type']).toBe('DeviceRegistration');
      expect(answer.body.map((item: { registrationId: string }) => item.registrationId)).toEqual(['r-1', 'r-2']);
      expect(answer.headers['x-ms-continuation']).toBeDefined();
    });
  });
});
