/**
 * Runs for the fault-injection suite, in this process (`runJob`) or as the built CLI, and the
 * check that follows each of them: the report, what the service holds, creations per ID. Each
 * check returns the figures the scenario table in docs/faults.md shows.
 */
import { existsSync, appendFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { targetFromConnectionString } from '../../src/cli/resolve-target.js';
import type { EmulatorStats } from '../../src/emulator/index.js';
import { runJob } from '../../src/job/run-job.js';
import type { RunConfig, RunMode } from '../../src/job/run-config.js';
import { addStats, type EmulatorHandle } from './faults-emulators.js';
import {
  checkCreatedOnce,
  checkReport,
  checkServiceHolds,
  figuresOf,
  type ReportFacts,
  type RunFigures,
} from './faults-invariants.js';
import type { FaultManifest } from './faults-manifest.js';
import type { HeldEnrollment, ServiceAccess } from './faults-service-reader.js';
import { TextSink } from './job-config.js';
import { runCli, type CliResult } from './run-cli.js';

/** Settings a scenario changes; everything else is the CLI's default or fixed below. */
export interface FaultRunSettings {
  mode?: RunMode;
  concurrency?: number;
  maxAttempts?: number;
  outageThreshold?: number;
  requestTimeoutMs?: number;
  drainTimeoutMs?: number;
  onlyFailedRun?: string;
  force?: boolean;
}

/** A run's configuration against `access`, with reports and state under `directory`. */
export function faultRunConfig(
  access: ServiceAccess,
  manifestPath: string,
  directory: string,
  settings: FaultRunSettings = {},
): RunConfig {
  return {
    manifest: { path: manifestPath, strict: false },
    report: { directory: join(directory, 'reports'), progress: false, logLevel: 'info' },
    target: targetFromConnectionString(access.connectionString, 'emulator', {
      endpoint: access.endpoint,
    }),
    dispatch: {
      mode: settings.mode ?? 'upsert',
      concurrency: settings.concurrency ?? 4,
      maxAttempts: settings.maxAttempts ?? 6,
      requestTimeoutMs: settings.requestTimeoutMs ?? 10_000,
      outageThreshold: settings.outageThreshold ?? 20,
    },
    state: {
      path: join(directory, 'state.db'),
      force: settings.force ?? false,
      ...(settings.onlyFailedRun ? { onlyFailedRun: settings.onlyFailedRun } : {}),
    },
    drainTimeoutMs: settings.drainTimeoutMs ?? 5_000,
    optionsForReport: { test: 'faults' },
  };
}

/** How a run ended: its exit code and report folder (none when it was killed). */
export interface FinishedRun {
  exitCode: number | null;
  reportDirectory: string | undefined;
  stderr: string;
}

/** Runs the job in this process. */
export async function runInProcess(
  access: ServiceAccess,
  manifest: FaultManifest,
  directory: string,
  settings: FaultRunSettings = {},
): Promise<FinishedRun> {
  const stderr = new TextSink();
  const result = await runJob(faultRunConfig(access, manifest.path, directory, settings), stderr);

  return {
    exitCode: result.exitCode,
    reportDirectory: result.reportDirectory,
    stderr: stderr.text,
  };
}

/** The CLI arguments of a run against `access` with reports and state under `directory`. */
export function cliRunArguments(
  access: ServiceAccess,
  manifest: FaultManifest,
  directory: string,
  extra: string[] = [],
): string[] {
  return [
    'run',
    manifest.path,
    '--endpoint',
    access.endpoint,
    '--report-dir',
    join(directory, 'reports'),
    '--state',
    join(directory, 'state.db'),
    '--no-progress',
    ...extra,
  ];
}

/** Starts the built CLI; the connection string travels in the environment only. */
export function startCliRun(
  access: ServiceAccess,
  manifest: FaultManifest,
  directory: string,
  extra: string[] = [],
): ReturnType<typeof runCli> {
  return runCli(cliRunArguments(access, manifest, directory, extra), {
    env: { DPS_CONNECTION_STRING: access.connectionString },
  });
}

/** Waits for a CLI run and finds the report folder it wrote (the one not there before). */
export async function finishCliRun(
  run: ReturnType<typeof runCli>,
  directory: string,
  before: Set<string>,
): Promise<FinishedRun> {
  const result: CliResult = await run;
  const created = reportFolderNames(directory).filter((name) => !before.has(name));
  const reportDirectory =
    created.length === 1 ? join(directory, 'reports', created[0]!) : undefined;

  return { exitCode: result.exitCode, reportDirectory, stderr: result.stderr };
}

/** Names of the report folders under `<directory>/reports`. */
export function reportFolderNames(directory: string): string[] {
  const root = join(directory, 'reports');
  if (!existsSync(root)) return [];

  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
}

/** What a check needs besides the run itself. */
export interface CheckOptions {
  /** Service requests counted before the run started (from the emulator's stats). */
  requestsBefore: number;
  /** Held = done exactly (no record whose outcome the run could not know). @default true */
  strict?: boolean;
  /** Also compare symmetric keys (one extra read per record). @default true */
  withKeys?: boolean;
  /** Records held before the run (see ServiceCheckOptions.heldBefore). */
  heldBefore?: Map<string, HeldEnrollment>;
  /** Counters of earlier lives of this emulator, added before the creations check. */
  earlierLives?: EmulatorStats;
}

/** What a checked run showed. */
export interface CheckedRun {
  report: ReportFacts;
  figures: RunFigures;
  /** Service requests counted once the checks' own reads were done: the next run's baseline. */
  requestsAfterChecks: number;
  /** What the service held after the run. */
  held: Map<string, HeldEnrollment>;
}

/** Checks every invariant after one run; the emulator's counters are read before its records. */
export async function checkRun(
  manifest: FaultManifest,
  emulator: EmulatorHandle,
  run: FinishedRun,
  options: CheckOptions,
): Promise<CheckedRun> {
  const stats = await emulator.stats();
  const requests = stats.requests - options.requestsBefore;

  if (run.reportDirectory === undefined)
    throw new Error(`the run wrote no report; stderr: ${run.stderr}`);

  const report = checkReport(manifest, run.reportDirectory, run.exitCode);
  const held = await emulator.reader.readAll(options.withKeys ?? true);
  checkServiceHolds(manifest, report, held, {
    strict: options.strict ?? true,
    withKeys: options.withKeys ?? true,
    ...(options.heldBefore ? { heldBefore: options.heldBefore } : {}),
  });

  const lifetime = options.earlierLives ? addStats(options.earlierLives, stats) : stats;
  checkCreatedOnce(lifetime);

  const after = await emulator.stats();

  return {
    report,
    figures: figuresOf(report, run.exitCode, requests, lifetime),
    requestsAfterChecks: after.requests,
    held,
  };
}

/** One line of the scenario table, appended as JSON to `$FAULTS_TABLE_PATH` when it is set. */
export function recordScenario(
  scenario: string,
  injected: string,
  runs: Array<{ run: string; figures: RunFigures; note?: string }>,
): void {
  const path = process.env['FAULTS_TABLE_PATH'];
  if (!path) return;

  appendFileSync(path, `${JSON.stringify({ scenario, injected, runs })}\n`);
}
