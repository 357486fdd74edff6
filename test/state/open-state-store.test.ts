import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  SCHEMA_VERSION,
  StateStoreError,
  isStateStoreError,
  openStateStore,
} from '../../src/state/index.js';
import { begin, createTempFolder, outcome } from './state-test-support.js';

describe('openStateStore', () => {
  let folder: ReturnType<typeof createTempFolder>;

  beforeEach(() => {
    folder = createTempFolder();
  });

  afterEach(() => {
    folder.remove();
  });

  it('creates missing folders, the file and the current schema in WAL mode', () => {
    const path = join(folder.path, 'nightly', 'reports', 'state.db');

    openStateStore(path).close();

    const database = new Database(path, { readonly: true });
    expect(database.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(database.pragma('journal_mode', { simple: true })).toBe('wal');

    const tables = database
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all();
    expect(tables).toEqual(['enrollments', 'in_flight', 'journal', 'run_lock', 'runs']);
    database.close();
  });

  it('keeps what was recorded when the file is opened again', () => {
    const path = join(folder.path, 'state.db');
    const first = openStateStore(path);
    const runId = begin(first, 'run-1');
    first.recordOutcomes(runId, [{ outcome: outcome('sensor-1', 2), fingerprint: 'f1' }]);
    first.close();

    const second = openStateStore(path);

    expect(second.lookup('sensor-1')?.fingerprint).toBe('f1');
    expect(second.resolveRun('latest')).toBe('run-1');
    second.close();
  });

  it('refuses a file whose schema was written by a newer version', () => {
    const path = join(folder.path, 'state.db');
    const database = new Database(path);
    database.pragma('user_version = 99');
    database.close();

    const attempt = (): unknown => openStateStore(path);

    expect(attempt).toThrow(StateStoreError);
    expect(attempt).toThrow(
      `state file ${path}: schema version 99 was written by a newer dps-bulk; ` +
        `this one reads up to version ${SCHEMA_VERSION}`,
    );
  });

  it('refuses a file that is not a SQLite database, naming the path', () => {
    const path = join(folder.path, 'state.db');
    writeFileSync(path, 'registrationId,primaryKey\nsensor-1,abc\n'.repeat(100));

    let caught: unknown;

    try {
      openStateStore(path);
    } catch (error) {
      caught = error;
    }

    expect(isStateStoreError(caught)).toBe(true);
    expect((caught as StateStoreError).code).toBe('state-file-unusable');
    expect((caught as StateStoreError).message).toBe(
      `state file ${path}: cannot be opened as a dps-bulk state store (file is not a database)`,
    );
  });

  it('refuses a path that is a folder', () => {
    const attempt = (): unknown => openStateStore(folder.path);

    expect(attempt).toThrow(
      `state file ${folder.path}: cannot be opened as a dps-bulk state store`,
    );
  });

  it('lets two handles share one file', () => {
    const path = join(folder.path, 'state.db');
    const writer = openStateStore(path);
    const reader = openStateStore(path);
    const runId = begin(writer, 'run-1');

    writer.recordOutcomes(runId, [{ outcome: outcome('sensor-1', 2), fingerprint: 'f1' }]);

    expect(reader.lookup('sensor-1')?.status).toBe('succeeded');
    writer.close();
    reader.close();
  });
});
