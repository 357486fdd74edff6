/**
 * `dps-bulk validate`: read and check every row offline, send nothing, and write the same report as
 * a run. Valid rows get status `valid` and action `none`.
 */
import type { ManifestError, OpenedManifest } from '../manifest/index.js';
import { createRowChecker } from '../rows/index.js';
import type { ReportSession } from '../report/report-session.js';
import { openReportSession } from './open-report-session.js';
import type { RunSummary } from '../report/run-summary.js';
import { estimateRecordCount } from './count-lines.js';
import { EXIT_CODES } from './exit-codes.js';
import { invalidOutcome, validOutcome } from './offline-outcomes.js';
import type { ManifestConfig, ReportConfig } from './run-config.js';
import { openManifestOrFail } from './open-manifest-or-fail.js';
import { readRecords } from './read-records.js';

export interface ValidateConfig {
  manifest: ManifestConfig;
  report: ReportConfig;
  optionsForReport: Record<string, unknown>;
}

export interface JobResult {
  exitCode: number;
  reportDirectory: string;
  summary: RunSummary;
}

export async function validateJob(
  config: ValidateConfig,
  stderr: NodeJS.WritableStream,
): Promise<JobResult> {
  const manifest = await openManifestOrFail(config.manifest);
  const session = openReportSession(config.report);

  logManifestOpened(session, manifest, stderr);
  const warningsAtStart = manifest.warnings.length;
  if (config.report.progress) session.progress.start(await estimateRecordCount(manifest.path));

  const checker = createRowChecker({
    manifestPath: manifest.path,
    mode: 'upsert',
    strict: config.manifest.strict,
  });

  const reading = await readRecords(manifest.records, async (record) => {
    const row = checker.check(record);
    session.expect(row.line);
    session.record(row.kind === 'valid' ? validOutcome(row) : invalidOutcome(row));
    await session.waitForDrain();
  });

  if (reading.error) reportUnreadableRest(session, reading.error, stderr);
  logManifestWarnings(session, manifest, stderr, warningsAtStart);

  const allValid = session.counts.invalid === 0;
  const exitCode = reading.error
    ? EXIT_CODES.configuration
    : allValid
      ? EXIT_CODES.ok
      : EXIT_CODES.rowsNotAllSucceeded;
  const summary = await session.finish(
    {
      command: 'validate',
      service: { requests: 0, retries: 0, throttled: 0 },
      manifest: { path: manifest.path, sha256: manifest.sha256() },
      options: config.optionsForReport,
      target: 'none',
      ...(reading.error ? { stopReason: 'manifest', stopDetail: reading.error.message } : {}),
      exitCode,
    },
    stderr,
  );

  return { exitCode: summary.exitCode, reportDirectory: session.directory, summary };
}

/**
 * The rest of the file cannot be read: the record where reading stopped is reported `invalid`
 * with the reader's rule, and stderr and the log say that nothing after it was read.
 */
export function reportUnreadableRest(
  session: ReportSession,
  error: ManifestError,
  stderr: NodeJS.WritableStream,
): void {
  if (error.line !== undefined) {
    session.expect(error.line);
    session.record({
      line: error.line,
      registrationId: '',
      status: 'invalid',
      action: 'none',
      attempts: 0,
      errorCode: error.code,
      message: `${error.message}; nothing after this line was read`,
    });
  }

  session.logger.error({ manifestError: error.message }, 'manifest unreadable from here on');
  stderr.write(
    `dps-bulk: ${error.message}; rows before it were processed, the rest was not read\n`,
  );
}

/** File-level warnings (unknown columns, dialect notes) go to the log and, once, to stderr. */
export function logManifestOpened(
  session: ReportSession,
  manifest: OpenedManifest,
  stderr: NodeJS.WritableStream,
): void {
  session.logger.info({ manifest: manifest.path, dialect: manifest.dialect }, 'manifest opened');
  logManifestWarnings(session, manifest, stderr, 0);
}

/**
 * Prints the file-level warnings from `from` on. A `.jsonl` manifest meets unknown keys while it
 * is read, so the job calls this again after reading, for the ones found on the way.
 */
export function logManifestWarnings(
  session: ReportSession,
  manifest: OpenedManifest,
  stderr: NodeJS.WritableStream,
  from: number,
): number {
  for (const warning of manifest.warnings.slice(from)) {
    session.logger.warn({ manifest: manifest.path }, warning);
    stderr.write(`warning: ${warning}\n`);
  }

  return manifest.warnings.length;
}
