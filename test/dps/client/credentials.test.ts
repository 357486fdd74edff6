import { describe, expect, it } from 'vitest';

import {
  createCredentialSource,
  SAS_RENEW_BEFORE_EXPIRY_SECONDS,
  SAS_TOKEN_LIFETIME_SECONDS,
} from '../../../src/dps/client/index.js';
import { isSasSignatureValid, parseSasToken } from '../../../src/dps/contract/index.js';
import type { ServiceTarget } from '../../../src/job/run-config.js';
import { generatePolicyKey, sasTarget } from '../support/targets.js';

const START_MS = Date.UTC(2026, 0, 15, 8, 0, 0);

function expiryOf(header: string): number {
  return parseSasToken(header)?.expirySeconds ?? Number.NaN;
}

describe('createCredentialSource', () => {
  it('signs one-hour SAS tokens for the target host name', () => {
    const key = generatePolicyKey();
    const source = createCredentialSource(sasTarget('http://127.0.0.1:1', key), () => START_MS);

    const token = parseSasToken(source.authorization());

    expect(token?.resource).toBe('test-dps.example.invalid');
    expect(token?.expirySeconds).toBe(START_MS / 1_000 + SAS_TOKEN_LIFETIME_SECONDS);
    expect(token && isSasSignatureValid(token, key)).toBe(true);
    expect(source.generation).toBe(1);
  });

  it('reuses a token until less than five minutes remain, then signs a new one', () => {
    let now = START_MS;
    const target = sasTarget('http://127.0.0.1:1', generatePolicyKey());
    const source = createCredentialSource(target, () => now);
    const first = source.authorization();

    // Exactly five minutes left: still good.
    now = START_MS + (SAS_TOKEN_LIFETIME_SECONDS - SAS_RENEW_BEFORE_EXPIRY_SECONDS) * 1_000;
    expect(source.authorization()).toBe(first);
    expect(source.generation).toBe(1);

    now += 1_000;
    const second = source.authorization();
    expect(second).not.toBe(first);
    expect(expiryOf(second)).toBe(now / 1_000 + SAS_TOKEN_LIFETIME_SECONDS);
    expect(source.generation).toBe(2);
  });

  it('signs a new token at once when forced to renew', () => {
    let now = START_MS;
    const target = sasTarget('http://127.0.0.1:1', generatePolicyKey());
    const source = createCredentialSource(target, () => now);
    source.authorization();
    now += 60_000;

    expect(source.renew()).toBe(true);
    expect(source.generation).toBe(2);
    expect(expiryOf(source.authorization())).toBe(now / 1_000 + SAS_TOKEN_LIFETIME_SECONDS);
  });

  it('signs a different token when forced to renew within the same second', () => {
    const target = sasTarget('http://127.0.0.1:1', generatePolicyKey());
    const source = createCredentialSource(target, () => START_MS);
    const first = source.authorization();

    source.renew();
    const second = source.authorization();

    expect(second).not.toBe(first);
    expect(expiryOf(second)).toBe(expiryOf(first) + 1);
  });

  it('sends a bearer token as given and reports that it cannot renew it', () => {
    const target: ServiceTarget = {
      kind: 'service',
      endpoint: 'https://127.0.0.1:1',
      hostName: 'test-dps.example.invalid',
      credential: { kind: 'bearer', token: 'test-bearer-token' },
    };
    const source = createCredentialSource(target, () => START_MS);

    expect(source.authorization()).toBe('Bearer test-bearer-token');
    expect(source.renew()).toBe(false);
  });

  it('keeps the policy key out of JSON and inspection', () => {
    const key = generatePolicyKey();
    const source = createCredentialSource(sasTarget('http://127.0.0.1:1', key), () => START_MS);

    expect(JSON.stringify(source)).not.toContain(key);
    expect(String(Object.values(source))).not.toContain(key);
  });
});
