/** Test helpers: read a whole (small) manifest, and check every row of it. */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { openManifest } from '../../../src/manifest/index.js';
import type {
  ManifestRecord,
  OpenedManifest,
  OpenManifestOptions,
} from '../../../src/manifest/index.js';
import { createRowChecker } from '../../../src/rows/index.js';
import type { CheckedRow, RowCheckerOptions } from '../../../src/rows/index.js';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/manifests/', import.meta.url));

/** Absolute path of a fixture manifest. */
export function fixture(name: string): string {
  return join(FIXTURES, name);
}

export interface ReadManifest {
  opened: OpenedManifest;
  records: ManifestRecord[];
}

export async function readAll(options: OpenManifestOptions): Promise<ReadManifest> {
  const opened = await openManifest(options);
  const records: ManifestRecord[] = [];

  for await (const record of opened.records) records.push(record);

  return { opened, records };
}

export interface CheckedManifest extends ReadManifest {
  rows: CheckedRow[];
}

/** Reads and checks every row; the checker defaults to upsert, not strict. */
export async function checkAll(
  options: OpenManifestOptions,
  checker: Partial<RowCheckerOptions> = {},
): Promise<CheckedManifest> {
  const { opened, records } = await readAll(options);
  const rowChecker = createRowChecker({
    manifestPath: opened.path,
    mode: 'upsert',
    strict: false,
    ...checker,
  });

  return { opened, records, rows: records.map((record) => rowChecker.check(record)) };
}

/** The messages of a row's issues (invalid rows) and warnings, issues first. */
export function messagesOf(row: CheckedRow): string[] {
  const issues = row.kind === 'invalid' ? row.issues : [];
  return [...issues, ...row.warnings].map((issue) => issue.message);
}

/** The first issue's rule of an invalid row, or 'valid'. */
export function outcomeOf(row: CheckedRow): string {
  return row.kind === 'invalid' ? (row.issues[0]?.rule ?? 'invalid') : 'valid';
}
