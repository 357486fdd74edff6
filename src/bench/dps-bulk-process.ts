/**
 * `dps-bulk validate` and `dps-bulk run` as measured child processes, each with its own report
 * folder so that its summary.json is the only one there.
 */
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { runMeasured, type MeasuredRun } from './measured-process.js';

/** The figures of summary.json the bench reads (see src/report/run-summary.ts). */
export interface SummaryFigures {
  counts: Record<string, number>;
  rows: number;
  requests: number;
  retries: number;
  throttled: number;
  durationSeconds: number;
  exitCode: number;
  stopReason?: string;
}

export interface DpsBulkRun {
  process: MeasuredRun;
  /** Absent when the command wrote no summary (it failed before the report). */
  summary: SummaryFigures | undefined;
}

export interface CommandContext {
  /** Path of bin/dps-bulk.js. */
  cliScript: string;
  /** The bench's temp folder; report folders and usage files go under it. */
  workDirectory: string;
}

export interface RunTarget {
  endpoint: URL;
  /** Secret: passed in the child's environment (DPS_CONNECTION_STRING) only. */
  connectionString: string;
  caPath?: string;
}

/** `dps-bulk validate FILE --no-progress --report-dir <fresh folder>`. */
export async function runValidate(
  context: CommandContext,
  manifestPath: string,
): Promise<DpsBulkRun> {
  const reportDirectory = await mkdtemp(join(context.workDirectory, 'validate-'));
  const child = await runMeasured({
    script: context.cliScript,
    arguments: ['validate', manifestPath, '--no-progress', '--report-dir', reportDirectory],
    workDirectory: context.workDirectory,
  });

  return { process: child, summary: await readSummary(reportDirectory) };
}

/**
 * `dps-bulk run FILE --endpoint URL --no-progress --report-dir <fresh folder> --state STATE
 * …extraFlags`, the connection string in the environment as a user would give it.
 */
export async function runRun(
  context: CommandContext,
  manifestPath: string,
  target: RunTarget,
  statePath: string,
  extraFlags: readonly string[] = [],
): Promise<DpsBulkRun> {
  const reportDirectory = await mkdtemp(join(context.workDirectory, 'run-'));
  const targetFlags = [
    '--endpoint',
    target.endpoint.origin,
    ...(target.caPath !== undefined ? ['--ca-cert', target.caPath] : []),
  ];
  const child = await runMeasured({
    script: context.cliScript,
    arguments: [
      'run',
      manifestPath,
      '--no-progress',
      '--report-dir',
      reportDirectory,
      '--state',
      statePath,
      ...targetFlags,
      ...extraFlags,
    ],
    workDirectory: context.workDirectory,
    environment: { DPS_CONNECTION_STRING: target.connectionString },
  });

  return { process: child, summary: await readSummary(reportDirectory) };
}

/** The summary.json of the one run folder under `reportDirectory`, if there is one. */
async function readSummary(reportDirectory: string): Promise<SummaryFigures | undefined> {
  const entries = await readdir(reportDirectory, { withFileTypes: true });

  for (const entry of entries) {
    if (!entry.isDirectory()) {
      continue;
    }

    try {
      const text = await readFile(join(reportDirectory, entry.name, 'summary.json'), 'utf8');
      return JSON.parse(text) as SummaryFigures;
    } catch {
      // A folder without a summary is not a finished run; look further.
    }
  }

  return undefined;
}
