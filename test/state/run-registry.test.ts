import { join, relative } from 'node:path';

import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { StateStoreError, openStateStore, type StateStore } from '../../src/state/index.js';
import { begin, createTempFolder, runStart } from './state-test-support.js';

describe('StateStore runs', () => {
  let folder: ReturnType<typeof createTempFolder>;
  let path: string;
  let store: StateStore;

  beforeEach(() => {
    folder = createTempFolder();
    path = join(folder.path, 'state.db');
    store = openStateStore(path);
  });

  afterEach(() => {
    store.close();
    folder.remove();
  });

  it('resolves latest to the run begun last, whatever its clock said', () => {
    begin(store, 'run-b', { startedAt: '2026-03-02T02:00:00.000Z' });
    begin(store, 'run-a', { startedAt: '2026-03-01T02:00:00.000Z' });

    expect(store.resolveRun('latest')).toBe('run-a');
  });

  it('resolves nothing on a store that has seen no run', () => {
    expect(store.resolveRun('latest')).toBeUndefined();
  });

  it('resolves a run id, its report folder by path, and a moved report folder by name', () => {
    const reports = join(folder.path, 'reports');
    begin(store, '20260301T020000Z-3f9a1c', {
      reportDirectory: join(reports, '20260301T020000Z-3f9a1c'),
    });
    begin(store, 'run-2', { reportDirectory: join(reports, 'run-2') });

    expect(store.resolveRun('20260301T020000Z-3f9a1c')).toBe('20260301T020000Z-3f9a1c');
    expect(store.resolveRun(join(reports, '20260301T020000Z-3f9a1c') + '/')).toBe(
      '20260301T020000Z-3f9a1c',
    );
    expect(store.resolveRun(relative(process.cwd(), join(reports, 'run-2')))).toBe('run-2');
    expect(store.resolveRun('/mnt/archive/reports/20260301T020000Z-3f9a1c')).toBe(
      '20260301T020000Z-3f9a1c',
    );
    expect(store.resolveRun('/mnt/archive/reports/run-3')).toBeUndefined();
    expect(store.resolveRun('run-3')).toBeUndefined();
  });

  it('refuses to begin a run id twice', () => {
    begin(store, 'run-1');

    const attempt = (): void => store.beginRun(runStart('run-1'));

    expect(attempt).toThrow(StateStoreError);
    expect(attempt).toThrow(
      `state file ${path}: run run-1 was already begun; every run needs a new id`,
    );
  });

  it('records how a run began and ended', () => {
    begin(store, 'run-1', { manifestSha256: 'ab'.repeat(32), mode: 'delete' });

    store.finishRun('run-1', {
      finishedAt: '2026-03-01T02:10:00.000Z',
      exitCode: 1,
      counts: { succeeded: 9_998, failed: 2 },
    });

    const database = new Database(path, { readonly: true });
    expect(database.prepare('SELECT * FROM runs').all()).toEqual([
      {
        sequence: 1,
        run_id: 'run-1',
        report_directory: '/srv/dps/reports/run-1',
        manifest_path: '/srv/dps/manifest.csv',
        manifest_sha256: 'ab'.repeat(32),
        mode: 'delete',
        started_at: '2026-03-01T02:00:00.000Z',
        finished_at: '2026-03-01T02:10:00.000Z',
        exit_code: 1,
        counts_json: '{"succeeded":9998,"failed":2}',
      },
    ]);
    database.close();
  });

  it('refuses to finish a run that was never begun', () => {
    const attempt = (): void =>
      store.finishRun('run-9', { finishedAt: '2026-03-01T02:10:00.000Z', exitCode: 0, counts: {} });

    expect(attempt).toThrow(
      `state file ${path}: run run-9 was never begun here (call beginRun first)`,
    );
  });
});
