/**
 * Opening a manifest: find its dialect and header before any row (every problem found there is
 * a ManifestError, exit code 2), then stream its records without ever holding the file.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';

import { parse } from 'csv-parse/sync';

import { ManifestByteDecoder } from './byte-decoder.js';
import { readColumnMapping } from './column-mapping.js';
import type { ColumnMapping } from './column-mapping.js';
import { readCsvRecords } from './csv-records.js';
import {
  decodeHead,
  detectDelimiter,
  detectEncoding,
  findHeaderLine,
  MAX_HEADER_BYTES,
  parseDelimiterOption,
  readManifestHead,
} from './dialect.js';
import type { EncodingGuess, ManifestHead } from './dialect.js';
import { buildCsvLayout } from './header-mapping.js';
import { jsonlLayout, readJsonlRecords } from './jsonl-records.js';
import { ManifestError } from './manifest-error.js';
import type { ManifestRecord } from './manifest-record.js';

export { ManifestError, isManifestError } from './manifest-error.js';
export type { ManifestErrorCode } from './manifest-error.js';
export { isCellQuoted } from './manifest-record.js';
export type {
  ManifestLayout,
  ManifestRecord,
  RecordProblem,
  TwinColumn,
  TwinValue,
} from './manifest-record.js';
export { MANIFEST_COLUMNS, SECRET_COLUMNS } from './columns.js';
export type { ManifestColumn, TwinSection } from './columns.js';

/** File extensions read as JSON Lines; everything else is CSV. */
const JSONL_EXTENSIONS: ReadonlySet<string> = new Set(['.jsonl', '.ndjson']);

/** Chunk size of the fallback hash of a manifest whose records were not all read. */
const HASH_CHUNK_BYTES = 1024 * 1024;

export interface OpenManifestOptions {
  path: string;
  /** Forced delimiter: one character or comma, semicolon, tab, pipe. Detected when absent. */
  delimiter?: string;
  /** A JSON file mapping the manifest's own headers to our column names. */
  columnsPath?: string;
}

export interface ManifestDialect {
  format: 'csv' | 'jsonl';
  delimiter?: string;
  encoding: string;
  bom: boolean;
  /** `LF`, `CRLF` or `CR`, from the header line; absent when the file is only a header. */
  lineEnding?: string;
}

export interface OpenedManifest {
  /** Absolute path. */
  path: string;
  dialect: ManifestDialect;
  /** Warnings about the file itself (unknown columns once each, etc.); messages name
   * file and column. For `.jsonl`, keys first met on a later line are added while reading. */
  warnings: string[];
  /** The records in file order; can be iterated once. */
  records: AsyncIterable<ManifestRecord>;
  /** sha256 hex of the file's bytes. Free once `records` is exhausted; before that (an
   * interrupted run) it reads the whole file again, synchronously. */
  sha256(): string;
}

/** Opens a manifest; throws ManifestError when it cannot be read or its header is unusable. */
export async function openManifest(options: OpenManifestOptions): Promise<OpenedManifest> {
  const path = resolve(options.path);
  const fileName = basename(path);
  const head = await readHead(path, fileName);
  const encoding = detectEncoding(head.bytes, fileName);
  const mapping = options.columnsPath ? await readColumnMapping(options.columnsPath) : undefined;

  if (JSONL_EXTENSIONS.has(extname(path).toLowerCase())) {
    return openJsonl(path, encoding, mapping);
  }

  return openCsv({ path, head, encoding, mapping, delimiter: options.delimiter });
}

async function readHead(path: string, fileName: string): Promise<ManifestHead> {
  try {
    return await readManifestHead(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ManifestError(
      'manifest-unreadable',
      `${fileName}: manifest-unreadable: cannot read ${path} (${code})`,
      { cause: error },
    );
  }
}

interface CsvOpening {
  path: string;
  head: ManifestHead;
  encoding: EncodingGuess;
  mapping: ColumnMapping | undefined;
  delimiter: string | undefined;
}

function openCsv(opening: CsvOpening): OpenedManifest {
  const { path, head, encoding } = opening;
  const fileName = basename(path);
  const text = decodeHead(head.bytes, encoding);

  if (text.length === 0 && head.isWholeFile) {
    throw new ManifestError(
      'manifest-empty',
      `${fileName}: manifest-empty: the file is empty; a header line is required`,
    );
  }

  const headerLine = findHeaderLine(text);

  checkHeaderLine(
    headerLine.text,
    headerLine.lineEnding !== undefined || head.isWholeFile,
    fileName,
  );

  const delimiter =
    opening.delimiter === undefined
      ? detectDelimiter(headerLine.text, fileName)
      : parseDelimiterOption(opening.delimiter, fileName);
  const headers = parseHeaderCells(headerLine.text, delimiter);
  const { layout, warnings } = buildCsvLayout({
    headers,
    fileName,
    directory: dirname(path),
    delimiter,
    encoding: encoding.encoding,
    mapping: opening.mapping,
  });
  const decoder = new ManifestByteDecoder(encoding.encoding, encoding.bomLength, true);
  const reading = readOnce((onComplete) =>
    readCsvRecords({ path, encoding, layout, onComplete }, decoder),
  );

  return {
    path,
    dialect: {
      format: 'csv',
      delimiter,
      encoding: encoding.encoding,
      bom: encoding.bomLength > 0,
      ...(headerLine.lineEnding === undefined ? {} : { lineEnding: headerLine.lineEnding }),
    },
    warnings,
    records: reading.records,
    sha256: () => (reading.isComplete() ? decoder.sha256() : hashWholeFile(path)),
  };
}

function checkHeaderLine(text: string, isComplete: boolean, fileName: string): void {
  if (!isComplete) {
    throw new ManifestError(
      'header-too-long',
      `${fileName}:1 header: header-too-long: no line break in the first ` +
        `${MAX_HEADER_BYTES / 1024 / 1024} MB; is this a CSV manifest?`,
      { line: 1 },
    );
  }

  if (text.trim().length === 0) {
    throw new ManifestError(
      'header-missing',
      `${fileName}:1 header: header-missing: line 1 is blank; the first line must be the header ` +
        '(registrationId and the other column names)',
      { line: 1 },
    );
  }

  if (text.includes('\uFFFD')) {
    throw new ManifestError(
      'encoding-unsupported',
      `${fileName}:1 header: encoding-unsupported: the header holds bytes that are not valid ` +
        'UTF-8 (a Windows-1252 export?); save the manifest as "CSV UTF-8"',
      { line: 1 },
    );
  }
}

function parseHeaderCells(text: string, delimiter: string): string[] {
  const records = parse(text, {
    delimiter,
    relax_quotes: true,
    relax_column_count: true,
  }) as string[][];

  return (records[0] ?? []).map((header) => header.trim());
}

function openJsonl(
  path: string,
  encoding: EncodingGuess,
  mapping: ColumnMapping | undefined,
): OpenedManifest {
  const layout = jsonlLayout(basename(path), dirname(path), encoding.encoding);
  const warnings: string[] = [];
  const decoder = new ManifestByteDecoder(encoding.encoding, encoding.bomLength, false);
  const reading = readOnce((onComplete) =>
    readJsonlRecords({ path, layout, mapping, warnings, onComplete }, decoder),
  );

  return {
    path,
    dialect: { format: 'jsonl', encoding: encoding.encoding, bom: encoding.bomLength > 0 },
    warnings,
    records: reading.records,
    sha256: () => (reading.isComplete() ? decoder.sha256() : hashWholeFile(path)),
  };
}

interface OnceReading {
  records: AsyncIterable<ManifestRecord>;
  isComplete(): boolean;
}

/**
 * Records may be iterated once: a second pass would need a second read of the file. The reader's
 * generator is handed out as it is (a wrapping generator would cost every record a promise);
 * it reports its own completion.
 */
function readOnce(
  start: (onComplete: () => void) => AsyncIterableIterator<ManifestRecord>,
): OnceReading {
  let started = false;
  let complete = false;

  const iterate = (): AsyncIterator<ManifestRecord> => {
    if (started) throw new Error('manifest records can be iterated only once');
    started = true;
    return start(() => {
      complete = true;
    });
  };

  return { records: { [Symbol.asyncIterator]: iterate }, isComplete: () => complete };
}

function hashWholeFile(path: string): string {
  const hash = createHash('sha256');
  const buffer = Buffer.alloc(HASH_CHUNK_BYTES);
  const descriptor = openSync(path, 'r');

  try {
    for (let read = readSync(descriptor, buffer); read > 0; read = readSync(descriptor, buffer)) {
      hash.update(buffer.subarray(0, read));
    }
  } finally {
    closeSync(descriptor);
  }

  return hash.digest('hex');
}
