/** Writes small manifests to a temporary folder, so tests read real files through the reader. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll } from 'vitest';

import { checkAll } from '../../manifest/support/read-all.js';
import type { CheckedManifest } from '../../manifest/support/read-all.js';
import type { RowCheckerOptions } from '../../../src/rows/index.js';

const folder = mkdtempSync(join(tmpdir(), 'dps-bulk-rows-'));
let written = 0;

afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

/** Writes `content` as a manifest file and returns its path. */
export function writeManifest(
  content: string | Buffer,
  name = `manifest-${(written += 1)}.csv`,
): string {
  const path = join(folder, name);
  writeFileSync(path, content);
  return path;
}

/** Writes the CSV text and checks every row of it. */
export async function checkCsv(
  text: string,
  checker: Partial<RowCheckerOptions> = {},
): Promise<CheckedManifest> {
  return checkAll({ path: writeManifest(text) }, checker);
}

/** Lines joined with LF, with a final LF: a manifest's text. */
export function csvText(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

/** RFC 4180 cell quoting, for values with commas, quotes or line breaks. */
export function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One CSV line from cells. */
export function csvLine(cells: readonly string[]): string {
  return cells.map(csvCell).join(',');
}
