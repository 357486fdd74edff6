/**
 * CSV records through csv-parse, streaming: each record leaves with the physical line it starts
 * on, whether it held invalid bytes, and, when a rule will ask, which cells were quoted. Blank
 * records (empty lines, lines of only delimiters or spaces) are dropped here and never reach rows.
 *
 * Speed matters here (issue 6): csv-parse's `raw` and `cast` options would each cost a fifth or
 * more of the parse, so lines come from `info.lines` and quoting from the record's bytes, which
 * the decoder still holds while the record is parsed, and only for records that need it.
 */
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import type { TransformCallback } from 'node:stream';

import { Parser } from 'csv-parse';

import { ManifestByteDecoder } from './byte-decoder.js';
import type { EncodingGuess } from './dialect.js';
import { ManifestError } from './manifest-error.js';
import { findQuotedCells } from './manifest-record.js';
import type { ManifestLayout, ManifestRecord } from './manifest-record.js';

/** A record larger than this is taken for a quote left open, and reading stops. */
export const MAX_RECORD_BYTES = 1024 * 1024;

/** Chunk size of file reads. */
const READ_CHUNK_BYTES = 64 * 1024;

/**
 * What the parser hands on: the records of one input chunk (one stream item per chunk, not per
 * record, keeps the per-record cost of async iteration to the consumer's own loop), or the
 * fatal error that ended parsing.
 */
type ParserOutput = ManifestRecord[] | { failure: ManifestError };

/** csv-parse, with records numbered by physical line and parse errors kept in order. */
class ManifestCsvParser extends Parser {
  private readonly layout: ManifestLayout;
  private readonly decoder: ManifestByteDecoder;
  private readonly findQuoting: boolean;
  private batch: ManifestRecord[] = [];
  private recordStartByte = 0;
  private previousEndLine = 0;
  /** Lines csv-parse counted beyond the true count so far (see `endLineOf`). */
  private overcountedLines = 0;
  private isHeader = true;
  private failed = false;

  constructor(layout: ManifestLayout, decoder: ManifestByteDecoder) {
    super({
      delimiter: layout.delimiter ?? ',',
      relax_quotes: true,
      relax_column_count: true,
      skip_empty_lines: false,
      max_record_size: MAX_RECORD_BYTES,
    });
    this.layout = layout;
    this.decoder = decoder;
    this.findQuoting = layout.twinColumns.length > 0;
  }

  /** csv-parse pushes each record here, synchronously, while `info` still describes it. */
  override push(chunk: unknown): boolean {
    if (chunk === null) {
      this.pushBatch();
      return super.push(null);
    }

    const cells = chunk as string[];
    const line = this.previousEndLine + 1;
    const startByte = this.recordStartByte;
    const endByte = this.info.bytes;
    this.recordStartByte = endByte;
    this.previousEndLine = this.endLineOf(cells, line);

    const hasInvalidBytes = this.decoder.invalidOffsets.takeBelow(endByte);
    const quoted =
      this.findQuoting || hasUnusualEdges(cells) ? this.quotedCells(startByte, endByte) : undefined;
    this.decoder.release(endByte);

    // The header was read and checked when the manifest was opened.
    if (this.isHeader) {
      this.isHeader = false;
      return true;
    }

    if (isBlank(cells)) return true;

    const record: ManifestRecord = { line, layout: this.layout, cells, hasInvalidBytes };
    if (quoted !== undefined) record.quoted = quoted;
    this.batch.push(record);
    return true;
  }

  /**
   * The true last line of the record that started on `line`. csv-parse's `info.lines` counts
   * every CR and every LF, so a CRLF is two lines unless it was the record delimiter. A record
   * that csv-parse saw on one line needs nothing more; one that spans lines is counted from its
   * cells, and the difference is carried to the records after it.
   */
  private endLineOf(cells: readonly string[], line: number): number {
    if (this.info.lines - this.overcountedLines <= line) return line;

    const end = line + lineBreaksInside(cells);
    this.overcountedLines = this.info.lines - end;
    return end;
  }

  private quotedCells(startByte: number, endByte: number): boolean[] {
    return findQuotedCells(
      this.decoder.textBetween(startByte, endByte),
      this.layout.delimiter ?? ',',
    );
  }

  private pushBatch(): void {
    if (this.batch.length === 0) return;

    super.push(this.batch satisfies ParserOutput);
    this.batch = [];
  }

  override _transform(chunk: Buffer, encoding: BufferEncoding, callback: TransformCallback): void {
    // After a failure csv-parse ignores input without calling back; we drain it ourselves.
    if (this.failed) {
      callback();
      return;
    }

    super._transform(chunk, encoding, (error) => this.afterParse(error, callback));
  }

  override _flush(callback: TransformCallback): void {
    if (this.failed) {
      callback();
      return;
    }

    super._flush((error) => this.afterParse(error, callback));
  }

  /** A parse error becomes an item after the records before it, so none of them is lost. */
  private afterParse(error: Error | null | undefined, callback: TransformCallback): void {
    this.pushBatch();

    if (error) {
      const failure = parseFailure(error, this.layout.fileName, this.previousEndLine + 1);
      super.push({ failure } satisfies ParserOutput);
      this.failed = true;
    }

    callback();
  }
}

/**
 * Line breaks inside the cells of one record: LF, CRLF and a lone CR once each. A CR that ends
 * the last cell is the first half of a CRLF whose LF was the record delimiter: not counted here.
 */
export function lineBreaksInside(cells: readonly string[]): number {
  let count = 0;

  cells.forEach((cell, index) => {
    const end = index === cells.length - 1 && cell.endsWith('\r') ? cell.length - 1 : cell.length;

    for (let position = 0; position < end; position += 1) {
      const code = cell.charCodeAt(position);
      if (code === 0x0a || (code === 0x0d && cell.charCodeAt(position + 1) !== 0x0a)) count += 1;
    }
  });

  return count;
}

/** A cell starting or ending in other than visible ASCII may need trimming: quoting matters. */
function hasUnusualEdges(cells: readonly string[]): boolean {
  for (const cell of cells) {
    if (cell.length === 0) continue;

    const first = cell.charCodeAt(0);
    const last = cell.charCodeAt(cell.length - 1);

    if (first <= 0x20 || first >= 0x7f || last <= 0x20 || last >= 0x7f) return true;
  }

  return false;
}

function isBlank(cells: readonly string[]): boolean {
  for (const cell of cells) {
    if (cell.length !== 0 && cell.trim().length !== 0) return false;
  }

  return true;
}

function parseFailure(error: Error, fileName: string, line: number): ManifestError {
  const code = (error as { code?: string }).code;

  if (code === 'CSV_QUOTE_NOT_CLOSED') {
    return new ManifestError(
      'quote-not-closed',
      `${fileName}:${line} row: quote-not-closed: a quote opened in the record starting on ` +
        `line ${line} is never closed, so the rest of the file would be one cell`,
      { line },
    );
  }

  if (code === 'CSV_MAX_RECORD_SIZE') {
    return new ManifestError(
      'record-too-large',
      `${fileName}:${line} row: record-too-large: the record starting on line ${line} is over ` +
        `${MAX_RECORD_BYTES / 1024 / 1024} MB; is a quote left open?`,
      { line },
    );
  }

  // csv-parse's own message may quote cell text, which can be a secret: keep only its code.
  return new ManifestError(
    'manifest-unreadable',
    `${fileName}:${line} row: manifest-unreadable: the CSV parser stopped (${code ?? error.name})`,
    { line, cause: error },
  );
}

export interface CsvSource {
  path: string;
  encoding: EncodingGuess;
  layout: ManifestLayout;
  /** Called once every record has been read. */
  onComplete: () => void;
}

/** Streams the records of a CSV manifest; the decoder keeps the file's sha256. */
export function readCsvRecords(
  source: CsvSource,
  decoder: ManifestByteDecoder,
): AsyncIterableIterator<ManifestRecord> {
  const file = createReadStream(source.path, { highWaterMark: READ_CHUNK_BYTES });
  const parser = new ManifestCsvParser(source.layout, decoder);

  // Errors reach the iterator through the parser, which pipeline destroys with them.
  pipeline(file, decoder, parser, () => undefined);

  return new BatchedRecords(parser[Symbol.asyncIterator]() as AsyncIterator<ParserOutput>, source);
}

/**
 * Hands out the records of each batch one by one. A plain iterator rather than an async
 * generator: `next()` answers from the current batch without the generator's machinery, which
 * on a million rows is a measurable share of reading.
 */
class BatchedRecords implements AsyncIterableIterator<ManifestRecord> {
  private readonly batches: AsyncIterator<ParserOutput>;
  private readonly source: CsvSource;
  private batch: readonly ManifestRecord[] = [];
  private position = 0;

  constructor(batches: AsyncIterator<ParserOutput>, source: CsvSource) {
    this.batches = batches;
    this.source = source;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ManifestRecord> {
    return this;
  }

  async next(): Promise<IteratorResult<ManifestRecord>> {
    const record = this.batch[this.position];

    if (record !== undefined) {
      this.position += 1;
      return { value: record, done: false };
    }

    return this.nextBatch();
  }

  async return(): Promise<IteratorResult<ManifestRecord>> {
    await this.batches.return?.();
    return { value: undefined, done: true };
  }

  private async nextBatch(): Promise<IteratorResult<ManifestRecord>> {
    let output: IteratorResult<ParserOutput>;

    try {
      output = await this.batches.next();
    } catch (error) {
      throw readFailure(error, this.source.layout.fileName);
    }

    if (output.done === true) {
      this.source.onComplete();
      return { value: undefined, done: true };
    }

    if ('failure' in output.value) throw output.value.failure;

    this.batch = output.value;
    this.position = 0;
    return this.next();
  }
}

/** File-system errors in the middle of reading become ManifestErrors too. */
export function readFailure(error: unknown, fileName: string): unknown {
  if (error instanceof ManifestError) return error;

  const code = (error as NodeJS.ErrnoException).code;
  return new ManifestError(
    'manifest-unreadable',
    `${fileName}: manifest-unreadable: reading stopped (${code ?? (error as Error).message})`,
    { cause: error },
  );
}
