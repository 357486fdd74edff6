import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { EmulatorClient, symmetricEnrollment as enrollment } from './support/emulator-client.js';

const ACCEPTED = '(accepted: 2021-10-01, 2019-03-31)';
const RELATIVE = 'Bad request: path segment 2 is ".."; relative segments are not allowed';

/** Sends raw bytes on a fresh connection and returns everything the server answered. */
function sendRaw(emulator: RunningEmulator, head: string, rest?: Buffer): Promise<string> {
  const port = Number(emulator.hostName.split(':')[1]);

  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(head);
      if (rest !== undefined) socket.write(rest, () => undefined);
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
    await client.bulk([enrollment('keeper-1'), enrollment('keeper-2')]);
  });

  afterAll(async () => {
    await client.close();
    await emulator.close();
  });

  /** The start line and headers of a raw request, authorized. */
  function head(requestLine: string, headers: string[] = []): string {
    const lines = [requestLine, 'Host: x', `Authorization: ${client.sas()}`, ...headers];

    return `${lines.join('\r\n')}\r\n\r\n`;
  }

  async function expectStoreIntact(): Promise<void> {
    const answer = await client.get('keeper-1');
    expect(answer.status).toBe(200);
    expect(emulator.stats().enrollments).toBe(2);
  }

  it('answers malformed JSON with 400 without quoting the body', async () => {
    const rawBody = '{"mode":"create","enrollments":[{"registrationId":"x","primaryKey":"c2VjcmV0';
    const headers = { 'content-type': 'application/json' };

    const answer = await client.send('/enrollments', { method: 'POST', rawBody, headers });

    expect(rawBody).toHaveLength(76);
    expect(answer.status).toBe(400);
    expect(answer.body.message).toBe('Bad request: the body (76 bytes) is not valid JSON');
    expect(answer.text).not.toContain('c2VjcmV0');
    await expectStoreIntact();
  });

  it('answers a wrong content type with 415', async () => {
    const rawBody = JSON.stringify({ mode: 'create', enrollments: [enrollment('ct-1')] });
    const headers = { 'content-type': 'text/plain' };

    const answer = await client.send('/enrollments', { method: 'POST', rawBody, headers });

    expect(answer.status).toBe(415);
    expect(answer.headers['x-ms-error-code']).toBe('415000');
    expect(answer.body.message).toBe(
      'Unsupported media type: Content-Type must be application/json, found "text/plain"',
    );
    await expectStoreIntact();
  });

  it('answers a declared body of gigabytes with 413 unread and closes', async () => {
    const request = head('POST /enrollments?api-version=2021-10-01 HTTP/1.1', [
      'Content-Type: application/json',
      'Content-Length: 5000000000',
    ]);

    const answer = await sendRaw(emulator, `${request}{"mode":`);

    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer.toLowerCase()).toContain('connection: close');
    expect(jsonBodyOf(answer)['errorCode']).toBe(413000);
    await expectStoreIntact();
  });

  it('answers a chunked body that grows past 96 KB with 413', async () => {
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const framed = [Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')];
    const request = head('POST /enrollments?api-version=2021-10-01 HTTP/1.1', [
      'Content-Type: application/json',
      'Transfer-Encoding: chunked',
    ]);

    const answer = await sendRaw(emulator, request, Buffer.concat([...framed, ...framed]));

    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(jsonBodyOf(answer)['message']).toBe(
      'Request body too large: the limit is 98304 bytes, more than 98304 sent',
    );
    await expectStoreIntact();
  });

  it('answers a header of megabytes with 431 and the error body', async () => {
    const big = `X-Big: ${'a'.repeat(2 * 1024 * 1024)}`;

    const answer = await sendRaw(emulator, head('GET /enrollments/keeper-1 HTTP/1.1', [big]));

    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer).toContain('x-ms-error-code: 431000');
    expect(jsonBodyOf(answer)['message']).toBe('Request header fields too large');
    await expectStoreIntact();
  });

  it.each([
    ['/enrollments/%2E%2E/keeper-1', RELATIVE],
    ['/enrollments/../enrollments/keeper-1', RELATIVE],
    ['/enrollments/bad%00id', 'Bad request: path segment 2 contains a control character'],
    ['/enrollments/bad%0Aid', 'Bad request: path segment 2 contains a control character'],
    ['/enrollments/%E0%A4%A', 'Bad request: path segment 2 has broken percent-encoding'],
  ])('answers the path %s with 400 and deletes nothing', async (path, message) => {
    const request = head(`DELETE ${path}?api-version=2021-10-01 HTTP/1.1`, ['Connection: close']);

    const answer = await sendRaw(emulator, request);

    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(jsonBodyOf(answer)['message']).toBe(message);
    await expectStoreIntact();
  });

  it('answers a raw control character in the request line with 400', async () => {
    const answer = await sendRaw(emulator, head('GET /enrollments/a\u0001b HTTP/1.1'));

    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain('x-ms-error-code: 400000');
    await expectStoreIntact();
  });

  it('answers an unknown or missing api-version with 400 naming the accepted ones', async () => {
    const unknown = await client.send('/enrollments/keeper-1', { apiVersion: '2099-01-01' });
    const missing = await client.send('/enrollments/keeper-1', { apiVersion: null });

    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toBe(
      `Bad request: api-version "2099-01-01" is not supported ${ACCEPTED}`,
    );
    expect(missing.body.message).toBe(
      `Bad request: the api-version query parameter is required ${ACCEPTED}`,
    );
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
    const post = (body: unknown): ReturnType<EmulatorClient['send']> =>
      client.send('/enrollments', { method: 'POST', body });

    const notObject = await post([1, 2]);
    const badMode = await post({ mode: 'upsert', enrollments: [enrollment('m')] });
    const noId = await post({ mode: 'create', enrollments: [{ attestation: {} }] });
    const empty = await post({ mode: 'create', enrollments: [] });
    const putArray = await client.put('keeper-1', [1]);

    expect(notObject.body.message).toBe('Bulk operation: expected a JSON object, found an array');
    expect(badMode.body.message).toBe(
      'mode: must be one of create, update, updateIfMatchETag, delete, found "upsert"',
    );
    expect(noId.body.message).toBe(
      'enrollments[0].registrationId: required non-empty string, found nothing',
    );
    expect(empty.body.message).toBe('enrollments: required non-empty array, found an array');
    expect(putArray.body.message).toBe('Enrollment: expected a JSON object, found an array');
    await expectStoreIntact();
  });

  it('keeps serving on the same connection after error answers', async () => {
    const statuses = [];
    for (const path of ['/enrollments/%00', '/nowhere', '/enrollments/keeper-2']) {
      statuses.push((await client.send(path)).status);
    }

    expect(statuses).toEqual([400, 404, 200]);
  });
});
