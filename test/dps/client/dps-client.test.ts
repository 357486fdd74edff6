import { afterEach, describe, expect, it } from 'vitest';

import { createDpsClient, DpsClientError } from '../../../src/dps/client/index.js';
import type { DpsAnswer, DpsClient } from '../../../src/dps/client/index.js';
import { isSasSignatureValid, parseSasToken } from '../../../src/dps/contract/index.js';
import type { IndividualEnrollment } from '../../../src/dps/contract/index.js';
import { startScriptedServer, type ScriptedServer } from '../support/scripted-server.js';
import { generatePolicyKey, sasTarget, TEST_POLICY_NAME } from '../support/targets.js';

const VERSION_QUERY = 'api-version=2021-10-01';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const enrollment: IndividualEnrollment = {
  registrationId: 'meter:site15.a_b',
  attestation: { type: 'tpm', tpm: { endorsementKey: 'AToAAQALAAMAsgAg' } },
};

let server: ScriptedServer | undefined;
let client: DpsClient | undefined;

afterEach(async () => {
  await client?.close();
  await server?.close();
  client = undefined;
  server = undefined;
});

async function setUp(answer: Parameters<typeof startScriptedServer>[0], timeoutMs = 5_000) {
  const key = generatePolicyKey();
  server = await startScriptedServer(answer);
  client = createDpsClient(sasTarget(server.url, key), {
    requestTimeoutMs: timeoutMs,
    connections: 2,
  });

  return { key, server, client };
}

function expectReply(answer: DpsAnswer): Extract<DpsAnswer, { kind: 'reply' }> {
  expect(answer.kind).toBe('reply');
  return answer as Extract<DpsAnswer, { kind: 'reply' }>;
}

describe('createDpsClient', () => {
  it('sends a bulk call with the contract headers and a valid SAS token', async () => {
    const result = { isSuccessful: true, errors: [] };
    const { key, server, client } = await setUp(() => ({ status: 200, body: result }));

    const answer = expectReply(await client.bulk('create', [enrollment]));

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(result);

    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe(`/enrollments?${VERSION_QUERY}`);
    expect(request?.body).toEqual({ mode: 'create', enrollments: [enrollment] });
    expect(request?.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(request?.headers['accept']).toBe('application/json');
    expect(request?.headers['user-agent']).toBe('dps-bulk/0.1.0');
    expect(request?.headers['request-id']).toMatch(UUID);

    const token = parseSasToken(String(request?.headers['authorization']));
    expect(token?.resource).toBe('test-dps.example.invalid');
    expect(token?.policyName).toBe(TEST_POLICY_NAME);
    expect(token && isSasSignatureValid(token, key)).toBe(true);
  });

  it('percent-encodes registration IDs in paths', async () => {
    const { server, client } = await setUp(() => ({ status: 404, body: { errorCode: 404201 } }));

    const answer = expectReply(await client.get('a:b c/d?e'));

    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({ errorCode: 404201 });
    expect(server.requests[0]?.url).toBe(`/enrollments/a%3Ab%20c%2Fd%3Fe?${VERSION_QUERY}`);
    expect(server.requests[0]?.method).toBe('GET');
  });

  it('sends If-Match on PUT and DELETE, and no Accept on DELETE', async () => {
    const { server, client } = await setUp((request) =>
      request.method === 'DELETE' ? { status: 204 } : { status: 200, body: enrollment },
    );

    const put = expectReply(await client.put(enrollment, 'IjAwMDAi'));
    const removed = expectReply(await client.delete('meter:site15.a_b', '*'));

    expect(put.status).toBe(200);
    expect(removed.status).toBe(204);
    expect(removed.body).toBeUndefined();

    const [putRequest, deleteRequest] = server.requests;
    expect(putRequest?.method).toBe('PUT');
    expect(putRequest?.url).toBe(`/enrollments/meter%3Asite15.a_b?${VERSION_QUERY}`);
    expect(putRequest?.headers['if-match']).toBe('IjAwMDAi');
    expect(putRequest?.body).toEqual(enrollment);
    expect(deleteRequest?.headers['if-match']).toBe('*');
    expect(deleteRequest?.headers['accept']).toBeUndefined();
  });

  it('leaves If-Match out when no etag is given', async () => {
    const { server, client } = await setUp(() => ({ status: 204 }));

    await client.delete('device-1');

    expect(server.requests[0]?.headers['if-match']).toBeUndefined();
  });

  it('posts attestationmechanism with an empty body', async () => {
    const keys = { type: 'symmetricKey', symmetricKey: { primaryKey: 'a', secondaryKey: 'b' } };
    const { server, client } = await setUp(() => ({ status: 200, body: keys }));

    const answer = expectReply(await client.attestationMechanism('device-1'));

    expect(answer.body).toEqual(keys);
    expect(server.requests[0]?.method).toBe('POST');
    const path = `/enrollments/device-1/attestationmechanism?${VERSION_QUERY}`;
    expect(server.requests[0]?.url).toBe(path);
    expect(server.requests[0]?.headers['content-length']).toBe('0');
    expect(server.requests[0]?.bodyText).toBe('');
  });

  it('sends query paging headers and returns the continuation header', async () => {
    const { server, client } = await setUp(() => ({
      status: 200,
      headers: { 'x-ms-continuation': 'next-page', 'x-ms-item-type': 'Enrollment' },
      body: [],
    }));

    const answer = expectReply(await client.query('SELECT *', 5, 'page-1'));

    expect(answer.headers['x-ms-continuation']).toBe('next-page');
    expect(server.requests[0]?.url).toBe(`/enrollments/query?${VERSION_QUERY}`);
    expect(server.requests[0]?.body).toEqual({ query: 'SELECT *' });
    expect(server.requests[0]?.headers['x-ms-max-item-count']).toBe('5');
    expect(server.requests[0]?.headers['x-ms-continuation']).toBe('page-1');
  });

  it('keeps an endpoint base path in front of every route', async () => {
    const key = generatePolicyKey();
    server = await startScriptedServer(() => ({ status: 200, body: {} }));
    client = createDpsClient(sasTarget(`${server.url}/proxy/dps/`, key), {
      requestTimeoutMs: 5_000,
      connections: 1,
    });

    await client.get('device-1');

    expect(server.requests[0]?.url).toBe(`/proxy/dps/enrollments/device-1?${VERSION_QUERY}`);
  });

  it('returns a non-JSON body as text', async () => {
    const { client } = await setUp(() => ({
      status: 502,
      headers: { 'content-type': 'text/html' },
      body: 'Bad gateway',
    }));

    const answer = expectReply(await client.get('device-1'));

    expect(answer.status).toBe(502);
    expect(answer.body).toBe('"Bad gateway"');
  });

  it('uses the given User-Agent', async () => {
    const key = generatePolicyKey();
    server = await startScriptedServer(() => ({ status: 200, body: {} }));
    client = createDpsClient(sasTarget(server.url, key), {
      requestTimeoutMs: 5_000,
      connections: 1,
      userAgent: 'dps-bulk/test',
    });

    await client.get('device-1');

    expect(server.requests[0]?.headers['user-agent']).toBe('dps-bulk/test');
  });

  it('rejects an endpoint that is not an http or https URL', () => {
    const target = sasTarget('ftp://127.0.0.1/', generatePolicyKey());

    const message = 'endpoint: must start with http:// or https://, got "ftp:"';

    expect(() => createDpsClient(target, { requestTimeoutMs: 1_000, connections: 1 })).toThrow(
      new DpsClientError('invalid-endpoint', message),
    );
  });

  it('rejects a connection count below one', () => {
    const target = sasTarget('http://127.0.0.1:1/', generatePolicyKey());

    expect(() => createDpsClient(target, { requestTimeoutMs: 1_000, connections: 0 })).toThrow(
      'connections: must be a whole number of at least 1, got 0',
    );
  });
});
