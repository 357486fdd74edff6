/**
 * Writes `results.csv` in manifest order while rows finish out of order.
 *
 * The job announces each record's line as it reads it (`expect`), and outcomes arrive whenever the
 * service answers. Only the prefix of announced lines that all have outcomes is written, so the
 * buffer holds at most the rows still in flight (bounded by concurrency × 10 plus one batch), never
 * the manifest.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';

import type { RowOutcome } from '../outcomes/index.js';
import { csvLine } from './csv-text.js';

export const RESULTS_HEADER = [
  'line',
  'registrationId',
  'status',
  'action',
  'attempts',
  'httpStatus',
  'errorCode',
  'message',
];

export class ResultsWriter {
  readonly #stream: WriteStream;
  readonly #expectedLines: number[] = [];
  readonly #finished = new Map<number, RowOutcome>();
  #nextExpected = 0;
  #written = 0;

  constructor(path: string) {
    this.#stream = createWriteStream(path, { encoding: 'utf8' });
    this.#stream.write(csvLine(RESULTS_HEADER));
  }

  /** Rows written so far. */
  get written(): number {
    return this.#written;
  }

  /** Rows announced but not yet written (for tests and the memory bound). */
  get buffered(): number {
    return this.#expectedLines.length - this.#nextExpected;
  }

  /** Announces the next manifest record, in reading order. */
  expect(line: number): void {
    this.#expectedLines.push(line);
  }

  /** Records a row's one outcome; writes every row that is now next in order. */
  record(outcome: RowOutcome): void {
    if (this.#finished.has(outcome.line)) {
      throw new Error(`internal: line ${outcome.line} received a second outcome`);
    }

    this.#finished.set(outcome.line, outcome);
    this.#writeReadyPrefix();
  }

  /** Lines announced that have no outcome yet (the job marks them `pending` before closing). */
  undecidedLines(): number[] {
    return this.#expectedLines
      .slice(this.#nextExpected)
      .filter((line) => !this.#finished.has(line));
  }

  /** Waits until the file system has taken the buffered text, to bound memory on huge runs. */
  async waitForDrain(): Promise<void> {
    if (this.#stream.writableNeedDrain) await once(this.#stream, 'drain');
  }

  async close(): Promise<void> {
    const undecided = this.undecidedLines();
    if (undecided.length > 0) {
      throw new Error(`internal: closing results with ${undecided.length} undecided rows`);
    }

    this.#stream.end();
    await once(this.#stream, 'finish');
  }

  #writeReadyPrefix(): void {
    while (this.#nextExpected < this.#expectedLines.length) {
      const line = this.#expectedLines[this.#nextExpected]!;
      const outcome = this.#finished.get(line);
      if (!outcome) break;

      this.#stream.write(csvLine(toCells(outcome)));
      this.#finished.delete(line);
      this.#nextExpected += 1;
      this.#written += 1;
    }

    // Drop the written prefix now and then so the array does not grow with the manifest.
    if (this.#nextExpected > 4096) {
      this.#expectedLines.splice(0, this.#nextExpected);
      this.#nextExpected = 0;
    }
  }
}

function toCells(outcome: RowOutcome): (string | number | undefined)[] {
  return [
    outcome.line,
    outcome.registrationId,
    outcome.status,
    outcome.action,
    outcome.attempts,
    outcome.httpStatus,
    outcome.errorCode,
    outcome.message,
  ];
}
