import { Writable } from 'node:stream';

import { describe, expect, it } from 'vitest';

import { createLoggerOn, REDACTED } from '../../src/logging/run-logger.js';

describe('run logger', () => {
  it('censors fields that could carry secrets, at the top level and nested', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLoggerOn(sink, 'debug');
    const secret = 'c2VjcmV0LWtleS1tYXRlcmlhbC1mb3ItdGVzdHMtb25seQ==';

    logger.info(
      { connectionString: `HostName=h;SharedAccessKeyName=p;SharedAccessKey=${secret}` },
      'a',
    );
    logger.info(
      { request: { headers: { authorization: `SharedAccessSignature sig=${secret}` } } },
      'b',
    );
    logger.info(
      { item: { enrollment: { attestation: { symmetricKey: { primaryKey: secret } } } } },
      'c',
    );
    logger.info({ attestation: { symmetricKey: { primaryKey: secret } } }, 'd');

    const text = lines.join('');
    expect(text).not.toContain(secret);
    expect(text.split(REDACTED).length - 1).toBe(4);
  });
});
