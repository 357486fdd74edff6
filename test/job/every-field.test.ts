import { createHash, X509Certificate } from 'node:crypto';
import { fileURLToPath } from 'node:url';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { IndividualEnrollment } from '../../src/dps/contract/index.js';
import { createDpsClient } from '../../src/dps/client/index.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { runJob } from '../../src/job/run-job.js';
import { openManifest } from '../../src/manifest/index.js';
import { createRowChecker, type ValidRow } from '../../src/rows/index.js';
import { runConfigFor, TextSink } from '../support/job-config.js';
import { makeTempDir, readResults } from '../support/temp-files.js';

const ALL_FIELDS = fileURLToPath(new URL('../fixtures/manifests/all-fields.csv', import.meta.url));

/** Every field a client may set on an individual enrollment (contract 2.3, 2021-10-01). */
const WRITABLE_FIELDS = [
  'deviceId',
  'optionalDeviceInformation',
  'attestation',
  'capabilities',
  'iotHubHostName',
  'initialTwin',
  'provisioningStatus',
  'reprovisionPolicy',
  'allocationPolicy',
  'iotHubs',
  'customAllocationDefinition',
];

async function expectedEnrollments(): Promise<ValidRow[]> {
  const manifest = await openManifest({ path: ALL_FIELDS });
  const checker = createRowChecker({ manifestPath: ALL_FIELDS, mode: 'upsert', strict: false });
  const rows: ValidRow[] = [];

  for await (const record of manifest.records) {
    const row = checker.check(record);
    if (row.kind !== 'valid') throw new Error(`fixture line ${row.line} is invalid`);
    rows.push(row);
  }

  return rows;
}

function thumbprint(certificate: string): string {
  const der = certificate.includes('BEGIN CERTIFICATE')
    ? new X509Certificate(certificate).raw
    : Buffer.from(certificate, 'base64');
  return createHash('sha256').update(der).digest('hex').toUpperCase();
}

describe('every enrollment field set from a row reaches the stored record', () => {
  let emulator: RunningEmulator;

  beforeEach(async () => {
    emulator = await startEmulator({ port: 0 });
  });

  afterEach(async () => {
    await emulator.close();
  });

  it('stores each field of all-fields.csv as the row asked, attestation material included', async () => {
    const directory = makeTempDir();
    const rows = await expectedEnrollments();
    const config = runConfigFor(emulator, ALL_FIELDS, directory);

    const result = await runJob(config, new TextSink());
    expect(readResults(result.reportDirectory).map((row) => row.status)).toEqual(
      rows.map(() => 'succeeded'),
    );

    const setFields = new Set(rows.flatMap((row) => Object.keys(row.enrollment)));
    expect([...WRITABLE_FIELDS].filter((field) => !setFields.has(field))).toEqual([]);

    const client = createDpsClient(config.target, { requestTimeoutMs: 5_000, connections: 1 });
    try {
      for (const row of rows) {
        const stored = await client.get(row.registrationId);
        expect(stored).toMatchObject({ kind: 'reply', status: 200 });
        const record = (stored as { body: IndividualEnrollment }).body;
        const asked = row.enrollment;

        // Only what the row set: the service fills defaults (provisioningStatus "enabled") for the rest.
        const setByRow = WRITABLE_FIELDS.filter((name) => name !== 'attestation' && name in asked);
        for (const field of setByRow) {
          expect({ field, value: record[field as keyof IndividualEnrollment] }).toEqual({
            field,
            value: asked[field as keyof IndividualEnrollment],
          });
        }

        expect(record.attestation.type).toBe(asked.attestation.type);
        await expectSameAttestation(client, asked, record);
      }
    } finally {
      await client.close();
    }
  });
});

async function expectSameAttestation(
  client: ReturnType<typeof createDpsClient>,
  asked: IndividualEnrollment,
  record: IndividualEnrollment,
): Promise<void> {
  const { attestation } = asked;

  if (attestation.type === 'tpm') {
    expect(record.attestation.tpm).toEqual(attestation.tpm);
  }

  if (attestation.type === 'symmetricKey' && attestation.symmetricKey?.primaryKey) {
    const mechanism = await client.attestationMechanism(asked.registrationId);
    expect(mechanism).toMatchObject({
      kind: 'reply',
      status: 200,
      body: { type: 'symmetricKey', symmetricKey: attestation.symmetricKey },
    });
  }

  if (attestation.type === 'x509') {
    const certificates = attestation.x509?.clientCertificates;
    const storedCertificates = record.attestation.x509?.clientCertificates;
    for (const slot of ['primary', 'secondary'] as const) {
      const certificate = certificates?.[slot]?.certificate;
      if (!certificate) continue;
      expect(storedCertificates?.[slot]?.info?.sha256Thumbprint).toBe(thumbprint(certificate));
      expect(storedCertificates?.[slot]?.certificate).toBeUndefined();
    }
  }
}
