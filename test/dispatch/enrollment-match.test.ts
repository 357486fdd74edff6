import { X509Certificate } from 'node:crypto';

import { beforeAll, describe, expect, it } from 'vitest';

import { findDifferences } from '../../src/dispatch/index.js';
import type { IndividualEnrollment } from '../../src/dps/contract/index.js';
import { makeSelfSignedCertificate } from '../support/test-certificates.js';
import { generateDeviceKey } from './support/harness.js';

let certificate = '';

beforeAll(() => {
  // A throwaway self-signed device certificate, made for this test run only.
  certificate = makeSelfSignedCertificate('sensor-a01', { usage: 'client' }).cert;
});

const keys = { primaryKey: generateDeviceKey(), secondaryKey: generateDeviceKey() };

const sent: IndividualEnrollment = {
  registrationId: 'sensor-a01',
  attestation: { type: 'symmetricKey', symmetricKey: keys },
  iotHubs: ['Hub-1.azure-devices.net', 'hub-2.azure-devices.net'],
  initialTwin: { tags: { site: 'plant-3' }, properties: { desired: { interval: 30 } } },
};

/** What a GET returns for `sent`: keys stripped, defaults and metadata filled in. */
const stored: IndividualEnrollment = {
  registrationId: 'sensor-a01',
  deviceId: 'sensor-a01',
  attestation: { type: 'symmetricKey' },
  iotHubs: ['hub-2.azure-devices.net', 'hub-1.azure-devices.net'],
  initialTwin: {
    tags: { site: 'plant-3', version: 1 },
    properties: { desired: { interval: 30, version: 1 } },
  },
  provisioningStatus: 'enabled',
  reprovisionPolicy: { updateHubAssignment: true, migrateDeviceData: true },
  capabilities: { iotEdge: false },
  etag: 'IjAwMDAi',
  createdDateTimeUtc: '2026-01-15T08:00:00.1256254Z',
};

describe('findDifferences', () => {
  it('finds none when the stored record says what was sent, defaults and metadata aside', () => {
    expect(findDifferences(sent, stored, keys)).toEqual([]);
  });

  it('names every field that differs', () => {
    const changed: IndividualEnrollment = {
      ...stored,
      deviceId: 'other',
      provisioningStatus: 'disabled',
      initialTwin: { tags: { site: 'plant-4' } },
    };

    expect(findDifferences(sent, changed, keys)).toEqual([
      'deviceId',
      'provisioningStatus',
      'initialTwin.tags',
      'initialTwin.properties.desired',
    ]);
  });

  it('compares symmetric keys only with the keys read from attestationmechanism', () => {
    const otherKeys = { primaryKey: generateDeviceKey(), secondaryKey: keys.secondaryKey };

    expect(findDifferences(sent, stored, otherKeys)).toEqual([
      'attestation.symmetricKey.primaryKey',
    ]);
    expect(findDifferences(sent, stored, undefined)).toEqual([
      'attestation.symmetricKey.primaryKey',
      'attestation.symmetricKey.secondaryKey',
    ]);
  });

  it('does not compare keys the row left to the service', () => {
    const withoutKeys = { ...sent, attestation: { type: 'symmetricKey' as const } };

    expect(findDifferences(withoutKeys, stored, undefined)).toEqual([]);
  });

  it('reports a different attestation type alone', () => {
    const tpm = { ...stored, attestation: { type: 'tpm' as const, tpm: { endorsementKey: 'AA' } } };

    expect(findDifferences(sent, tpm, keys)).toEqual(['attestation.type']);
  });

  it('matches an X.509 certificate by the thumbprint the service returns', () => {
    const parsed = new X509Certificate(certificate);
    const x509Sent: IndividualEnrollment = {
      registrationId: 'sensor-a01',
      attestation: { type: 'x509', x509: { clientCertificates: { primary: { certificate } } } },
    };
    const info = {
      subjectName: 'CN=sensor-a01',
      sha1Thumbprint: parsed.fingerprint.replace(/:/g, ''),
      sha256Thumbprint: parsed.fingerprint256.replace(/:/g, '').toLowerCase(),
      issuerName: 'CN=sensor-a01',
      notBeforeUtc: parsed.validFrom,
      notAfterUtc: parsed.validTo,
      serialNumber: parsed.serialNumber,
      version: 3,
    };
    const x509Stored: IndividualEnrollment = {
      registrationId: 'sensor-a01',
      attestation: { type: 'x509', x509: { clientCertificates: { primary: { info } } } },
    };
    const otherInfo = { ...info, sha1Thumbprint: 'AB', sha256Thumbprint: 'CD' };
    const otherStored: IndividualEnrollment = {
      registrationId: 'sensor-a01',
      attestation: { type: 'x509', x509: { clientCertificates: { primary: { info: otherInfo } } } },
    };

    expect(findDifferences(x509Sent, x509Stored)).toEqual([]);
    expect(findDifferences(x509Sent, otherStored)).toEqual([
      'attestation.x509.clientCertificates.primary',
    ]);
  });
});
