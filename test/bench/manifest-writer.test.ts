import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { buildEndorsementKey } from '../../src/bench/endorsement-key.js';
import { buildRows, GENERATED_COLUMNS, writeManifest } from '../../src/bench/manifest-writer.js';

describe('buildEndorsementKey', () => {
  it('builds a 316-byte RSA TPM2B_PUBLIC whose size prefix matches the rest', () => {
    const modulus = Buffer.alloc(256, 0x11);

    const structure = Buffer.from(buildEndorsementKey(modulus), 'base64');

    expect(structure.length).toBe(316);
    expect(structure.readUInt16BE(0)).toBe(314);
    expect(structure.readUInt16BE(2)).toBe(0x0001);
    expect(structure.readUInt16BE(4)).toBe(0x000b);
    expect(structure.readUInt16BE(58)).toBe(256);
    expect(structure[60]).toBe(0x91);
  });

  it('starts with the bytes every Microsoft sample endorsement key starts with', () => {
    const key = buildEndorsementKey(Buffer.alloc(256));

    expect(key.startsWith('AToAAQALAAMAsgAg')).toBe(true);
    expect(key).toHaveLength(424);
  });

  it('refuses a modulus of the wrong size, naming what it got', () => {
    expect(() => buildEndorsementKey(Buffer.alloc(255))).toThrow(
      'endorsement key: modulus must be 256 bytes, got 255',
    );
  });
});

describe('buildRows', () => {
  it('writes one CSV line per row with unique IDs, fresh keys and JSON tags', () => {
    const text = `${GENERATED_COLUMNS.join(',')}\n${buildRows(1, 20, 'unit', 10)}`;

    const records = parse(text, { columns: true }) as Record<string, string>[];

    expect(records).toHaveLength(20);
    expect(records[0]?.['registrationId']).toBe('unit-0000001');
    expect(records[0]?.['deviceId']).toBe('sensor-0000001');
    expect(new Set(records.map((record) => record['registrationId'])).size).toBe(20);
    expect(new Set(records.map((record) => record['primaryKey'])).size).toBe(19);
    expect(JSON.parse(records[6]?.['tags'] ?? '')).toEqual({
      site: 'plant-0',
      line: 7,
      lot: 'L0000',
    });
  });

  it('makes every tenth row a TPM row with an endorsement key and no symmetric keys', () => {
    const records = parse(`${GENERATED_COLUMNS.join(',')}\n${buildRows(1, 20, 'unit', 10)}`, {
      columns: true,
    }) as Record<string, string>[];

    const tpmRows = records.filter((record) => record['attestation'] === 'tpm');

    expect(tpmRows.map((record) => record['registrationId'])).toEqual([
      'unit-0000010',
      'unit-0000020',
    ]);
    expect(tpmRows[0]?.['primaryKey']).toBe('');
    expect(tpmRows[0]?.['endorsementKey']).toHaveLength(424);
  });

  it('gives symmetric-key rows two keys that decode to 32 bytes each', () => {
    const records = parse(`${GENERATED_COLUMNS.join(',')}\n${buildRows(1, 3, 'unit', 0)}`, {
      columns: true,
    }) as Record<string, string>[];

    for (const record of records) {
      expect(record['attestation']).toBe('symmetricKey');
      expect(Buffer.from(record['primaryKey'] ?? '', 'base64')).toHaveLength(32);
      expect(Buffer.from(record['secondaryKey'] ?? '', 'base64')).toHaveLength(32);
      expect(record['primaryKey']).not.toBe(record['secondaryKey']);
    }
  });
});

describe('writeManifest', () => {
  let directory: string;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'bench-manifest-test-'));
  });

  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('writes the header and every row across chunk boundaries, and its file size', async () => {
    const path = join(directory, 'manifest.csv');

    const written = await writeManifest({ path, rows: 4_321, idPrefix: 'file' });

    const text = await readFile(path, 'utf8');
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(4_322);
    expect(lines[0]).toBe(GENERATED_COLUMNS.join(','));
    expect(lines[4_321]?.startsWith('file-0004321,sensor-0004321,')).toBe(true);
    expect(written).toEqual({ path, rows: 4_321, bytes: (await stat(path)).size });
  });
});
