/**
 * The runs a state file has seen: when each began and ended, where its report went, and how to
 * find one again from what a user types after `--only-failed`.
 */
import { basename, resolve } from 'node:path';

import type { Database, Statement } from 'better-sqlite3';

import { StateStoreError } from './state-store-error.js';
import type { RunFinish, RunStart } from './state-store.js';

/** The reference `--only-failed` takes for the run that began last. */
export const LATEST_RUN_REFERENCE = 'latest';

interface RunIdRow {
  run_id: string;
}

interface RunFinishRow {
  runId: string;
  finishedAt: string;
  exitCode: number;
  counts: string;
}

interface RunInsert {
  runId: string;
  reportDirectory: string;
  manifestPath: string;
  manifestSha256: string | null;
  mode: string;
  startedAt: string;
}

export class RunRegistry {
  readonly #path: string;
  readonly #insert: Statement<[RunInsert]>;
  readonly #finish: Statement<[RunFinishRow]>;
  readonly #latest: Statement<[], RunIdRow>;
  readonly #byId: Statement<[string], RunIdRow>;
  readonly #byDirectory: Statement<[string], RunIdRow>;
  /** Runs begun through this handle: whatever they left in flight is not "an earlier run's". */
  readonly #begunHere = new Set<string>();

  constructor(database: Database, path: string) {
    this.#path = path;
    this.#insert = database.prepare(
      `INSERT INTO runs (run_id, report_directory, manifest_path, manifest_sha256, mode, started_at)
       VALUES (@runId, @reportDirectory, @manifestPath, @manifestSha256, @mode, @startedAt)`,
    );
    this.#finish = database.prepare(
      `UPDATE runs SET finished_at = @finishedAt, exit_code = @exitCode, counts_json = @counts
       WHERE run_id = @runId`,
    );
    this.#latest = database.prepare('SELECT run_id FROM runs ORDER BY sequence DESC LIMIT 1');
    this.#byId = database.prepare('SELECT run_id FROM runs WHERE run_id = ?');
    this.#byDirectory = database.prepare(
      'SELECT run_id FROM runs WHERE report_directory = ? ORDER BY sequence DESC LIMIT 1',
    );
  }

  begin(run: RunStart): void {
    try {
      this.#insert.run({
        runId: run.runId,
        reportDirectory: resolve(run.reportDirectory),
        manifestPath: run.manifestPath,
        manifestSha256: run.manifestSha256 ?? null,
        mode: run.mode,
        startedAt: run.startedAt,
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new StateStoreError(
          'run-already-exists',
          this.#path,
          `state file ${this.#path}: run ${run.runId} was already begun; every run needs a new id`,
          { cause: error },
        );
      }

      throw error;
    }

    this.#begunHere.add(run.runId);
  }

  finish(runId: string, result: RunFinish): void {
    const changed = this.#finish.run({
      runId,
      finishedAt: result.finishedAt,
      exitCode: result.exitCode,
      counts: JSON.stringify(result.counts),
    }).changes;

    if (changed === 0) {
      throw runNotFound(this.#path, runId);
    }
  }

  /** True for a run begun through this handle. */
  isBegunHere(runId: string): boolean {
    return this.#begunHere.has(runId);
  }

  /** `latest`, then a run id, then a report folder (by its path, then by its name). */
  resolve(reference: string): string | undefined {
    if (reference === LATEST_RUN_REFERENCE) {
      return this.#latest.get()?.run_id;
    }

    const byId = this.#byId.get(reference);

    if (byId !== undefined) {
      return byId.run_id;
    }

    // A report folder is `<report-dir>/<run-id>`: moved or given relative to another working
    // directory, its name still finds the run.
    const directory = resolve(reference);

    return this.#byDirectory.get(directory)?.run_id ?? this.#byId.get(basename(directory))?.run_id;
  }
}

/** The error for a run id this file has no record of. */
export function runNotFound(path: string, runId: string): StateStoreError {
  return new StateStoreError(
    'run-not-found',
    path,
    `state file ${path}: run ${runId} was never begun here (call beginRun first)`,
  );
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;

  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
