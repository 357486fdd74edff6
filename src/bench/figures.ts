/** Turns measured children into the figures of the results file, and checks they ran cleanly. */
import type { ProcessFigures, RunFigures } from './bench-results.js';
import type { DpsBulkRun } from './dps-bulk-process.js';
import type { MeasuredRun } from './measured-process.js';

/** Figures of one process that handled `rows` rows. */
export function processFigures(measured: MeasuredRun, rows: number): ProcessFigures {
  const wallSeconds = measured.wallMs / 1000;
  const figures: ProcessFigures = {
    rows,
    wallSeconds,
    rowsPerSecond: wallSeconds > 0 ? rows / wallSeconds : 0,
    exitCode: measured.exitCode,
  };

  if (measured.usage !== undefined) {
    figures.peakRssBytes = measured.usage.maxRssBytes;
    figures.cpuShare = (measured.usage.userCpuMs + measured.usage.systemCpuMs) / measured.wallMs;
  }

  return figures;
}

/**
 * Figures of a `dps-bulk run`: its rate counts the rows done (succeeded, or unchanged on a
 * rerun). Throws, naming the scenario and quoting the child's last words, when it wrote no
 * summary.
 */
export function runFigures(scenario: string, result: DpsBulkRun): RunFigures {
  const summary = requireSummary(scenario, result);
  const done = (summary.counts['succeeded'] ?? 0) + (summary.counts['unchanged'] ?? 0);

  return {
    ...processFigures(result.process, done),
    runSeconds: summary.durationSeconds,
    requests: summary.requests,
    retries: summary.retries,
    throttled: summary.throttled,
    counts: summary.counts,
    ...(summary.stopReason !== undefined ? { stopReason: summary.stopReason } : {}),
  };
}

function requireSummary(scenario: string, result: DpsBulkRun): NonNullable<DpsBulkRun['summary']> {
  if (result.summary !== undefined) {
    return result.summary;
  }

  throw new Error(
    `${scenario}: dps-bulk exited ${describeExit(result.process)} without a summary.json; ` +
      `stderr: ${lastLines(result.process.stderr)}`,
  );
}

/** "with code 2" or "on SIGKILL". */
export function describeExit(measured: MeasuredRun): string {
  return measured.signal !== null ? `on ${measured.signal}` : `with code ${measured.exitCode}`;
}

/** The last few lines of a child's output, for an error message. */
export function lastLines(text: string, count = 5): string {
  const lines = text.trimEnd().split('\n');
  return lines.slice(-count).join(' | ') || '(empty)';
}
