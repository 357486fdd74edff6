import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { EmulatorClient, symmetricEnrollment } from './support/emulator-client.js';

/** Sends raw bytes on a fresh connection and returns everything the server answered. */
function sendRaw(emulator: RunningEmulator, payload: string | Buffer, thenWrite?: Buffer): Promise<string> {
  const [, port] = emulator.hostName.split(':');

  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.write(payload);
      if (thenWrite !== undefined) socket.write(thenWrite, () => undefined);
    });
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.setTimeout(10_000, () => reject(new Error('no answer')));
  });
}

/** The JSON body of a raw HTTP/1.1 answer. */
function jsonBodyOf(answer: string): Record<string, unknown> {
  return JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
}

describe('emulator under bad input', () => {
  let emulator: RunningEmulator;
  let client: EmulatorClient;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    client = new EmulatorClient(emulator);
    await client.bulk([symmetricEnrollment('keeper-1'), symmetricEnrollment('keeper-2')]);
  });

  afterAll(async () => {
    await client.close();
    await emulator.close();
  });

  async function expectStoreIntact(): Promise<void> {
    const answer = await client.send('/enrollments/keeper-1');
    expect(answer.status).toBe(200);
    expect(emulator.stats().enrollments).toBe(2);
  }

  it('answers malformed JSON with 400 without quoting the body', async () => {
    const rawBody = '{"mode":"create","enrollments":[{"registrationId":"x","primaryKey":"c2VjcmV0';
    const answer = await client.send('/enrollments', {
      method: 'POST',
      rawBody,
      headers: { 'content-type': 'application/json' },
    });

    expect(rawBody).toHaveLength(76);
    expect(answer.status).toBe(400);
    expect(answer.body.message).toBe('Bad request: the body (76 bytes) is not valid JSON');
    expect(answer.text).not.toContain('c2VjcmV0');
    await expectStoreIntact();
  });

  it('answers a wrong content type with 415', async () => {
    const answer = await client.send('/enrollments', {
      method: 'POST',
      rawBody: JSON.stringify({ mode: 'create', enrollments: [symmetricEnrollment('ct-1')] }),
      headers: { 'content-type': 'text/plain' },
    });

    expect(answer.status).toBe(415);
    expect(answer.headers['x-ms-error-code']).toBe('415000');
    expect(answer.body.message).toBe('Unsupported media type: Content-Type must be application/json, found "text/plain"');
    await expectStoreIntact();
  });

  it('answers a declared body of gigabytes with 413 before reading it, and closes the connection', async () => {
    const answer = await sendRaw(emulator,
      `POST /enrollments?api-version=2021-10-01 HTTP/1.1\r\nHost: x\r\nAuthorization: ${client.sas()}\r\n` +
      'Content-Type: application/json\r\nContent-Length: 5000000000\r\n\r\n{"mode":');

    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer.toLowerCase()).toContain('connection: close');
    expect(answer).toContain('"errorCode":413000');
    await expectStoreIntact();
  });

  it('answers a chunked body that grows past 96 KB with 413', async () => {
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const header = `POST /enrollments?api-version=2021-10-01 HTTP/1.1\r\nHost: x\r\nAuthorization: ${client.sas()}\r\n` +
      'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
    const body = Buffer.concat([
      Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n'),
      Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n'),
    ]);

    const answer = await sendRaw(emulator, header, body);

    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toContain('the limit is 98304 bytes, more than 98304 sent');
    await expectStoreIntact();
  });

  it('answers a header of megabytes with 431 and the error body', async () => {
    const answer = await sendRaw(emulator,
      `GET /enrollments/keeper-1?api-version=2021-10-01 HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(2 * 1024 * 1024)}\r\n\r\n`);

    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer).toContain('x-ms-error-code: 431000');
    expect(answer).toContain('"message":"Request header fields too large"');
    await expectStoreIntact();
  });

  it.each([
    ['/enrollments/%2E%2E/keeper-1', 'Bad request: path segment 2 is ".."; relative segments are not allowed'],
    ['/enrollments/../enrollments/keeper-1', 'Bad request: path segment 2 is ".."; relative segments are not allowed'],
    ['/enrollments/bad%00id', 'Bad request: path segment 2 contains a control character'],
    ['/enrollments/bad%0Aid', 'Bad request: path segment 2 contains a control character'],
    ['/enrollments/%E0%A4%A', 'Bad request: path segment 2 has broken percent-encoding'],
  ])('answers the path %s with 400', async (path, message) => {
    const answer = await sendRaw(emulator, `DELETE ${path}?api-version=2021-10-01 HTTP/1.1\r\nHost: x\r\nAuthorization: ${client.sas()}\r\nConnection: close\r\n\r\n`);

    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(jsonBodyOf(answer).message).toBe(message);
    await expectStoreIntact();
  });

  it('answers a raw control character in the request line with 400 and the error body', async () => {
    const answer = await sendRaw(emulator, 'GET /enrollments/a\u0001b?api-version=2021-10-01 HTTP/1.1\r\nHost: x\r\n\r\n');

    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain('x-ms-error-code: 400000');
    await expectStoreIntact();
  });

  it('answers an unknown or missing api-version with 400 naming the accepted ones', async () => {
    const unknown = await client.send('/enrollments/keeper-1', { apiVersion: '2099-01-01' });
    const missing = await client.send('/enrollments/keeper-1', { apiVersion: null });

    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toBe('Bad request: api-version "2099-01-01" is not supported (accepted: 2021-10-01, 2019-03-31)');
    expect(missing.body.message).toBe('Bad request: the api-version query parameter is required (accepted: 2021-10-01, 2019-03-31)');
  });

  it('accepts api-version 2019-03-31', async () => {
    const answer = await client.send('/enrollments/keeper-1', { apiVersion: '2019-03-31' });

    expect(answer.status).toBe(200);
  });

  it('answers unknown routes with 404 and wrong methods with 405 and Allow', async () => {
    const route = await client.send('/devices/keeper-1');
    const method = await client.send('/enrollments/keeper-1', { method: 'PATCH' });

    expect(route.status).toBe(404);
    expect(route.body.message).toBe('Not found: no DPS route for GET /devices/keeper-1');
    expect(method.status).toBe(405);
    expect(method.headers['allow']).toBe('GET, PUT, DELETE');
  });

  it('answers bodies of the wrong shape with 400', async () => {
    const notObject = await client.send('/enrollments', { method: 'POST', body: [1, 2] });
    const badMode = await client.send('/enrollments', { method: 'POST', body: { mode: 'upsert', enrollments: [symmetricEnrollment('m')] } });
    const noId = await client.send('/enrollments', { method: 'POST', body: { mode: 'create', enrollments: [{ attestation: {} }] } });
    const empty = await client.send('/enrollments', { method: 'POST', body: { mode: 'create', enrollments: [] } });

    expect(notObject.body.message).toBe('Bulk operation: expected a JSON object, found an array');
    expect(badMode.body.message).toBe('mode: must be one of create, update, updateIfMatchETag, delete, found "upsert"');
    expect(noId.body.message).toBe('enrollments[0].registrationId: required non-empty string, found nothing');
    expect(empty.body.message).toBe('enrollments: required non-empty array, found an array');
    await expectStoreIntact();
  });

  it('keeps serving on the same connection after error answers', async () => {
    const answers = [];
    for (const path of ['/enrollments/%00', '/nowhere', '/enrollments/keeper-2']) answers.push(await client.send(path));

    expect(answers.map((answer) => answer.status)).toEqual([400, 404, 200]);
  });
});
