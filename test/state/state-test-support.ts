/** Shared pieces for the state-store tests: temp folders, fixed clocks and outcome values. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { RowOutcome } from '../../src/outcomes/index.js';
import type { RunStart, StateStore } from '../../src/state/index.js';

/** A fresh temp folder and a cleanup that removes it. */
export function createTempFolder(): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'dps-bulk-state-'));

  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A clock frozen at `iso`, for exact stored times. */
export function fixedClock(iso: string): () => Date {
  return () => new Date(iso);
}

/** A run record with test defaults; override what the test is about. */
export function runStart(runId: string, overrides: Partial<RunStart> = {}): RunStart {
  return {
    runId,
    reportDirectory: `/srv/dps/reports/${runId}`,
    manifestPath: '/srv/dps/manifest.csv',
    mode: 'upsert',
    startedAt: '2026-03-01T02:00:00.000Z',
    ...overrides,
  };
}

/** A succeeded create for `registrationId` on `line`; override the rest. */
export function outcome(
  registrationId: string,
  line: number,
  overrides: Partial<RowOutcome> = {},
): RowOutcome {
  return {
    line,
    registrationId,
    status: 'succeeded',
    action: 'created',
    attempts: 1,
    httpStatus: 200,
    message: '',
    ...overrides,
  };
}

/** Begins `runId` on `store` and returns the id, for one-line test setup. */
export function begin(store: StateStore, runId: string, overrides: Partial<RunStart> = {}): string {
  store.beginRun(runStart(runId, overrides));

  return runId;
}
