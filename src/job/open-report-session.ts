import type { ReportConfig } from './run-config.js';
import { ReportSession } from '../report/report-session.js';
import { createRunId } from '../report/run-id.js';
import { EXIT_CODES, JobError } from './exit-codes.js';

/** Creates the run's report folder; a folder that cannot be made ends the command (exit 2). */
export function openReportSession(
  config: ReportConfig,
  runId: string = createRunId(),
): ReportSession {
  try {
    return new ReportSession(config, runId);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === undefined) throw error;

    throw new JobError(
      `--report-dir ${config.directory}: cannot create the report folder (${code}); ` +
        'give a folder you can write to',
      EXIT_CODES.configuration,
    );
  }
}
