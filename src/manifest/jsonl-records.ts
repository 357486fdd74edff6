/**
 * `.jsonl` manifests: one JSON object per line, in our column names or the enrollment's wire
 * shape. A line that is not a JSON object is an invalid row, not the end of the file.
 */
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';

import { MANIFEST_COLUMNS } from './columns.js';
import type { ManifestColumn } from './columns.js';
import type { ColumnMapping } from './column-mapping.js';
import type { ManifestByteDecoder } from './byte-decoder.js';
import { MAX_RECORD_BYTES, readFailure } from './csv-records.js';
import { flattenJsonlObject } from './jsonl-fields.js';
import { ManifestError } from './manifest-error.js';
import type { ManifestLayout, ManifestRecord } from './manifest-record.js';

/** Distinct unknown keys reported; past this a manifest of random keys stops adding warnings. */
const MAX_UNKNOWN_KEY_WARNINGS = 100;

const NEWLINE = 0x0a;

/** The one layout of every `.jsonl` record: cells in catalogue order. */
export function jsonlLayout(fileName: string, directory: string, encoding: string): ManifestLayout {
  const cellIndex = Object.fromEntries(
    MANIFEST_COLUMNS.map((column, index) => [column, index]),
  ) as Record<ManifestColumn, number>;

  return {
    format: 'jsonl',
    fileName,
    directory,
    encoding,
    cellIndex,
    cellNames: MANIFEST_COLUMNS,
    twinColumns: [],
    fieldCount: 0,
    delimiter: undefined,
  };
}

export interface JsonlSource {
  path: string;
  layout: ManifestLayout;
  mapping: ColumnMapping | undefined;
  /** The manifest's warning list; keys first seen on a line are added as they are met. */
  warnings: string[];
  /** Called once every record has been read. */
  onComplete: () => void;
}

/** Streams the records of a `.jsonl` manifest, one per non-blank line. */
export async function* readJsonlRecords(
  source: JsonlSource,
  decoder: ManifestByteDecoder,
): AsyncGenerator<ManifestRecord> {
  const reader = new JsonlLineReader(source, decoder);

  pipeline(createReadStream(source.path), decoder, () => undefined);

  try {
    for await (const chunk of decoder as AsyncIterable<Buffer>) {
      yield* reader.take(chunk);
    }

    yield* reader.finish();
    source.onComplete();
  } catch (error) {
    throw readFailure(error, source.layout.fileName);
  }
}

/** Cuts decoded bytes into lines, keeping byte offsets to match invalid bytes to lines. */
class JsonlLineReader {
  private readonly source: JsonlSource;
  private readonly decoder: ManifestByteDecoder;
  private readonly warnedKeys = new Set<string>();
  private pending: Buffer = Buffer.alloc(0);
  private pendingOffset = 0;
  private line = 1;

  constructor(source: JsonlSource, decoder: ManifestByteDecoder) {
    this.source = source;
    this.decoder = decoder;
  }

  *take(chunk: Buffer): Generator<ManifestRecord> {
    const data = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    let start = 0;

    for (let end = data.indexOf(NEWLINE); end !== -1; end = data.indexOf(NEWLINE, start)) {
      const record = this.recordOf(data.subarray(start, end), this.pendingOffset + end + 1);
      if (record !== undefined) yield record;
      start = end + 1;
    }

    this.pending = Buffer.from(data.subarray(start));
    this.pendingOffset += start;

    if (this.pending.length > MAX_RECORD_BYTES) {
      throw new ManifestError(
        'record-too-large',
        `${this.source.layout.fileName}:${this.line} row: record-too-large: the line is over ` +
          `${MAX_RECORD_BYTES / 1024 / 1024} MB`,
        { line: this.line },
      );
    }
  }

  *finish(): Generator<ManifestRecord> {
    const end = this.pendingOffset + this.pending.length;
    const record = this.recordOf(this.pending, end + 1);
    if (record !== undefined) yield record;
  }

  private recordOf(bytes: Buffer, endOffset: number): ManifestRecord | undefined {
    const line = this.line;
    const hasInvalidBytes = this.decoder.invalidOffsets.takeBelow(endOffset);
    const text = bytes.toString('utf8').trim();
    this.line += 1;

    if (text.length === 0) return undefined;

    return this.parseLine(text, line, hasInvalidBytes);
  }

  private parseLine(text: string, line: number, hasInvalidBytes: boolean): ManifestRecord {
    const layout = this.source.layout;
    const empty = MANIFEST_COLUMNS.map(() => '');
    let parsed: unknown;

    try {
      parsed = JSON.parse(text);
    } catch (error) {
      // The engine's message quotes the text, which can hold a key: keep only the position.
      const position = /position (\d+)/.exec((error as Error).message)?.[1];
      const where = position === undefined ? '' : ` (near character ${Number(position) + 1})`;
      const problem = {
        column: 'row',
        rule: 'jsonl-syntax',
        found: `the line is not valid JSON${where}`,
      };
      return { line, layout, cells: empty, hasInvalidBytes, problems: [problem] };
    }

    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      const kind = Array.isArray(parsed)
        ? 'an array'
        : parsed === null
          ? 'null'
          : `a ${typeof parsed}`;
      const problem = {
        column: 'row',
        rule: 'jsonl-syntax',
        found: `expected a JSON object, found ${kind}`,
      };
      return { line, layout, cells: empty, hasInvalidBytes, problems: [problem] };
    }

    const fields = flattenJsonlObject(parsed as Record<string, unknown>, this.source.mapping);
    this.warnUnknownKeys(fields.unknownKeys, line);

    return {
      line,
      layout,
      cells: fields.cells,
      quoted: fields.quoted,
      twinValues: fields.twinValues,
      hasInvalidBytes,
    };
  }

  private warnUnknownKeys(keys: readonly string[], line: number): void {
    for (const key of keys) {
      if (this.warnedKeys.has(key) || this.warnedKeys.size >= MAX_UNKNOWN_KEY_WARNINGS) continue;

      this.warnedKeys.add(key);
      this.source.warnings.push(
        `${this.source.layout.fileName}:${line} ${key}: unknown-column: ` +
          'not a manifest field; ignored',
      );
    }
  }
}
