/**
 * Opens the state file and answers the run's questions through the parts that own each table:
 * the lock, the run registry, the per-ID reader and the outcome journal.
 */
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';

import Database from 'better-sqlite3';

import { isProcessAlive, readBootId } from './process-liveness.js';
import { EnrollmentReader } from './enrollment-reader.js';
import { OutcomeJournal } from './outcome-journal.js';
import { RunLock } from './run-lock.js';
import { RunRegistry } from './run-registry.js';
import { migrateSchema } from './schema.js';
import { StateStoreError } from './state-store-error.js';
import type {
  InFlightItem,
  LockHolder,
  LockResult,
  OutcomeRecord,
  RunFinish,
  RunStart,
  StateStore,
  StoredEnrollment,
} from './state-store.js';

/** How long a write waits for another process's transaction, in milliseconds. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5_000;

/** Seams for tests and embedders; a run passes none. */
export interface StateStoreOptions {
  /** Host compared with a lock holder's. @default os.hostname() */
  hostName?: string;
  /** This boot's id; a lock taken under another boot is stale. @default Linux boot_id */
  bootId?: string;
  /** Clock for the stored times. @default () => new Date() */
  now?: () => Date;
  /** Wait for another process's write, in milliseconds. @default 5000 */
  busyTimeoutMs?: number;
}

/**
 * Opens (creating folders, file and schema as needed) the state file at `path`. WAL with
 * synchronous=FULL: every committed reply survives a killed process and a power loss.
 */
export function openStateStore(path: string, options: StateStoreOptions = {}): StateStore {
  const database = openDatabase(path, options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS);

  try {
    migrateSchema(database, path);

    return new SqliteStateStore(database, path, options);
  } catch (error) {
    database.close();

    throw error;
  }
}

function openDatabase(path: string, busyTimeoutMs: number): Database.Database {
  try {
    mkdirSync(dirname(path), { recursive: true });

    const database = new Database(path, { timeout: busyTimeoutMs });

    try {
      configure(database);
    } catch (error) {
      database.close();

      throw error;
    }

    return database;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);

    throw new StateStoreError(
      'state-file-unusable',
      path,
      `state file ${path}: cannot be opened as a dps-bulk state store (${reason})`,
      { cause: error },
    );
  }
}

function configure(database: Database.Database): void {
  const journalMode = database.pragma('journal_mode = WAL', { simple: true });

  // WAL needs shared memory; some network file systems refuse it, and the rollback journal
  // would make readers block the run.
  if (journalMode !== 'wal') {
    throw new Error(`journal_mode stayed "${String(journalMode)}" instead of "wal"`);
  }

  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
}

class SqliteStateStore implements StateStore {
  readonly path: string;
  readonly #database: Database.Database;
  readonly #lock: RunLock;
  readonly #runs: RunRegistry;
  readonly #reader: EnrollmentReader;
  readonly #journal: OutcomeJournal;

  constructor(database: Database.Database, path: string, options: StateStoreOptions) {
    this.path = path;
    this.#database = database;
    this.#lock = new RunLock(database, {
      hostName: options.hostName ?? hostname(),
      bootId: options.bootId ?? readBootId(),
      isProcessAlive,
    });
    this.#runs = new RunRegistry(database, path);
    this.#reader = new EnrollmentReader(database, (runId) => this.#runs.isBegunHere(runId));
    this.#journal = new OutcomeJournal(database, path, options.now ?? (() => new Date()));
  }

  acquireLock(holder: LockHolder): LockResult {
    return this.#lock.acquire(holder);
  }

  releaseLock(runId: string): void {
    this.#lock.release(runId);
  }

  beginRun(run: RunStart): void {
    this.#runs.begin(run);
  }

  finishRun(runId: string, result: RunFinish): void {
    this.#runs.finish(runId, result);
  }

  lookup(registrationId: string): StoredEnrollment | undefined {
    return this.#reader.lookup(registrationId);
  }

  markInFlight(runId: string, items: InFlightItem[]): void {
    this.#journal.markInFlight(runId, items);
  }

  wasInFlight(registrationId: string): boolean {
    return this.#reader.wasInFlight(registrationId);
  }

  recordOutcomes(runId: string, outcomes: OutcomeRecord[]): void {
    this.#journal.recordOutcomes(runId, outcomes);
  }

  finishedIds(runId: string): Set<string> {
    return this.#journal.finishedIds(runId);
  }

  resolveRun(reference: string): string | undefined {
    return this.#runs.resolve(reference);
  }

  close(): void {
    this.#database.close();
  }
}
