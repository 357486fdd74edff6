import { mkdtempSync, writeFileSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** A fresh folder under the system temp dir. */
export function makeTempDir(prefix = 'dps-bulk-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes a manifest from lines (the header first); returns its path. */
export function writeManifest(directory: string, lines: string[], name = 'manifest.csv'): string {
  const path = join(directory, name);
  writeFileSync(path, `${lines.join('\n')}\n`, 'utf8');
  return path;
}

/** A symmetric key made for tests: `bytes` random bytes, base64. */
export function testKey(bytes = 32): string {
  return randomBytes(bytes).toString('base64');
}

/** `count` valid symmetric-key rows with IDs `<prefix>-0001…`. */
export function symmetricKeyRows(count: number, prefix = 'dev'): string[] {
  const rows = ['registrationId,attestation,primaryKey,secondaryKey,tags'];
  for (let index = 1; index <= count; index += 1) {
    const id = `${prefix}-${String(index).padStart(4, '0')}`;
    rows.push(`${id},symmetricKey,${testKey()},${testKey()},"{""line"":${index + 1}}"`);
  }
  return rows;
}

export interface ResultRow {
  line: number;
  registrationId: string;
  status: string;
  action: string;
  attempts: number;
  httpStatus: string;
  errorCode: string;
  message: string;
}

/** Reads results.csv of the one report folder under `reportRoot` (or the named run). */
export function readResults(reportDirectory: string): ResultRow[] {
  const text = readFileSync(join(reportDirectory, 'results.csv'), 'utf8');
  return parseSimpleCsv(text)
    .slice(1)
    .map(([line, registrationId, status, action, attempts, httpStatus, errorCode, message]) => ({
      line: Number(line),
      registrationId: registrationId!,
      status: status!,
      action: action!,
      attempts: Number(attempts),
      httpStatus: httpStatus!,
      errorCode: errorCode!,
      message: message!,
    }));
}

export function readSummary(reportDirectory: string): Record<string, any> {
  return JSON.parse(readFileSync(join(reportDirectory, 'summary.json'), 'utf8'));
}

export function reportFolders(reportRoot: string): string[] {
  return readdirSync(reportRoot, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(reportRoot, entry.name))
    .sort();
}

/** Enough CSV for our own report: quoted cells with doubled quotes and embedded commas. */
function parseSimpleCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;

  for (let index = 0; index < text.length; index += 1) {
    const char = text[index]!;
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        cell += '"';
        index += 1;
      } else if (char === '"') {
        quoted = false;
      } else {
        cell += char;
      }
    } else if (char === '"') {
      quoted = true;
    } else if (char === ',') {
      row.push(cell);
      cell = '';
    } else if (char === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else {
      cell += char;
    }
  }

  return rows;
}
