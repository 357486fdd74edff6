/**
 * Manifests for the fault-injection suite: rows that differ from each other in every field the
 * invariants check (deviceId, tags, provisioningStatus, symmetric keys), so a record stored for
 * the wrong row, or stored twice with other content, cannot pass unnoticed.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { testKey } from './temp-files.js';

/** What one manifest row asks the service to hold. */
export interface DesiredEnrollment {
  /** Physical line of the row; the header is line 1. */
  line: number;
  registrationId: string;
  deviceId?: string;
  provisioningStatus?: 'enabled' | 'disabled';
  tags: Record<string, unknown>;
  primaryKey: string;
  secondaryKey: string;
}

/** A manifest written to disk, with the rows it holds in manifest order. */
export interface FaultManifest {
  path: string;
  rows: DesiredEnrollment[];
}

const HEADER =
  'registrationId,deviceId,attestation,primaryKey,secondaryKey,provisioningStatus,tags';

/** The desired enrollment of row `index` (1-based); keys are fresh random test keys. */
export function desiredRow(index: number, prefix: string): DesiredEnrollment {
  const row: DesiredEnrollment = {
    line: index + 1,
    registrationId: `${prefix}-${String(index).padStart(5, '0')}`,
    tags: { site: `plant-${index % 3}`, row: index },
    primaryKey: testKey(),
    secondaryKey: testKey(),
  };

  // Every other row names its device; every fifth is disabled, the next one enabled explicitly.
  if (index % 2 === 1) row.deviceId = `device-${prefix}-${index}`;
  if (index % 5 === 0) row.provisioningStatus = 'disabled';
  if (index % 5 === 1) row.provisioningStatus = 'enabled';

  return row;
}

/** The CSV line of one row (tags as a quoted JSON cell). */
export function manifestLine(row: DesiredEnrollment): string {
  const tags = JSON.stringify(row.tags).replaceAll('"', '""');
  const cells = [
    row.registrationId,
    row.deviceId ?? '',
    'symmetricKey',
    row.primaryKey,
    row.secondaryKey,
    row.provisioningStatus ?? '',
    `"${tags}"`,
  ];

  return cells.join(',');
}

/** Writes `rows` as a manifest named `name` in `directory`. */
export function writeFaultManifest(
  directory: string,
  rows: DesiredEnrollment[],
  name = 'manifest.csv',
): FaultManifest {
  const path = join(directory, name);
  writeFileSync(path, `${[HEADER, ...rows.map(manifestLine)].join('\n')}\n`, 'utf8');

  return { path, rows };
}

/** A manifest of `count` varied rows with IDs `<prefix>-00001…`. */
export function createFaultManifest(
  directory: string,
  count: number,
  prefix = 'fault',
  name = 'manifest.csv',
): FaultManifest {
  const rows = Array.from({ length: count }, (_, offset) => desiredRow(offset + 1, prefix));

  return writeFaultManifest(directory, rows, name);
}
