/**
 * Gathers the figures of `summary.json` as outcomes arrive. Scripts and alerting read its keys, so
 * they are stable: counts, requests, retries, throttled, startedAt, finishedAt, durationSeconds,
 * rowsPerSecond, manifest, options, target, exitCode, errorKinds.
 */
import { writeFile } from 'node:fs/promises';

import { ROW_STATUSES, type RowOutcome, type RowStatus } from '../outcomes/index.js';

/** How many sample lines each error kind keeps, so 50,000 copies of one mistake stay one entry. */
const SAMPLE_LINES_PER_KIND = 5;

/** How many error kinds the summary lists, most frequent first. */
const TOP_ERROR_KINDS = 20;

export interface ErrorKind {
  /** A rule name (`registration-id-charset`) for invalid rows, a service code for failed ones. */
  code: string;
  status: RowStatus;
  count: number;
  firstLines: number[];
  /** The message of the first row of this kind. */
  example: string;
}

export interface ServiceFigures {
  requests: number;
  retries: number;
  throttled: number;
}

export interface RunSummary {
  runId: string;
  command: 'run' | 'validate';
  mode?: string;
  counts: Record<RowStatus, number>;
  rows: number;
  requests: number;
  retries: number;
  throttled: number;
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  rowsPerSecond: number;
  manifest: { path: string; sha256: string };
  options: Record<string, unknown>;
  target: string;
  /** Why the run ended early, a stable token: auth, tls, outage, interrupt or manifest. */
  stopReason?: string;
  /** What the service or the file said, for people: an HTTP status and message, a TLS code. */
  stopDetail?: string;
  exitCode: number;
  errorKinds: ErrorKind[];
}

/** What the job tells the builder at the end; the counts and timings the builder keeps itself. */
export type SummaryFields = Pick<
  RunSummary,
  | 'runId'
  | 'command'
  | 'mode'
  | 'manifest'
  | 'options'
  | 'target'
  | 'stopReason'
  | 'stopDetail'
  | 'exitCode'
> & { finishedAt: Date; service: ServiceFigures };

export class SummaryBuilder {
  readonly #counts = Object.fromEntries(ROW_STATUSES.map((status) => [status, 0])) as Record<
    RowStatus,
    number
  >;
  readonly #errorKinds = new Map<string, ErrorKind>();
  readonly #startedAt: Date;

  constructor(startedAt: Date) {
    this.#startedAt = startedAt;
  }

  get counts(): Readonly<Record<RowStatus, number>> {
    return this.#counts;
  }

  get rows(): number {
    return Object.values(this.#counts).reduce((sum, count) => sum + count, 0);
  }

  add(outcome: RowOutcome): void {
    this.#counts[outcome.status] += 1;

    if (outcome.status === 'invalid' || outcome.status === 'failed') {
      this.#countErrorKind(outcome);
    }
  }

  build(fields: SummaryFields): RunSummary {
    const durationSeconds = (fields.finishedAt.getTime() - this.#startedAt.getTime()) / 1000;
    const rows = this.rows;

    return {
      runId: fields.runId,
      command: fields.command,
      ...(fields.mode ? { mode: fields.mode } : {}),
      counts: { ...this.#counts },
      rows,
      requests: fields.service.requests,
      retries: fields.service.retries,
      throttled: fields.service.throttled,
      startedAt: this.#startedAt.toISOString(),
      finishedAt: fields.finishedAt.toISOString(),
      durationSeconds: round(durationSeconds, 3),
      rowsPerSecond: durationSeconds > 0 ? round(rows / durationSeconds, 1) : rows,
      manifest: fields.manifest,
      options: fields.options,
      target: fields.target,
      ...(fields.stopReason ? { stopReason: fields.stopReason } : {}),
      ...(fields.stopDetail ? { stopDetail: fields.stopDetail } : {}),
      exitCode: fields.exitCode,
      errorKinds: [...this.#errorKinds.values()]
        .sort((left, right) => right.count - left.count)
        .slice(0, TOP_ERROR_KINDS),
    };
  }

  #countErrorKind(outcome: RowOutcome): void {
    const code = String(outcome.errorCode ?? outcome.httpStatus ?? 'unknown');
    const key = `${outcome.status}:${code}`;
    const kind = this.#errorKinds.get(key);

    if (!kind) {
      this.#errorKinds.set(key, {
        code,
        status: outcome.status,
        count: 1,
        firstLines: [outcome.line],
        example: outcome.message,
      });
      return;
    }

    kind.count += 1;
    if (kind.firstLines.length < SAMPLE_LINES_PER_KIND) kind.firstLines.push(outcome.line);
  }
}

export async function writeSummary(path: string, summary: RunSummary): Promise<void> {
  await writeFile(path, `${JSON.stringify(summary, null, 2)}\n`, 'utf8');
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
