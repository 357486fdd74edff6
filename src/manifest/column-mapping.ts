/**
 * `--columns mapping.json`: a manifest's own headers mapped to ours, for example
 * `{"Serial": "registrationId", "Notes": null}` (null: ignore the column without a warning).
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';

import { closestColumn, interpretHeader, normalizeHeader } from './columns.js';
import { ManifestError } from './manifest-error.js';

export interface ColumnMapping {
  /** The mapping file's base name, for messages. */
  fileName: string;
  /** Our column for a header; null to ignore it; undefined when the mapping does not name it. */
  targetOf(header: string): string | null | undefined;
  /** Mapping keys that match none of `headers`. */
  unusedHeaders(headers: readonly string[]): string[];
}

/** Reads and checks a mapping file; any problem is a ManifestError (the run cannot start). */
export async function readColumnMapping(path: string): Promise<ColumnMapping> {
  const fileName = basename(path);
  const entries = parseEntries(await readMappingText(path, fileName), fileName);
  const exact = new Map<string, string | null>();
  const normalized = new Map<string, string | null>();

  for (const [header, target] of entries) {
    exact.set(header.trim(), target);
    normalized.set(normalizeHeader(header), target);
  }

  const targetOf = (header: string): string | null | undefined =>
    exact.has(header.trim()) ? exact.get(header.trim()) : normalized.get(normalizeHeader(header));

  return {
    fileName,
    targetOf,
    unusedHeaders: (headers) => {
      const found = new Set(headers.map((header) => normalizeHeader(header)));
      return entries
        .map(([header]) => header)
        .filter((header) => !found.has(normalizeHeader(header)));
    },
  };
}

async function readMappingText(path: string, fileName: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new ManifestError(
      'column-mapping-invalid',
      `${fileName}: column-mapping-invalid: cannot read the --columns file (${code})`,
      { cause: error },
    );
  }
}

function parseEntries(text: string, fileName: string): [string, string | null][] {
  let parsed: unknown;

  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw mappingError(fileName, `not JSON (${(error as Error).message})`);
  }

  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw mappingError(fileName, 'expected a JSON object of "manifest header": "our column"');
  }

  return Object.entries(parsed).map(([header, target]) => [
    header,
    checkTarget(header, target, fileName),
  ]);
}

function checkTarget(header: string, target: unknown, fileName: string): string | null {
  if (target === null) return null;

  if (typeof target !== 'string') {
    throw mappingError(
      fileName,
      `"${header}" maps to ${JSON.stringify(target)}; expected a column name or null`,
    );
  }

  if (interpretHeader(target).kind === 'unknown') {
    const suggestion = closestColumn(target).column;
    throw mappingError(
      fileName,
      `"${header}" maps to "${target}", which is not a manifest column ` +
        `(did you mean ${suggestion}?)`,
    );
  }

  return target;
}

function mappingError(fileName: string, found: string): ManifestError {
  return new ManifestError(
    'column-mapping-invalid',
    `${fileName}: column-mapping-invalid: ${found}`,
  );
}
