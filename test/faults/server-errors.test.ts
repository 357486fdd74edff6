/**
 * Scenario 2: bursts of 500 and 503, injected by the standalone emulator's `--fault-500`,
 * `--fault-503` and `--seed` flags. Either every row gets through within its attempts, or the
 * rows whose calls ran out are `failed` and a rerun with `--only-failed latest` finishes them.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { startEmulatorProcess, type EmulatorHandle } from '../support/faults-emulators.js';
import { createFaultManifest } from '../support/faults-manifest.js';
import { checkRun, recordScenario, runInProcess } from '../support/faults-runs.js';
import { makeTempDir } from '../support/temp-files.js';

describe('fault scenario 2: 5xx bursts from a seeded emulator', () => {
  let emulator: EmulatorHandle | undefined;

  afterEach(async () => {
    await emulator?.stop();
    emulator = undefined;
  });

  it('succeeds within six attempts when 20% of calls get 500 and 10% get 503', async () => {
    emulator = await startEmulatorProcess([
      '--fault-500',
      '20%',
      '--fault-503',
      '10%',
      '--seed',
      '7',
    ]);
    const directory = makeTempDir('dps-bulk-faults-');
    const manifest = createFaultManifest(directory, 150, 'burst-a');

    const run = await runInProcess(emulator, manifest, directory, {
      concurrency: 4,
      maxAttempts: 6,
    });
    const stats = await emulator.stats();
    const checked = await checkRun(manifest, emulator, run, { requestsBefore: 0 });

    expect(run.exitCode).toBe(0);
    expect(checked.report.counts).toEqual({ succeeded: 150 });
    expect(stats.faults).toBeGreaterThan(0);
    expect(checked.report.rows.filter((row) => row.attempts > 1).length).toBeGreaterThan(0);
    expect(checked.report.summary['retries']).toBeGreaterThan(0);

    recordScenario('2a. 5xx burst', '`--fault-500 20% --fault-503 10% --seed 7`, 150 rows', [
      { run: 'run', figures: checked.figures, note: `${stats.faults} calls answered 500/503` },
    ]);
  });

  it('fails rows whose calls ran out of attempts; a rerun of only those finishes', async () => {
    emulator = await startEmulatorProcess(['--fault-500', '50%', '--seed', '11']);
    const directory = makeTempDir('dps-bulk-faults-');
    const manifest = createFaultManifest(directory, 100, 'burst-b');

    // One call at a time: the seed then decides exactly which calls meet the faults.
    const first = await runInProcess(emulator, manifest, directory, {
      concurrency: 1,
      maxAttempts: 2,
    });
    const firstChecked = await checkRun(manifest, emulator, first, { requestsBefore: 0 });
    const failed = firstChecked.report.rows.filter((row) => row.status === 'failed');

    expect(first.exitCode).toBe(1);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.length % 10).toBe(0);
    for (const row of failed) {
      expect(row).toMatchObject({ httpStatus: '500', errorCode: '500000', attempts: 2 });
    }
    expect(firstChecked.report.counts).toEqual({
      succeeded: 100 - failed.length,
      failed: failed.length,
    });

    const second = await runInProcess(emulator, manifest, directory, {
      concurrency: 1,
      maxAttempts: 6,
      onlyFailedRun: 'latest',
    });
    const secondChecked = await checkRun(manifest, emulator, second, {
      requestsBefore: firstChecked.requestsAfterChecks,
    });

    expect(second.exitCode).toBe(0);
    expect(secondChecked.report.counts).toEqual({
      succeeded: failed.length,
      unchanged: 100 - failed.length,
    });
    const retried = new Set(failed.map((row) => row.line));
    for (const row of secondChecked.report.rows) {
      expect(row.status).toBe(retried.has(row.line) ? 'succeeded' : 'unchanged');
    }

    recordScenario(
      '2b. 5xx burst, attempts run out',
      '`--fault-500 50% --seed 11`, 100 rows, `--max-attempts 2`, concurrency 1',
      [
        { run: 'run', figures: firstChecked.figures },
        { run: 'rerun `--only-failed latest`, 6 attempts', figures: secondChecked.figures },
      ],
    );
  });
});
