import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import {
  EmulatorClient,
  symmetricEnrollment as enrollment,
  testKey,
  type RawAnswer,
} from './support/emulator-client.js';

const ALREADY_EXISTS = 'Enrollment already exists.';

const group = (id: string): Record<string, unknown> => ({
  enrollmentGroupId: id,
  attestation: { type: 'symmetricKey' },
});

interface QueryResult {
  pages: number[];
  ids: string[];
}

const queryId = (index: number): string => `q-${String(index).padStart(3, '0')}`;

function idsOf(answer: RawAnswer): string[] {
  return (answer.body as Array<Record<string, string>>).map(
    (item) => item['registrationId'] ?? item['enrollmentGroupId']!,
  );
}

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
      const size = Math.min(10, count - start);
      const ids = Array.from({ length: size }, (_, index) => queryId(start + index));
      await client.bulk(ids.map((id) => enrollment(id)));
    }
  }

  /** Follows continuations until none is sent; returns the page sizes and every ID. */
  async function queryAll(path: string, pageSize?: number): Promise<QueryResult> {
    const pages: number[] = [];
    const ids: string[] = [];
    let continuation: string | undefined;

    do {
      const headers: Record<string, string> = {};
      if (pageSize !== undefined) headers['x-ms-max-item-count'] = String(pageSize);
      if (continuation !== undefined) headers['x-ms-continuation'] = continuation;
      const answer = await client.query(path, headers);
      expect(answer.status).toBe(200);
      pages.push(answer.body.length);
      ids.push(...idsOf(answer));
      continuation = answer.headers['x-ms-continuation'] as string | undefined;
    } while (continuation !== undefined);

    return { pages, ids };
  }

  describe('query', () => {
    it('pages by x-ms-max-item-count with an opaque continuation until none comes', async () => {
      await createMany(25);

      const { pages, ids } = await queryAll('/enrollments/query', 10);

      expect(pages).toEqual([10, 10, 5]);
      expect(new Set(ids).size).toBe(25);
    });

    it('always sends x-ms-item-type and answers [] when there is nothing', async () => {
      const answer = await client.query('/enrollments/query', {}, 'select * from enrollments');

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
      await client.bulk([enrollment('q-keys', { deviceId: 'dev' })]);

      const answer = await client.query('/enrollments/query', {}, '*');

      expect(answer.body).toHaveLength(1);
      expect(answer.body[0].attestation).toEqual({ type: 'symmetricKey' });
      expect(answer.body[0].registrationState).toBeUndefined();
    });

    it('neither skips nor repeats records when some are deleted between pages', async () => {
      await createMany(12);
      const first = await client.query('/enrollments/query', { 'x-ms-max-item-count': '5' });
      await client.bulk([{ registrationId: 'q-001' }, { registrationId: 'q-006' }], 'delete');

      const second = await client.query('/enrollments/query', {
        'x-ms-max-item-count': '5',
        'x-ms-continuation': first.headers['x-ms-continuation'] as string,
      });

      expect(idsOf(second)).toEqual(['q-005', 'q-007', 'q-008', 'q-009', 'q-010']);
    });

    it('answers 400 to an unknown query, a bad page size and a forged continuation', async () => {
      const path = '/enrollments/query';
      const filter = await client.query(path, {}, "SELECT * WHERE x='1'");
      const size = await client.query(path, { 'x-ms-max-item-count': '-3' });
      const token = await client.query(path, { 'x-ms-continuation': 'bm9wZQ==' });

      expect([filter.status, size.status, token.status]).toEqual([400, 400, 400]);
      expect(filter.body.message).toBe(
        'query: the emulator only understands "SELECT *" (optionally "FROM …"), ' +
          `found "SELECT * WHERE x='1'"`,
      );
      expect(size.body.message).toBe(
        'x-ms-max-item-count: must be a whole number 1..10000, found "-3"',
      );
      expect(token.body.message).toBe(
        'x-ms-continuation: not a token this emulator issued for this query',
      );
    });
  });

  describe('attestation mechanism', () => {
    it('returns the keys that were sent', async () => {
      const keys = { primaryKey: testKey(32, 1), secondaryKey: testKey(32, 2) };
      const attestation = { type: 'symmetricKey', symmetricKey: keys };
      await client.bulk([{ registrationId: 'att-1', attestation }]);

      const answer = await client.attestation('att-1');

      expect(answer.body).toEqual({ type: 'symmetricKey', symmetricKey: keys });
    });

    it('answers 404201 for a missing enrollment', async () => {
      const answer = await client.attestation('none');

      expect(answer.status).toBe(404);
      expect(answer.body.errorCode).toBe(404201);
    });
  });

  describe('enrollment groups', () => {
    const bulkGroups = (mode: string, ids: string[]): Promise<RawAnswer> =>
      client.send('/enrollmentGroups', {
        method: 'POST',
        body: { mode, enrollmentGroups: ids.map(group) },
      });

    it('creates in bulk, reports errors by enrollmentGroupId and queries groups', async () => {
      const created = await bulkGroups('create', ['g-1', 'g-2']);
      const again = await bulkGroups('create', ['g-1']);
      const text = 'SELECT * FROM enrollmentGroups';
      const query = await client.query('/enrollmentGroups/query', {}, text);

      expect(created.body).toEqual({ errors: [], isSuccessful: true });
      expect(again.body).toEqual({
        errors: [{ enrollmentGroupId: 'g-1', errorCode: 409201, errorStatus: ALREADY_EXISTS }],
        isSuccessful: false,
      });
      expect(query.headers['x-ms-item-type']).toBe('EnrollmentGroup');
      expect(idsOf(query)).toEqual(['g-1', 'g-2']);
      expect(emulator.stats()).toMatchObject({ enrollments: 0, enrollmentGroups: 2 });
    });

    it('serves PUT, GET, attestation and DELETE, then 404204 when missing', async () => {
      const put = await client.send('/enrollmentGroups/g-3', { method: 'PUT', body: group('g-3') });
      const get = await client.send('/enrollmentgroups/G-3');
      const attestation = await client.send('/enrollmentgroups/g-3/attestationmechanism', {
        method: 'POST',
      });
      const remove = await client.send('/enrollmentGroups/g-3', { method: 'DELETE' });
      const missing = await client.send('/enrollmentGroups/g-3');

      expect(put.status).toBe(200);
      expect(get.body.registrationState).toBeUndefined();
      expect(get.body.attestation).toEqual({ type: 'symmetricKey' });
      expect(attestation.body.symmetricKey).toEqual(put.body.attestation.symmetricKey);
      expect(remove.status).toBe(204);
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({
        errorCode: 404204,
        message: 'Enrollment group not found.',
      });
    });

    it('refuses TPM attestation for a group', async () => {
      const attestation = { type: 'tpm', tpm: { endorsementKey: 'AAAA' } };
      const body = { enrollmentGroupId: 'g-4', attestation };

      const answer = await client.send('/enrollmentGroups/g-4', { method: 'PUT', body });

      expect(answer.status).toBe(400);
      expect(answer.body.message).toBe('attestation.type: enrollment groups cannot use "tpm"');
    });
  });

  describe('registrations', () => {
    it('answers 404201 before a device registered, then shows and deletes its record', async () => {
      const hub = 'hub-a.azure-devices.net';
      await client.bulk([enrollment('reg-1', { deviceId: 'device-reg-1', iotHubs: [hub] })]);
      const before = await client.send('/registrations/reg-1');

      const registered = await client.admin('registrations/reg-1', 'POST');
      const state = await client.send('/registrations/reg-1');
      const read = await client.get('reg-1');
      const removed = await client.send('/registrations/reg-1', {
        method: 'DELETE',
        headers: { 'if-match': state.body.etag },
      });

      expect(before.status).toBe(404);
      expect(before.body.errorCode).toBe(404201);
      expect(registered.status).toBe(200);
      expect(state.body).toMatchObject({
        registrationId: 'reg-1',
        deviceId: 'device-reg-1',
        assignedHub: hub,
        status: 'assigned',
      });
      expect(read.body.registrationState).toEqual(state.body);
      expect(removed.status).toBe(204);
      expect((await client.send('/registrations/reg-1')).status).toBe(404);
    });

    it('lists the registrations of an enrollment group, paged', async () => {
      await client.send('/enrollmentGroups/g-r', { method: 'PUT', body: group('g-r') });
      for (const id of ['r-1', 'r-2', 'r-3']) {
        await client.admin(`registrations/${id}`, 'POST', { enrollmentGroupId: 'g-r' });
      }

      const answer = await client.send('/registrations/g-r/query', {
        method: 'POST',
        headers: { 'x-ms-max-item-count': '2' },
      });

      expect(answer.headers['x-ms-item-type']).toBe('DeviceRegistration');
      expect(idsOf(answer)).toEqual(['r-1', 'r-2']);
      expect(answer.headers['x-ms-continuation']).toBeDefined();
    });
  });
});
