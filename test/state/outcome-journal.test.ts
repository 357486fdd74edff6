import { join } from 'node:path';

import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { StateStoreError, openStateStore, type StateStore } from '../../src/state/index.js';
import { begin, createTempFolder, fixedClock, outcome } from './state-test-support.js';

const NOW = '2026-03-01T02:03:04.000Z';

describe('StateStore per-ID state', () => {
  let folder: ReturnType<typeof createTempFolder>;
  let path: string;
  let store: StateStore;
  let runId: string;

  beforeEach(() => {
    folder = createTempFolder();
    path = join(folder.path, 'state.db');
    store = openStateStore(path, { now: fixedClock(NOW) });
    runId = begin(store, 'run-1');
  });

  afterEach(() => {
    store.close();
    folder.remove();
  });

  it('looks an ID up case-insensitively and returns the spelling last written', () => {
    store.recordOutcomes(runId, [
      { outcome: outcome('Sensor-ABC', 2), fingerprint: 'f1', etag: 'IjAwIg==' },
    ]);

    const expected = {
      registrationId: 'Sensor-ABC',
      fingerprint: 'f1',
      status: 'succeeded',
      runId: 'run-1',
      etag: 'IjAwIg==',
      updatedAt: NOW,
    };
    expect(store.lookup('sensor-abc')).toEqual(expected);
    expect(store.lookup('SENSOR-ABC')).toEqual(expected);
    expect(store.lookup('sensor-abd')).toBeUndefined();
  });

  it('drops a stale etag when a later success carries none', () => {
    store.recordOutcomes(runId, [
      { outcome: outcome('sensor-1', 2), fingerprint: 'f1', etag: 'e1' },
    ]);
    const second = begin(store, 'run-2');

    store.recordOutcomes(second, [{ outcome: outcome('SENSOR-1', 2), fingerprint: 'f2' }]);

    expect(store.lookup('sensor-1')).toEqual({
      registrationId: 'SENSOR-1',
      fingerprint: 'f2',
      status: 'succeeded',
      runId: 'run-2',
      updatedAt: NOW,
    });
  });

  it('forgets the fingerprint of an ID deleted with success, keeping its journal row', () => {
    store.recordOutcomes(runId, [{ outcome: outcome('sensor-1', 2), fingerprint: 'f1' }]);
    const deletion = begin(store, 'run-delete', { mode: 'delete' });

    store.recordOutcomes(deletion, [{ outcome: outcome('sensor-1', 2, { action: 'deleted' }) }]);

    expect(store.lookup('sensor-1')).toEqual({
      registrationId: 'sensor-1',
      status: 'succeeded',
      runId: 'run-delete',
      updatedAt: NOW,
    });
    expect(store.finishedIds('run-delete')).toEqual(new Set(['sensor-1']));
  });

  it('stores the fingerprint the caller passes for a disabled enrollment', () => {
    const disabling = begin(store, 'run-disable', { mode: 'disable' });

    store.recordOutcomes(disabling, [
      { outcome: outcome('sensor-1', 2, { action: 'disabled' }), fingerprint: 'f-disabled' },
    ]);

    expect(store.lookup('sensor-1')?.fingerprint).toBe('f-disabled');
  });

  it('marks a refused ID failed and keeps the etag it had when the reply carries none', () => {
    store.recordOutcomes(runId, [
      { outcome: outcome('sensor-1', 2), fingerprint: 'f1', etag: 'e1' },
    ]);
    const second = begin(store, 'run-2');
    const refused = outcome('sensor-1', 2, {
      status: 'failed',
      action: 'none',
      httpStatus: 400,
      errorCode: 400004,
      message: 'The request body is invalid.',
    });

    store.recordOutcomes(second, [{ outcome: refused, fingerprint: 'f2' }]);

    expect(store.lookup('sensor-1')).toEqual({
      registrationId: 'sensor-1',
      fingerprint: 'f1',
      status: 'failed',
      runId: 'run-2',
      etag: 'e1',
      updatedAt: NOW,
    });
  });

  it('records unchanged, invalid, valid and pending rows in the journal only', () => {
    store.recordOutcomes(runId, [{ outcome: outcome('sensor-1', 2), fingerprint: 'f1' }]);
    const before = store.lookup('sensor-1');
    const second = begin(store, 'run-2');

    store.recordOutcomes(second, [
      { outcome: outcome('sensor-1', 2, { status: 'unchanged', action: 'none', attempts: 0 }) },
      { outcome: outcome('sensor-1', 3, { status: 'invalid', errorCode: 'duplicate-id' }) },
      { outcome: outcome('sensor-1', 4, { status: 'valid', action: 'none' }) },
      { outcome: outcome('sensor-1', 5, { status: 'pending', action: 'none' }) },
    ]);

    expect(store.lookup('sensor-1')).toEqual(before);
    expect(countJournalRows(path, 'run-2')).toBe(4);
  });

  it('forgets the stored content of IDs it marks in flight', () => {
    store.recordOutcomes(runId, [
      { outcome: outcome('sensor-1', 2), fingerprint: 'f1', etag: 'e1' },
    ]);
    const second = begin(store, 'run-2');

    store.markInFlight(second, [{ registrationId: 'Sensor-1', line: 2, fingerprint: 'f2' }]);

    expect(store.lookup('sensor-1')).toEqual({
      registrationId: 'sensor-1',
      status: 'succeeded',
      runId: 'run-1',
      updatedAt: NOW,
    });
  });

  it('refuses to record for a run that was never begun', () => {
    const attempt = (): void =>
      store.recordOutcomes('run-unknown', [{ outcome: outcome('sensor-1', 2) }]);

    expect(attempt).toThrow(StateStoreError);
    expect(attempt).toThrow(
      `state file ${path}: run run-unknown was never begun here (call beginRun first)`,
    );
    expect(() => store.markInFlight('run-unknown', [])).not.toThrow();
    expect(() =>
      store.markInFlight('run-unknown', [{ registrationId: 'a', line: 2, fingerprint: 'f' }]),
    ).toThrow('run run-unknown was never begun here');
  });

  it('writes each outcome to the journal as given, the error code keeping its type', () => {
    store.recordOutcomes(runId, [
      {
        outcome: outcome('sensor-1', 2, {
          status: 'failed',
          action: 'none',
          attempts: 6,
          httpStatus: 409,
          errorCode: 409201,
          message: 'Enrollment already exists.',
        }),
      },
      {
        outcome: outcome('', 3, {
          status: 'invalid',
          action: 'none',
          attempts: 0,
          httpStatus: undefined,
          errorCode: 'registration-id-required',
          message: 'line 3, column registrationId: required, got an empty cell',
        }),
      },
    ]);

    expect(readJournal(path, runId)).toEqual([
      {
        line: 2,
        registration_key: 'sensor-1',
        registration_id: 'sensor-1',
        status: 'failed',
        action: 'none',
        attempts: 6,
        http_status: 409,
        error_code: 409201,
        message: 'Enrollment already exists.',
        recorded_at: NOW,
      },
      {
        line: 3,
        registration_key: '',
        registration_id: '',
        status: 'invalid',
        action: 'none',
        attempts: 0,
        http_status: null,
        error_code: 'registration-id-required',
        message: 'line 3, column registrationId: required, got an empty cell',
        recorded_at: NOW,
      },
    ]);
  });

  it('keeps the last outcome when one line is recorded twice in a run', () => {
    store.recordOutcomes(runId, [{ outcome: outcome('sensor-1', 2, { status: 'pending' }) }]);
    store.recordOutcomes(runId, [{ outcome: outcome('sensor-1', 2), fingerprint: 'f1' }]);

    expect(readJournal(path, runId).map((row) => row.status)).toEqual(['succeeded']);
  });
});

describe('StateStore in-flight marks', () => {
  let folder: ReturnType<typeof createTempFolder>;
  let path: string;
  const stores: StateStore[] = [];

  function open(): StateStore {
    const store = openStateStore(path);
    stores.push(store);

    return store;
  }

  /** A run that marked `ids` in flight and died before any reply. */
  function runThatDied(ids: string[]): void {
    const dead = open();
    const runId = begin(dead, 'run-died');
    dead.markInFlight(
      runId,
      ids.map((registrationId, index) => ({ registrationId, line: index + 2, fingerprint: 'f1' })),
    );
  }

  beforeEach(() => {
    folder = createTempFolder();
    path = join(folder.path, 'state.db');
  });

  afterEach(() => {
    for (const store of stores.splice(0)) {
      store.close();
    }

    folder.remove();
  });

  it('does not report the IDs its own run has in flight', () => {
    const store = open();
    const runId = begin(store, 'run-1');

    store.markInFlight(runId, [{ registrationId: 'sensor-1', line: 2, fingerprint: 'f1' }]);

    expect(store.wasInFlight('sensor-1')).toBe(false);
  });

  it('reports IDs an earlier run left in flight, case-insensitively', () => {
    runThatDied(['Sensor-1']);

    const next = open();

    expect(next.wasInFlight('SENSOR-1')).toBe(true);
    expect(next.wasInFlight('sensor-2')).toBe(false);
  });

  it('still reports an inherited ID after the new run marks it itself', () => {
    runThatDied(['sensor-1']);
    const next = open();
    const runId = begin(next, 'run-2');

    next.markInFlight(runId, [{ registrationId: 'sensor-1', line: 2, fingerprint: 'f1' }]);

    expect(next.wasInFlight('sensor-1')).toBe(true);
  });

  it('clears the mark once the service decides: a success or a refusal below 500', () => {
    runThatDied(['sensor-1', 'sensor-2']);
    const next = open();
    const runId = begin(next, 'run-2');

    next.recordOutcomes(runId, [
      { outcome: outcome('sensor-1', 2), fingerprint: 'f1' },
      { outcome: outcome('sensor-2', 3, { status: 'failed', httpStatus: 409, errorCode: 409201 }) },
    ]);

    expect(next.wasInFlight('sensor-1')).toBe(false);
    expect(next.wasInFlight('sensor-2')).toBe(false);
    expect(open().wasInFlight('sensor-2')).toBe(false);
  });

  it('keeps the mark when the outcome stays unknown: no reply, a 5xx, or pending', () => {
    runThatDied(['sensor-1', 'sensor-2', 'sensor-3']);
    const next = open();
    const runId = begin(next, 'run-2');

    next.recordOutcomes(runId, [
      { outcome: outcome('sensor-1', 2, { status: 'failed', httpStatus: undefined }) },
      { outcome: outcome('sensor-2', 3, { status: 'failed', httpStatus: 504 }) },
      { outcome: outcome('sensor-3', 4, { status: 'pending', httpStatus: undefined }) },
    ]);

    const after = open();
    expect(['sensor-1', 'sensor-2', 'sensor-3'].map((id) => after.wasInFlight(id))).toEqual([
      true,
      true,
      true,
    ]);
  });
});

describe('StateStore finishedIds', () => {
  let folder: ReturnType<typeof createTempFolder>;
  let store: StateStore;

  beforeEach(() => {
    folder = createTempFolder();
    store = openStateStore(join(folder.path, 'state.db'));
  });

  afterEach(() => {
    store.close();
    folder.remove();
  });

  it('lists the folded IDs that ended succeeded or unchanged in that run only', () => {
    const first = begin(store, 'run-1');
    const second = begin(store, 'run-2');

    store.recordOutcomes(first, [
      { outcome: outcome('Sensor-1', 2), fingerprint: 'f1' },
      { outcome: outcome('sensor-2', 3, { status: 'unchanged', action: 'none' }) },
      { outcome: outcome('sensor-3', 4, { status: 'failed', httpStatus: 400 }) },
      { outcome: outcome('sensor-4', 5, { status: 'invalid' }) },
      { outcome: outcome('sensor-5', 6, { status: 'pending' }) },
    ]);
    store.recordOutcomes(second, [{ outcome: outcome('sensor-9', 2), fingerprint: 'f9' }]);

    expect(store.finishedIds(first)).toEqual(new Set(['sensor-1', 'sensor-2']));
    expect(store.finishedIds(second)).toEqual(new Set(['sensor-9']));
    expect(store.finishedIds('run-unknown')).toEqual(new Set());
  });

  it('records a 10,000-row run in 1,000 replies of ten and lists every ID', () => {
    const runId = begin(store, 'run-large');

    for (let reply = 0; reply < 1_000; reply += 1) {
      const items = Array.from({ length: 10 }, (_, index) => {
        const line = reply * 10 + index + 2;

        return { registrationId: `device-${line}`, line, fingerprint: `f-${line}` };
      });

      store.markInFlight(runId, items);
      store.recordOutcomes(
        runId,
        items.map((item) => ({
          outcome: outcome(item.registrationId, item.line),
          fingerprint: item.fingerprint,
        })),
      );
    }

    expect(store.finishedIds(runId).size).toBe(10_000);
    expect(store.lookup('DEVICE-10001')?.fingerprint).toBe('f-10001');
  });
});

interface JournalRow {
  line: number;
  registration_key: string;
  registration_id: string;
  status: string;
  action: string;
  attempts: number;
  http_status: number | null;
  error_code: number | string | null;
  message: string;
  recorded_at: string;
}

function readJournal(path: string, runId: string): JournalRow[] {
  const database = new Database(path, { readonly: true });
  const rows = database
    .prepare<[string], JournalRow>(
      `SELECT line, registration_key, registration_id, status, action, attempts, http_status,
         error_code, message, recorded_at
       FROM journal WHERE run_id = ? ORDER BY line`,
    )
    .all(runId);
  database.close();

  return rows;
}

function countJournalRows(path: string, runId: string): number {
  return readJournal(path, runId).length;
}
