import { afterEach, beforeAll, describe, expect, it } from 'vitest';

import { createDpsClient } from '../../../src/dps/client/index.js';
import type { DpsClient } from '../../../src/dps/client/index.js';
import type { ServiceTarget } from '../../../src/job/run-config.js';
import { startScriptedServer, type ScriptedServer } from '../support/scripted-server.js';
import { makeSelfSignedCertificate } from '../../support/test-certificates.js';
import { generatePolicyKey, sasTarget } from '../support/targets.js';

let server: ScriptedServer | undefined;
let client: DpsClient | undefined;
let tls = { key: '', cert: '' };

beforeAll(() => {
  // A self-signed certificate for 127.0.0.1, made for this test run only.
  tls = makeSelfSignedCertificate('127.0.0.1', { ipAddresses: ['127.0.0.1'], usage: 'server' });
});

afterEach(async () => {
  await client?.close();
  await server?.close();
  client = undefined;
  server = undefined;
});

function connect(target: ServiceTarget, requestTimeoutMs = 5_000): DpsClient {
  client = createDpsClient(target, { requestTimeoutMs, connections: 1 });
  return client;
}

describe('DPS client transport errors', () => {
  it('reports a refused connection as never sent', async () => {
    const closed = await startScriptedServer(() => ({ status: 200 }));
    const url = closed.url;
    await closed.close();

    const answer = await connect(sasTarget(url, generatePolicyKey())).bulk('create', []);

    expect(answer).toMatchObject({
      kind: 'transport-error',
      code: 'connection-refused',
      sentRequest: false,
    });
  });

  it('reports a connection dropped after the request arrived as possibly sent', async () => {
    server = await startScriptedServer(() => ({ drop: true }));

    const answer = await connect(sasTarget(server.url, generatePolicyKey())).bulk('create', []);

    expect(answer.kind).toBe('transport-error');
    expect(answer).toMatchObject({ sentRequest: true });
    expect(['connection-closed', 'connection-reset']).toContain(
      answer.kind === 'transport-error' ? answer.code : '',
    );
    expect(server.requests).toHaveLength(1);
  });

  it('times out a request the service never answers, as possibly sent', async () => {
    server = await startScriptedServer(() => ({ hang: true }));

    const answer = await connect(sasTarget(server.url, generatePolicyKey()), 150).get('device-1');

    expect(answer).toMatchObject({
      kind: 'transport-error',
      code: 'timeout',
      sentRequest: true,
      detail: 'no complete reply within 150 ms',
    });
  });

  it('never puts the token or the body into a transport error', async () => {
    server = await startScriptedServer(() => ({ drop: true }));
    const key = generatePolicyKey();
    const secretKey = 'c2VjcmV0LXByaW1hcnkta2V5LWZvci10ZXN0cw==';

    const answer = await connect(sasTarget(server.url, key)).bulk('create', [
      {
        registrationId: 'device-1',
        attestation: { type: 'symmetricKey', symmetricKey: { primaryKey: secretKey } },
      },
    ]);

    const text = JSON.stringify(answer);
    expect(text).not.toContain(secretKey);
    expect(text).not.toContain('SharedAccessSignature');
    expect(text).not.toContain(key);
  });
});

describe('DPS client over HTTPS', () => {
  it('trusts an extra CA certificate given with the target', async () => {
    server = await startScriptedServer(() => ({ status: 200, body: { ok: true } }), tls);
    const target = { ...sasTarget(server.url, generatePolicyKey()), caCertificate: tls.cert };

    const answer = await connect(target).get('device-1');

    expect(answer).toMatchObject({ kind: 'reply', status: 200, body: { ok: true } });
  });

  it('refuses an untrusted certificate as a TLS error that never sent the request', async () => {
    server = await startScriptedServer(() => ({ status: 200, body: {} }), tls);

    const answer = await connect(sasTarget(server.url, generatePolicyKey())).get('device-1');

    expect(answer).toMatchObject({ kind: 'transport-error', code: 'tls', sentRequest: false });
    expect(server.requests).toHaveLength(0);
  });
});
