/**
 * The state file's tables, versioned with SQLite's `user_version`. A file written by a newer
 * build is refused rather than guessed at; an older one is migrated forward in one transaction.
 */
import type { Database } from 'better-sqlite3';

import { StateStoreError } from './state-store-error.js';

/** The schema this build writes. */
export const SCHEMA_VERSION = 1;

/** `MIGRATIONS[n]` takes a file from version n to n + 1. */
const MIGRATIONS: readonly string[] = [
  `
  -- Runs are serialised by the lock, so insertion order (sequence) is start order, whatever the
  -- clocks said.
  CREATE TABLE runs (
    sequence INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL UNIQUE,
    report_directory TEXT NOT NULL,
    manifest_path TEXT NOT NULL,
    manifest_sha256 TEXT,
    mode TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    exit_code INTEGER,
    counts_json TEXT
  );
  CREATE INDEX runs_by_report_directory ON runs (report_directory);

  -- At most one row: the run that may write. boot_id tells a lock left before a reboot.
  CREATE TABLE run_lock (
    slot INTEGER PRIMARY KEY CHECK (slot = 1),
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    started_at TEXT NOT NULL,
    run_id TEXT NOT NULL,
    boot_id TEXT
  );

  -- Per registration ID, keyed by its folded spelling. Holds hashes, never secrets.
  CREATE TABLE enrollments (
    registration_key TEXT PRIMARY KEY,
    registration_id TEXT NOT NULL,
    fingerprint TEXT,
    status TEXT NOT NULL,
    run_id TEXT NOT NULL REFERENCES runs (run_id),
    etag TEXT,
    updated_at TEXT NOT NULL
  ) WITHOUT ROWID;

  -- One row per manifest line per run; error_code is untyped: the service's number or our rule.
  CREATE TABLE journal (
    run_id TEXT NOT NULL REFERENCES runs (run_id),
    line INTEGER NOT NULL,
    registration_key TEXT NOT NULL,
    registration_id TEXT NOT NULL,
    status TEXT NOT NULL,
    action TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    http_status INTEGER,
    error_code,
    message TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (run_id, line)
  ) WITHOUT ROWID;

  -- IDs sent but not yet decided. inherited = an earlier run left it here undecided.
  CREATE TABLE in_flight (
    registration_key TEXT PRIMARY KEY,
    registration_id TEXT NOT NULL,
    run_id TEXT NOT NULL REFERENCES runs (run_id),
    line INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    inherited INTEGER NOT NULL DEFAULT 0,
    marked_at TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
];

/** Brings the file to `SCHEMA_VERSION`, or throws `StateStoreError` if it is newer. */
export function migrateSchema(database: Database, path: string): void {
  // The common case, a current file, takes no write lock: a run waiting for the lock reads only.
  if (readSchemaVersion(database) === SCHEMA_VERSION) {
    return;
  }

  // IMMEDIATE, and read again inside: two runs opening a fresh file must not both create tables.
  const migrate = database.transaction(() => {
    const found = readSchemaVersion(database);

    if (found > SCHEMA_VERSION) {
      throw schemaTooNew(path, found);
    }

    for (let version = found; version < SCHEMA_VERSION; version += 1) {
      database.exec(MIGRATIONS[version] ?? '');
    }

    database.pragma(`user_version = ${SCHEMA_VERSION}`);
  });

  migrate.immediate();
}

/** The `user_version` stamped on the file; 0 for a new one. */
export function readSchemaVersion(database: Database): number {
  return database.pragma('user_version', { simple: true }) as number;
}

function schemaTooNew(path: string, found: number): StateStoreError {
  return new StateStoreError(
    'state-schema-too-new',
    path,
    `state file ${path}: schema version ${found} was written by a newer dps-bulk; ` +
      `this one reads up to version ${SCHEMA_VERSION}`,
  );
}
