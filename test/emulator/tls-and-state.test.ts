import { X509Certificate } from 'node:crypto';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConnectionString } from '../../src/dps/contract/index.js';
import { startEmulator, StateFileError, type RunningEmulator } from '../../src/emulator/index.js';
import { EmulatorClient, symmetricEnrollment as enrollment } from './support/emulator-client.js';

function keyOf(emulator: RunningEmulator): string {
  return parseConnectionString(emulator.connectionString).sharedAccessKey;
}

describe('emulator over TLS', () => {
  let emulator: RunningEmulator | undefined;

  afterEach(async () => {
    await emulator?.close();
  });

  it('serves HTTPS with a generated CA whose server certificate names 127.0.0.1', async () => {
    emulator = await startEmulator({ port: 0, tls: true });
    const agent = new Agent({ connect: { ca: emulator.caCertificate! } });
    const client = new EmulatorClient(emulator, emulator.connectionString, agent);

    const created = await client.bulk([enrollment('tls-1')]);
    const answer = await client.get('tls-1');
    await client.close();

    expect(emulator.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(new X509Certificate(emulator.caCertificate!).ca).toBe(true);
    expect(created.status).toBe(200);
    expect(answer.status).toBe(200);
    expect(answer.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
  });

  it('is refused by a client that does not trust its CA', async () => {
    emulator = await startEmulator({ port: 0, tls: true });
    const client = new EmulatorClient(emulator);

    const failure = await client.get('x').then(
      () => undefined,
      (error: Error) => error,
    );
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

  async function stop(emulator: RunningEmulator): Promise<void> {
    running.splice(running.indexOf(emulator), 1);
    await emulator.close();
  }

  it('finds its enrollments, etags, keys and policy key again after a restart', async () => {
    const first = await start();
    const client = new EmulatorClient(first);
    await client.bulk([enrollment('keep-1'), enrollment('keep-2'), enrollment('gone')]);
    await client.bulk([{ registrationId: 'gone' }], 'delete');
    const before = await client.get('keep-1');
    const keys = await client.attestation('keep-1');
    await client.close();
    await stop(first);

    const second = await start();
    const again = new EmulatorClient(second);
    const after = await again.get('keep-1');
    const keysAfter = await again.attestation('keep-1');
    const missing = await again.get('gone');
    await again.close();

    expect(keyOf(second)).toBe(keyOf(first));
    expect(second.stats().enrollments).toBe(2);
    expect(after.body).toEqual(before.body);
    expect(keysAfter.body).toEqual(keys.body);
    expect(missing.status).toBe(404);
  });

  it('forgets everything after a reset, also across a restart', async () => {
    const first = await start();
    const client = new EmulatorClient(first);
    await client.bulk([enrollment('r-1')]);
    const reset = await client.admin('reset', 'POST');
    await client.close();
    await stop(first);

    const second = await start();

    expect(reset.status).toBe(204);
    expect(second.stats().enrollments).toBe(0);
  });

  it('ignores a torn last line, as a crash mid-write leaves it', async () => {
    const first = await start();
    const client = new EmulatorClient(first);
    await client.bulk([enrollment('t-1')]);
    await client.close();
    await stop(first);
    await appendFile(statePath, '{"table":"enrollments","put":"t-2","val');

    const second = await start();

    expect(second.stats().enrollments).toBe(1);
    expect((await readFile(statePath, 'utf8')).includes('"t-2"')).toBe(false);
  });

  it('refuses to start on a broken line in the middle, naming the line', async () => {
    await writeFile(statePath, '{"version":1,"policies":[]}\nnot json\n{"clear":true}\n');

    const failure = await startEmulator({ port: 0, statePath }).then(
      () => undefined,
      (error: Error) => error,
    );

    expect(failure).toBeInstanceOf(StateFileError);
    expect((failure as Error).message).toBe(`state file ${statePath}: line 2 is not valid JSON`);
  });
});
