/** The lines printed to stderr when a run ends: what happened, how long, where the report is. */
import type { RunSummary } from './run-summary.js';

export function formatHumanSummary(summary: RunSummary, reportDirectory: string): string {
  const counts = Object.entries(summary.counts)
    .filter(([, count]) => count > 0)
    .map(([status, count]) => `${count} ${status}`)
    .join(', ');

  const lines = [
    `dps-bulk ${summary.command}: ${count(summary.rows, 'row')}: ${counts || 'none'}`,
    `  target: ${summary.target === 'emulator' ? 'local DPS emulator (not Azure)' : summary.target}`,
    `  ${count(summary.requests, 'request')}, ${count(summary.retries, 'retry', 'retries')}, ` +
      `${summary.throttled} throttled; ` +
      `${summary.durationSeconds.toFixed(1)} s, ${summary.rowsPerSecond} rows/s`,
  ];

  if (summary.stopReason) lines.push(`  stopped early: ${describeStop(summary.stopReason)}`);
  if (summary.stopDetail) lines.push(`    ${summary.stopDetail}`);

  for (const kind of summary.errorKinds.slice(0, 5)) {
    lines.push(
      `  ${kind.count} × ${kind.status} ${kind.code} (first at line ${kind.firstLines[0]})`,
    );
  }

  lines.push(`  report: ${reportDirectory}`, `  exit code ${summary.exitCode}`);
  return `${lines.join('\n')}\n`;
}

function describeStop(reason: string): string {
  switch (reason) {
    case 'auth':
      return 'authentication failed; unsent rows are pending';
    case 'outage':
      return 'the service kept failing; unsent rows are pending, rerun later to finish';
    case 'tls':
      return 'the TLS connection failed; unsent rows are pending';
    case 'interrupt':
      return 'interrupted; unsent rows are pending';
    case 'manifest':
      return 'the manifest could not be read to its end';
    default:
      return reason;
  }
}

function count(value: number, singular: string, plural = `${singular}s`): string {
  return `${value} ${value === 1 ? singular : plural}`;
}
