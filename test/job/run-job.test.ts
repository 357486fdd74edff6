import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { runJob } from '../../src/job/run-job.js';
import { runConfigFor, TextSink } from '../support/job-config.js';
import {
  makeTempDir,
  readResults,
  readSummary,
  symmetricKeyRows,
  writeManifest,
} from '../support/temp-files.js';

describe('run against the emulator (real HTTP on loopback)', () => {
  let emulator: RunningEmulator;
  let directory: string;

  beforeEach(async () => {
    emulator = await startEmulator({ port: 0 });
    directory = makeTempDir();
  });

  afterEach(async () => {
    await emulator.close();
  });

  it('sends 23 valid rows as exactly 3 bulk calls and the emulator holds all 23', async () => {
    const manifest = writeManifest(directory, symmetricKeyRows(23));

    const result = await runJob(runConfigFor(emulator, manifest, directory), new TextSink());

    expect(result.exitCode).toBe(0);
    expect(emulator.stats().requests).toBe(3);
    expect(emulator.stats().enrollments).toBe(23);
    const rows = readResults(result.reportDirectory);
    expect(rows.map((row) => row.status)).toEqual(Array(23).fill('succeeded'));
    expect(rows.map((row) => row.action)).toEqual(Array(23).fill('created'));
    expect(rows.map((row) => row.line)).toEqual(
      Array.from({ length: 23 }, (_, index) => index + 2),
    );
    expect(readSummary(result.reportDirectory)).toMatchObject({
      counts: { succeeded: 23, invalid: 0, failed: 0, pending: 0 },
      requests: 3,
      retries: 0,
      throttled: 0,
      target: 'emulator',
      exitCode: 0,
    });
  });

  it('marks exactly the rows that already exist as failed 409201 in create mode', async () => {
    const rows = symmetricKeyRows(10);
    await runJob(
      runConfigFor(
        emulator,
        writeManifest(directory, [rows[0]!, rows[1]!, rows[4]!, rows[8]!], 'first.csv'),
        directory,
        { state: `${directory}/other.db` },
      ),
      new TextSink(),
    );

    const result = await runJob(
      runConfigFor(emulator, writeManifest(directory, rows), directory, { mode: 'create' }),
      new TextSink(),
    );

    expect(result.exitCode).toBe(1);
    const failed = readResults(result.reportDirectory).filter((row) => row.status === 'failed');
    expect(failed.map((row) => row.registrationId)).toEqual(['dev-0001', 'dev-0004', 'dev-0008']);
    expect(failed.map((row) => row.line)).toEqual([2, 5, 9]);
    for (const row of failed) {
      expect(row.errorCode).toBe('409201');
      expect(row.httpStatus).toBe('200');
      expect(row.message).toContain('Enrollment already exists.');
      expect(row.message).toContain('--mode upsert');
    }
    expect(readSummary(result.reportDirectory).counts).toMatchObject({ succeeded: 7, failed: 3 });
  });

  it('updates instead of failing on a second upsert run that is forced, and skips everything when not', async () => {
    const manifest = writeManifest(directory, symmetricKeyRows(12));
    const first = await runJob(runConfigFor(emulator, manifest, directory), new TextSink());
    expect(first.exitCode).toBe(0);

    const forced = await runJob(
      runConfigFor(emulator, manifest, directory, { force: true }),
      new TextSink(),
    );
    expect(forced.exitCode).toBe(0);
    expect(readResults(forced.reportDirectory).map((row) => `${row.status}/${row.action}`)).toEqual(
      Array(12).fill('succeeded/updated'),
    );
    expect(emulator.stats().enrollments).toBe(12);

    const requestsBefore = emulator.stats().requests;
    const nightly = await runJob(runConfigFor(emulator, manifest, directory), new TextSink());
    expect(nightly.exitCode).toBe(0);
    expect(emulator.stats().requests).toBe(requestsBefore);
    expect(readResults(nightly.reportDirectory).map((row) => row.status)).toEqual(
      Array(12).fill('unchanged'),
    );
    expect(readSummary(nightly.reportDirectory).requests).toBe(0);
  });

  it('marks the one row a 200 reply names as failed with its code and text, the other nine succeeded, exit 1', async () => {
    const rows = symmetricKeyRows(10);
    await runJob(
      runConfigFor(emulator, writeManifest(directory, [rows[0]!, rows[6]!], 'one.csv'), directory, {
        state: `${directory}/other.db`,
      }),
      new TextSink(),
    );
    const requestsBefore = emulator.stats().requests;

    const result = await runJob(
      runConfigFor(emulator, writeManifest(directory, rows), directory, { mode: 'create' }),
      new TextSink(),
    );

    expect(result.exitCode).toBe(1);
    expect(emulator.stats().requests - requestsBefore).toBe(1);
    const outcomes = readResults(result.reportDirectory);
    expect(outcomes.filter((row) => row.status === 'succeeded')).toHaveLength(9);
    expect(outcomes.find((row) => row.status === 'failed')).toMatchObject({
      line: 7,
      registrationId: 'dev-0006',
      httpStatus: '200',
      errorCode: '409201',
    });
  });

  it('still ends with every row succeeded when the service throttles, retrying some rows', async () => {
    await emulator.close();
    emulator = await startEmulator({ port: 0, operationsPerMinute: 300, burst: 2 });
    const manifest = writeManifest(directory, symmetricKeyRows(60));

    const result = await runJob(
      runConfigFor(emulator, manifest, directory, { concurrency: 4 }),
      new TextSink(),
    );

    expect(result.exitCode).toBe(0);
    const outcomes = readResults(result.reportDirectory);
    expect(outcomes.every((row) => row.status === 'succeeded')).toBe(true);
    expect(outcomes.some((row) => row.attempts > 1)).toBe(true);
    expect(emulator.stats().throttled).toBeGreaterThan(0);
    expect(emulator.stats().enrollments).toBe(60);
    const summary = readSummary(result.reportDirectory);
    expect(summary.throttled).toBe(emulator.stats().throttled);
    expect(summary.requests).toBe(emulator.stats().requests);
  });

  it('sends every row again to a different target: a rehearsal never makes the real run skip rows', async () => {
    const manifest = writeManifest(directory, symmetricKeyRows(12));
    const rehearsal = await runJob(runConfigFor(emulator, manifest, directory), new TextSink());
    expect(rehearsal.exitCode).toBe(0);

    const other = await startEmulator({ port: 0 });
    try {
      const real = await runJob(runConfigFor(other, manifest, directory), new TextSink());

      expect(real.exitCode).toBe(0);
      expect(readResults(real.reportDirectory).map((row) => `${row.status}/${row.action}`)).toEqual(
        Array(12).fill('succeeded/created'),
      );
      expect(other.stats().enrollments).toBe(12);
    } finally {
      await other.close();
    }
  });
});
