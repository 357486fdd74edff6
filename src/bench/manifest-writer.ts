/**
 * Writes the bench's own manifests: realistic CSV rows (symmetric keys, a share of TPM rows,
 * tags as quoted JSON, linked hubs), each with fresh random key material, streamed to disk in
 * chunks so that a million rows never sit in memory.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { once } from 'node:events';

import { buildEndorsementKey, ENDORSEMENT_KEY_RANDOM_BYTES } from './endorsement-key.js';

/** Header of every generated manifest, in the column spelling of the README. */
export const GENERATED_COLUMNS = [
  'registrationId',
  'deviceId',
  'attestation',
  'primaryKey',
  'secondaryKey',
  'endorsementKey',
  'iotHubs',
  'provisioningStatus',
  'tags',
] as const;

/** Every Nth row attests with TPM instead of symmetric keys. @default 10 */
export const DEFAULT_TPM_EVERY_ROWS = 10;

const SYMMETRIC_KEY_BYTES = 32;
const ROWS_PER_CHUNK = 2_000;
const WRITE_BUFFER_BYTES = 1024 * 1024;
const LINKED_HUBS = 'factory-hub-1.azure-devices.net;factory-hub-2.azure-devices.net';
const SITE_COUNT = 7;
const LINE_COUNT = 40;

export interface ManifestSpec {
  path: string;
  rows: number;
  /** Prefix of every registration ID; IDs are `<prefix>-<row number, 7 digits>`. */
  idPrefix: string;
  /** Every Nth row is a TPM row; 0 means none. @default DEFAULT_TPM_EVERY_ROWS */
  tpmEveryRows?: number;
}

export interface WrittenManifest {
  path: string;
  rows: number;
  bytes: number;
}

/** Writes `spec.rows` data rows plus the header to `spec.path`, replacing any file there. */
export async function writeManifest(spec: ManifestSpec): Promise<WrittenManifest> {
  const tpmEveryRows = spec.tpmEveryRows ?? DEFAULT_TPM_EVERY_ROWS;
  const output = createWriteStream(spec.path, { highWaterMark: WRITE_BUFFER_BYTES });
  const closed = once(output, 'close');

  output.write(`${GENERATED_COLUMNS.join(',')}\n`);

  for (let first = 1; first <= spec.rows; first += ROWS_PER_CHUNK) {
    const last = Math.min(spec.rows, first + ROWS_PER_CHUNK - 1);
    const chunk = buildRows(first, last, spec.idPrefix, tpmEveryRows);

    // Respect backpressure so the file, not the heap, holds the manifest.
    if (!output.write(chunk)) {
      await once(output, 'drain');
    }
  }

  output.end();
  await closed;

  const { size } = await stat(spec.path);
  return { path: spec.path, rows: spec.rows, bytes: size };
}

/** Lines for rows `first..last` (1-based, inclusive), each ending in `\n`. */
export function buildRows(
  first: number,
  last: number,
  idPrefix: string,
  tpmEveryRows: number,
): string {
  const lines: string[] = [];
  const randomPool = new RandomPool(
    (last - first + 1) * (2 * SYMMETRIC_KEY_BYTES + ENDORSEMENT_KEY_RANDOM_BYTES),
  );

  for (let row = first; row <= last; row += 1) {
    const isTpm = tpmEveryRows > 0 && row % tpmEveryRows === 0;
    lines.push(isTpm ? tpmRow(row, idPrefix, randomPool) : symmetricRow(row, idPrefix, randomPool));
  }

  return lines.join('');
}

function symmetricRow(row: number, idPrefix: string, pool: RandomPool): string {
  const primaryKey = pool.take(SYMMETRIC_KEY_BYTES).toString('base64');
  const secondaryKey = pool.take(SYMMETRIC_KEY_BYTES).toString('base64');
  return rowLine(row, idPrefix, 'symmetricKey', primaryKey, secondaryKey, '');
}

function tpmRow(row: number, idPrefix: string, pool: RandomPool): string {
  const endorsementKey = buildEndorsementKey(pool.take(ENDORSEMENT_KEY_RANDOM_BYTES));
  return rowLine(row, idPrefix, 'tpm', '', '', endorsementKey);
}

function rowLine(
  row: number,
  idPrefix: string,
  attestation: string,
  primaryKey: string,
  secondaryKey: string,
  endorsementKey: string,
): string {
  const number = String(row).padStart(7, '0');
  const lot = String(Math.floor(row / 1000)).padStart(4, '0');

  // The tags cell is JSON inside a quoted CSV field, so its quotes are doubled.
  const tags =
    `"{""site"":""plant-${row % SITE_COUNT}"",""line"":${row % LINE_COUNT},` +
    `""lot"":""L${lot}""}"`;
  const cells = [
    `${idPrefix}-${number}`,
    `sensor-${number}`,
    attestation,
    primaryKey,
    secondaryKey,
    endorsementKey,
    LINKED_HUBS,
    'enabled',
    tags,
  ];
  return `${cells.join(',')}\n`;
}

/** One `randomBytes` call per chunk of rows instead of one per key. */
class RandomPool {
  private readonly bytes: Buffer;
  private offset = 0;

  constructor(size: number) {
    this.bytes = randomBytes(size);
  }

  take(count: number): Buffer {
    const slice = this.bytes.subarray(this.offset, this.offset + count);
    this.offset += count;
    return slice;
  }
}
