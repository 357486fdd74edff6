/**
 * One run's report folder, `<report-dir>/<run-id>/`: results.csv written as rows finish,
 * summary.json at the end, run.log throughout, and the progress bar. `run` and `validate` share it.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

import type { Logger } from 'pino';

import type { RowOutcome } from '../outcomes/index.js';
import type { ReportConfig } from '../job/run-config.js';
import { createRunLogger, type RunLogger } from '../logging/run-logger.js';
import { createProgressView, type ProgressView } from './progress.js';
import { ResultsWriter } from './results-writer.js';
import {
  SummaryBuilder,
  writeSummary,
  type RunSummary,
  type SummaryFields,
} from './run-summary.js';
import { formatHumanSummary } from './human-summary.js';
import { createRunId } from './run-id.js';

export type SessionSummaryFields = Omit<SummaryFields, 'runId' | 'finishedAt'>;

export class ReportSession {
  readonly runId: string;
  readonly directory: string;
  readonly logger: Logger;
  readonly progress: ProgressView;
  readonly #runLogger: RunLogger;
  readonly #results: ResultsWriter;
  readonly #summary: SummaryBuilder;

  constructor(config: ReportConfig, runId: string = createRunId(), startedAt: Date = new Date()) {
    this.runId = runId;
    this.directory = resolve(config.directory, this.runId);
    mkdirSync(this.directory, { recursive: true });

    this.#runLogger = createRunLogger(join(this.directory, 'run.log'), config.logLevel);
    this.logger = this.#runLogger.logger;
    this.#results = new ResultsWriter(join(this.directory, 'results.csv'));
    this.#summary = new SummaryBuilder(startedAt);
    this.progress = createProgressView(config.progress);
  }

  get counts(): SummaryBuilder['counts'] {
    return this.#summary.counts;
  }

  /** Announces a record in manifest order, before its outcome is known. */
  expect(line: number): void {
    this.#results.expect(line);
  }

  record(outcome: RowOutcome): void {
    this.#results.record(outcome);
    this.#summary.add(outcome);
    this.progress.update(outcome);
  }

  /** Lets the results file catch up when the disk is slower than the rows. */
  async waitForDrain(): Promise<void> {
    await this.#results.waitForDrain();
  }

  undecidedLines(): number[] {
    return this.#results.undecidedLines();
  }

  /** Writes results.csv and summary.json, flushes the log, prints the human summary. */
  async finish(fields: SessionSummaryFields, stderr: NodeJS.WritableStream): Promise<RunSummary> {
    this.progress.stop();
    await this.#results.close();

    const summary = this.#summary.build({ ...fields, runId: this.runId, finishedAt: new Date() });
    await writeSummary(join(this.directory, 'summary.json'), summary);

    this.logger.info(
      { counts: summary.counts, requests: summary.requests, exitCode: summary.exitCode },
      'run finished',
    );
    this.#runLogger.flush();
    stderr.write(formatHumanSummary(summary, this.directory));
    return summary;
  }
}
