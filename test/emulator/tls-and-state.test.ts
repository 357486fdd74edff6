import { X509Certificate } from 'node:crypto';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConnectionString } from '../../src/dps/contract/index.js';
import { startEmulator, StateFileError, type RunningEmulator } from '../../src/emulator/index.js';
import { EmulatorClient, symmetricEnrollment } from './support/emulator-client.js';

describe('emulator over TLS', () => {
  let emulator: RunningEmulator | undefined;

  afterEach(async () => {
    await emulator?.close();
  });

  it('serves HTTPS with a generated CA whose server certificate names 127.0.0.1', async () => {
    emulator = await startEmulator({ port: 0, tls: true });
    const client = new EmulatorClient(emulator, emulator.connectionString, new Agent({ connect: { ca: emulator.caCertificate! } }));

    const created = await client.bulk([symmetricEnrollment('tls-1')]);
    const answer = await client.send('/enrollments/tls-1');
    await client.close();

    const authority = new X509Certificate(emulator.caCertificate!);
    expect(emulator.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(authority.ca).toBe(true);
    expect(created.status).toBe(200);
    expect(answer.status).toBe(200);
    expect(answer.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
  });

  it('is refused by a client that does not trust its CA', async () => {
    emulator = await startEmulator({ port: 0, tls: true });
    const client = new EmulatorClient(emulator);

    const failure = await client.send('/enrollments/x').then(() => undefined, (error: Error) => error);
    await client.close();

    expect((failure as { code?: string }).code).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });
});

describe('emulator state file', () => {
  let directory: string;
  let statePath: string;
  const running: RunningEmulator[] = [];

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'dps-emulator-state-'));
    statePath = join(directory, 'state.jsonl');
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((emulator) => emulator.close()));
    await rm(directory, { recursive: true, force: true });
  });

  async function start(): Promise<RunningEmulator> {
    const emulator = await startEmulator({ port: 0, statePath });
    running.push(emulator);

    return emulator;
  }

  it('finds its enrollments, etags, keys and policy key again after a restart', async () => {
    const first = await start();
    const client = new EmulatorClient(first);
    await client.bulk([symmetricEnrollment('keep-1'), symmetricEnrollment('keep-2'), symmetricEnrollment('gone')]);
    await client.bulk([{ registrationId: 'gone' }], 'delete');
    const before = await client.send('/enrollments/keep-1');
    const keys = await client.send('/enrollments/keep-1/attestationmechanism', { method: 'POST' });
    await client.close();
    await first.close();
    running.length = 0;

    const second = await start();
    const again = new EmulatorClient(second);
    const after = await again.send('/enrollments/keep-1');
    const keysAfter = await again.send('/enrollments/keep-1/attestationmechanism', { method: 'POST' });
    const missing = await again.send('/enrollments/gone');
    await again.close();

    expect(parseConnectionString(second.connectionString).sharedAccessKey).toBe(parseConnectionString(first.connectionString).sharedAccessKey);
    expect(second.stats().enrollments).toBe(2);
    expect(after.body).toEqual(before.body);
    expect(keysAfter.body).toEqual(keys.body);
    expect(missing.status).toBe(404);
  });

  it('forgets everything after a reset, also across a restart', async () => {
    const first = await start();
    const client = new EmulatorClient(first);
    await client.bulk([symmetricEnrollment('r-1')]);
    const reset = await client.send('/__emulator/reset', { method: 'POST', authorization: null, apiVersion: null });
    await client.close();
    await first.close();
    running.length = 0;

    const second = await start();

    expect(reset.status).toBe(204);
    expect(second.stats().enrollments).toBe(0);
  });

  it('ignores a torn last line, as a crash mid-write leaves it', async () => {
    const first = await start();
    const client = new EmulatorClient(first);
    await client.bulk([symmetricEnrollment('t-1')]);
    await client.close();
    await first.close();
    running.length = 0;
    await appendFile(statePath, '{"table":"enrollments","put":"t-2","val');

    const second = await start();

    expect(second.stats().enrollments).toBe(1);
    expect((await readFile(statePath, 'utf8')).includes('"t-2"')).toBe(false);
  });

  it('refuses to start on a broken line in the middle, naming the line', async () => {
    await writeFile(statePath, '{"version":1,"policies":[]}\nnot json\n{"clear":true}\n');

    const failure = await startEmulator({ port: 0, statePath }).then(() => undefined, (error: Error) => error);

    expect(failure).toBeInstanceOf(StateFileError);
    expect((failure as Error).message).toBe(`state file ${statePath}: line 2 is not valid JSON`);
  });
});
