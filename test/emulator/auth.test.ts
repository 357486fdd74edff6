import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { EmulatorClient, symmetricEnrollment as enrollment } from './support/emulator-client.js';

const OWNER = 'provisioningserviceowner';

describe('emulator policies, permissions and bearer tokens', () => {
  let emulator: RunningEmulator;
  let owner: EmulatorClient;
  let reader: EmulatorClient;

  beforeAll(async () => {
    emulator = await startEmulator({
      port: 0,
      policies: [
        {
          name: OWNER,
          permissions: ['EnrollmentRead', 'EnrollmentWrite', 'RegistrationStatusRead'],
        },
        { name: 'reader', permissions: ['EnrollmentRead'] },
      ],
      bearerTokens: ['entra-test-token-1'],
    });
    owner = new EmulatorClient(emulator);
    reader = new EmulatorClient(emulator, emulator.connectionStrings['reader']!);
  });

  afterAll(async () => {
    await Promise.all([owner.close(), reader.close()]);
    await emulator.close();
  });

  it('lets a read-only policy read, but answers its writes with 403', async () => {
    await owner.bulk([enrollment('p-1')]);

    const read = await reader.get('p-1');
    const write = await reader.bulk([enrollment('p-2')]);
    const secrets = await reader.attestation('p-1');

    expect(read.status).toBe(200);
    expect(write.status).toBe(403);
    expect(write.headers['x-ms-error-code']).toBe('403000');
    expect(write.body.message).toBe(
      'Unauthorized: policy "reader" lacks the EnrollmentWrite permission',
    );
    expect(secrets.status).toBe(403);
    expect(emulator.stats().enrollments).toBe(1);
  });

  it('answers 403 when the owner lacks RegistrationStatusWrite', async () => {
    const answer = await owner.send('/registrations/p-1', { method: 'DELETE' });

    expect(answer.status).toBe(403);
    expect(answer.body.message).toBe(
      `Unauthorized: policy "${OWNER}" lacks the RegistrationStatusWrite permission`,
    );
  });

  it('accepts a configured bearer token and refuses any other', async () => {
    const body = enrollment('b-1');
    const authorization = 'Bearer entra-test-token-1';

    const good = await owner.send('/enrollments/b-1', { method: 'PUT', body, authorization });
    const bad = await owner.send('/enrollments/b-1', { authorization: 'Bearer another-token' });

    expect(good.status).toBe(200);
    expect(bad.status).toBe(401);
    expect(bad.body.message).toBe(
      'Unauthorized: the bearer token is not one the emulator was configured with',
    );
  });

  it('answers 401 to a policy name it does not know', async () => {
    const unknown = emulator.connectionString.replace(
      `SharedAccessKeyName=${OWNER}`,
      'SharedAccessKeyName=ghost',
    );

    const answer = await owner.send('/enrollments/x', { authorization: owner.sas(3600, unknown) });

    expect(answer.body.message).toBe('Unauthorized: the SAS policy (skn) "ghost" is not defined');
  });

  it('answers 401 to a header that is not a SAS token', async () => {
    const answer = await owner.send('/enrollments/x', { authorization: 'Basic dXNlcjpwYXNz' });

    expect(answer.status).toBe(401);
    expect(answer.body.message).toBe(
      'Unauthorized: the Authorization header is not a SharedAccessSignature ' +
        'with sr, sig, se and skn',
    );
  });

  it('can answer a missing permission with 401 instead', async () => {
    const other = await startEmulator({
      port: 0,
      policies: [{ name: 'reader', permissions: ['EnrollmentRead'] }],
      behavior: { permissionDeniedStatus: 401 },
    });
    const client = new EmulatorClient(other);

    const answer = await client.bulk([enrollment('p-3')]);
    await client.close();
    await other.close();

    expect(answer.status).toBe(401);
    expect(answer.body.errorCode).toBe(401002);
  });
});
