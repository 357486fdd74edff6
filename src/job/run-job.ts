/**
 * `dps-bulk run`: the one-way path of every row, from the manifest to the report.
 *
 * read a record → check it offline → skip it if the state store shows it unchanged → pack it into a
 * bulk call → send (dispatch owns concurrency, pacing and retries) → record its one outcome in
 * results.csv, the summary and the state journal. A stop (signal, outage, lost authentication)
 * ends sending; every row not yet decided is then reported `pending`.
 */

import { Batcher, type Batch, type SendItem } from '../batching/index.js';
import { createDpsClient } from '../dps/client/index.js';
import { createDispatcher, type Dispatcher } from '../dispatch/index.js';
import type { ManifestError, ManifestRecord } from '../manifest/index.js';
import type { RowOutcome } from '../outcomes/index.js';
import { createRowChecker } from '../rows/index.js';
import type { CheckedRow, ValidRow } from '../rows/checked-row.js';
import type { ReportSession } from '../report/report-session.js';
import { openReportSession } from './open-report-session.js';
import { createRunId } from '../report/run-id.js';
import { estimateRecordCount } from './count-lines.js';
import { EXIT_CODES, JobError } from './exit-codes.js';
import { invalidOutcome, pendingOutcome, warningsText } from './offline-outcomes.js';
import { openManifestOrFail } from './open-manifest-or-fail.js';
import type { RunConfig } from './run-config.js';
import { RunState } from './run-state.js';
import { listenForStopSignals, type StopSignals } from './stop-signals.js';
import {
  logManifestOpened,
  logManifestWarnings,
  reportUnreadableRest,
  type JobResult,
} from './validate-job.js';
import { readRecords } from './read-records.js';
import { bulkModeFor } from './bulk-mode.js';

/** What the job remembers of a row between sending it and hearing back; never the enrollment. */
interface RowInFlight {
  registrationId: string;
  stateFingerprint: string;
  warnings: string;
}

export async function runJob(config: RunConfig, stderr: NodeJS.WritableStream): Promise<JobResult> {
  const manifest = await openManifestOrFail(config.manifest);
  const runId = createRunId();
  const state = RunState.open(config, runId);

  try {
    const session = openReportSession(config.report, runId);
    state.begin(session.directory, manifest.path);
    announceTarget(config, session, stderr);
    logManifestOpened(session, manifest, stderr);
    const warningsAtStart = manifest.warnings.length;

    if (config.report.progress) session.progress.start(await estimateRecordCount(manifest.path));

    const run = new RowPump(config, session, state);
    await run.pump(manifest.records);
    logManifestWarnings(session, manifest, stderr, warningsAtStart);

    const exitCode = run.exitCode();
    run.explainStop(stderr);
    const summary = await session.finish(
      {
        command: 'run',
        mode: config.dispatch.mode,
        service: run.serviceFigures(),
        manifest: { path: manifest.path, sha256: manifest.sha256() },
        options: config.optionsForReport,
        target: config.target.kind === 'emulator' ? 'emulator' : config.target.hostName,
        ...run.stopForSummary(),
        exitCode,
      },
      stderr,
    );

    state.finish(summary);
    return { exitCode, reportDirectory: session.directory, summary };
  } finally {
    state.close();
  }
}

function announceTarget(
  config: RunConfig,
  session: ReportSession,
  stderr: NodeJS.WritableStream,
): void {
  const { target } = config;
  const text =
    target.kind === 'emulator'
      ? `target: local DPS emulator at ${target.endpoint} (not Azure)`
      : `target: ${target.hostName} via ${target.endpoint}`;

  session.logger.info(
    { target: target.kind, endpoint: target.endpoint, runId: session.runId },
    text,
  );
  stderr.write(`dps-bulk run ${session.runId}: ${text}, mode ${config.dispatch.mode}\n`);
}

/** Moves rows from the manifest to the dispatcher, and their outcomes to the report. */
class RowPump {
  readonly #config: RunConfig;
  readonly #session: ReportSession;
  readonly #state: RunState;
  readonly #dispatcher: Dispatcher;
  readonly #batcher: Batcher;
  readonly #inFlight = new Map<number, RowInFlight>();
  readonly #signals: StopSignals;
  readonly #closeClient: () => Promise<void>;
  #manifestError: ManifestError | undefined;

  constructor(config: RunConfig, session: ReportSession, state: RunState) {
    this.#config = config;
    this.#session = session;
    this.#state = state;
    this.#batcher = new Batcher(bulkModeFor(config.dispatch.mode));

    const client = createDpsClient(config.target, {
      requestTimeoutMs: config.dispatch.requestTimeoutMs,
      connections: config.dispatch.concurrency,
    });
    this.#closeClient = () => client.close();
    this.#dispatcher = createDispatcher({
      client,
      config: config.dispatch,
      logger: session.logger,
      onOutcome: (outcome, detail) => this.#onOutcome(outcome, detail.etag),
    });
    this.#signals = listenForStopSignals((signal) => {
      session.logger.warn({ signal }, 'stop requested: finishing calls in flight');
      void this.#dispatcher.stop('interrupt', config.drainTimeoutMs);
    });
  }

  get stopReason(): string | undefined {
    if (this.#signals.received) return 'interrupt';
    return this.#dispatcher.stopReason;
  }

  /** Why the run ended early, for summary.json: a stable token and, when known, the detail. */
  stopForSummary(): { stopReason?: string; stopDetail?: string } {
    if (this.#manifestError)
      return { stopReason: 'manifest', stopDetail: this.#manifestError.message };
    if (!this.stopReason) return {};

    const detail = this.#dispatcher.stopDetail;
    return detail
      ? { stopReason: this.stopReason, stopDetail: detail }
      : { stopReason: this.stopReason };
  }

  /** Says on stderr what to do when the stop was a configuration problem with a known fix. */
  explainStop(stderr: NodeJS.WritableStream): void {
    if (this.stopReason === 'auth') {
      stderr.write(
        `dps-bulk: the service refused the credential (${this.#dispatcher.stopDetail ?? 'HTTP 401'}). ` +
          'Check the key in DPS_CONNECTION_STRING and that its policy has EnrollmentRead and ' +
          'EnrollmentWrite.\n',
      );
      return;
    }

    if (this.stopReason !== 'tls') return;

    stderr.write(
      `dps-bulk: the TLS connection to ${this.#config.target.endpoint} failed ` +
        `(${this.#dispatcher.stopDetail ?? 'handshake failed'}). If the server uses a private or ` +
        'self-signed certificate, trust it with --ca-cert FILE; if it speaks plain HTTP, use ' +
        '--endpoint http://…\n',
    );
  }

  async pump(records: AsyncIterable<ManifestRecord>): Promise<void> {
    const checker = createRowChecker({
      manifestPath: this.#config.manifest.path,
      mode: this.#config.dispatch.mode,
      strict: this.#config.manifest.strict,
    });

    try {
      const reading = await readRecords(records, (record) => this.#take(checker.check(record)));
      if (reading.error) {
        this.#manifestError = reading.error;
        reportUnreadableRest(this.#session, reading.error, process.stderr);
      }

      const last = this.#batcher.flush();
      if (last) await this.#send(last);

      await this.#dispatcher.drain();
    } finally {
      this.#signals.dispose();
      this.#state.flushJournal();
      await this.#closeClient();
    }

    this.#markUndecidedPending();
  }

  exitCode(): number {
    const reason = this.stopReason;
    if (reason === 'auth' || reason === 'tls' || this.#manifestError) {
      return EXIT_CODES.configuration;
    }
    if (reason === 'outage') return EXIT_CODES.serviceUnavailable;
    if (this.#signals.received === 'SIGINT') return EXIT_CODES.interruptedBySigint;
    if (this.#signals.received === 'SIGTERM') return EXIT_CODES.interruptedBySigterm;

    const counts = this.#session.counts;
    const unfinished = counts.invalid + counts.failed + counts.pending;
    return unfinished > 0 ? EXIT_CODES.rowsNotAllSucceeded : EXIT_CODES.ok;
  }

  serviceFigures(): { requests: number; retries: number; throttled: number } {
    const { requests, retries, throttled } = this.#dispatcher.stats();
    return { requests, retries, throttled };
  }

  async #take(row: CheckedRow): Promise<void> {
    this.#session.expect(row.line);

    if (row.kind === 'invalid') {
      this.#session.record(invalidOutcome(row));
      return;
    }

    if (this.stopReason) {
      this.#session.record(pendingOutcome(row, this.#pendingReason()));
      return;
    }

    const skipped = this.#state.skipOutcome(row);
    if (skipped) {
      this.#session.record(skipped);
      return;
    }

    const batch = this.#batcher.add(this.#toSendItem(row));
    if (batch) await this.#send(batch);

    await this.#session.waitForDrain();
  }

  #toSendItem(row: ValidRow): SendItem {
    this.#inFlight.set(row.line, {
      registrationId: row.registrationId,
      stateFingerprint: this.#state.fingerprintFor(row),
      warnings: warningsText(row),
    });

    return {
      line: row.line,
      registrationId: row.registrationId,
      enrollment: row.enrollment,
      fingerprint: row.fingerprint,
      ...(this.#state.wasInFlight(row.registrationId) ? { maybeApplied: true } : {}),
    };
  }

  async #send(batch: Batch): Promise<void> {
    if (!this.stopReason) await this.#dispatcher.waitForCapacity();

    // The stop may have come while we waited for room: then nothing more goes out.
    if (this.stopReason) {
      for (const item of batch.items) this.#onOutcome(pendingOutcome(item, this.#pendingReason()));
      return;
    }

    this.#state.markInFlight(batch.items);
    this.#dispatcher.submit(batch);
  }

  #onOutcome(outcome: RowOutcome, etag?: string): void {
    const entry = this.#inFlight.get(outcome.line);
    this.#inFlight.delete(outcome.line);

    const withWarnings =
      entry?.warnings && outcome.status !== 'pending'
        ? { ...outcome, message: [outcome.message, entry.warnings].filter(Boolean).join('; ') }
        : outcome;

    this.#session.record(withWarnings);
    this.#state.journal(withWarnings, entry?.stateFingerprint, etag);
  }

  /** A safety net: a row the dispatcher never answered for still ends with exactly one status. */
  #markUndecidedPending(): void {
    for (const [line, entry] of this.#inFlight) {
      this.#session.logger.error({ line }, 'internal: row had no outcome; reported pending');
      this.#onOutcome({
        line,
        registrationId: entry.registrationId,
        status: 'pending',
        action: 'none',
        attempts: 0,
        message: 'no outcome was recorded for this row; rerun to finish it',
      });
    }
  }

  #pendingReason(): string {
    switch (this.stopReason) {
      case 'auth':
        return 'not sent: the run stopped after authentication failed';
      case 'tls':
        return 'not sent: the run stopped because the TLS connection failed';
      case 'outage':
        return 'not sent: the run stopped while the service was failing; rerun to finish';
      default:
        return 'not sent: the run was interrupted; rerun to finish';
    }
  }
}
