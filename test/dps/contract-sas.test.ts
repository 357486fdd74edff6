import { createHmac, randomBytes } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import {
  ConnectionStringError,
  createSasToken,
  isSasSignatureValid,
  parseConnectionString,
  parseSasToken,
} from '../../src/dps/contract/index.js';

const key = randomBytes(32).toString('base64');

describe('connection string', () => {
  it('reads the three parts in any order and any case', () => {
    expect(
      parseConnectionString(
        `sharedaccesskey=${key};HOSTNAME=my-dps.azure-devices-provisioning.net;SharedAccessKeyName=provisioningserviceowner`,
      ),
    ).toEqual({
      hostName: 'my-dps.azure-devices-provisioning.net',
      sharedAccessKeyName: 'provisioningserviceowner',
      sharedAccessKey: key,
    });
  });

  it('names the missing parts and never echoes the key', () => {
    const attempt = () => parseConnectionString(`SharedAccessKey=${key}`);
    expect(attempt).toThrow(ConnectionStringError);
    expect(attempt).toThrow('connection string: missing HostName, SharedAccessKeyName');
    try {
      attempt();
    } catch (error) {
      expect(String(error)).not.toContain(key);
    }
  });
});

describe('SAS token', () => {
  it('signs encodeURIComponent(resource) + "\\n" + expiry with the decoded key, fields sr, sig, se, skn', () => {
    const token = createSasToken({
      resource: 'my-dps.azure-devices-provisioning.net',
      policyName: 'provisioningserviceowner',
      base64Key: key,
      expirySeconds: 1_800_000_000,
    });
    const expected = createHmac('sha256', Buffer.from(key, 'base64'))
      .update('my-dps.azure-devices-provisioning.net\n1800000000')
      .digest('base64');

    expect(token).toBe(
      `SharedAccessSignature sr=my-dps.azure-devices-provisioning.net&sig=${encodeURIComponent(expected)}&se=1800000000&skn=provisioningserviceowner`,
    );
  });

  it('parses fields in any order and checks the signature, also for a lower-cased resource', () => {
    const token = createSasToken({
      resource: 'My-DPS.example',
      policyName: 'p',
      base64Key: key,
      expirySeconds: 42,
    });
    const reordered = `SharedAccessSignature ${token.slice('SharedAccessSignature '.length).split('&').reverse().join('&')}`;
    const parsed = parseSasToken(reordered);

    expect(parsed).toMatchObject({
      resource: 'My-DPS.example',
      expirySeconds: 42,
      policyName: 'p',
    });
    expect(isSasSignatureValid(parsed!, key)).toBe(true);
    expect(isSasSignatureValid({ ...parsed!, resource: 'my-dps.example' }, key)).toBe(false);
    expect(isSasSignatureValid(parsed!, randomBytes(32).toString('base64'))).toBe(false);
  });

  it('rejects headers that are not SAS tokens or lack a field', () => {
    expect(parseSasToken('Bearer abc')).toBeNull();
    expect(parseSasToken('SharedAccessSignature sr=a&sig=b&skn=c')).toBeNull();
    expect(parseSasToken('SharedAccessSignature sr=a&sig=b&se=soon&skn=c')).toBeNull();
  });
});
