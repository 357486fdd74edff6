/**
 * Scenario 6: SIGINT or SIGTERM mid-run. The run stops reading, lets calls in flight finish,
 * writes its report with every unsent row `pending`, and exits 130 (SIGINT) or 143 (SIGTERM);
 * a rerun with the same state then finishes every row without resending the done ones.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { startEmulatorProcess, waitUntil, type EmulatorHandle } from '../support/faults-emulators.js';
import { createFaultManifest } from '../support/faults-manifest.js';
import { checkRun, finishCliRun, recordScenario, reportFolderNames, startCliRun } from '../support/faults-runs.js';
import { makeTempDir } from '../support/temp-files.js';

const ROWS = 100;

describe('fault scenario 6: SIGINT and SIGTERM mid-run', () => {
  let emulator: EmulatorHandle | undefined;

  afterEach(async () => {
    await emulator?.stop();
    emulator = undefined;
  });

  for (const [signal, exitCode] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`exits ${exitCode} on ${signal} with the report written and unsent rows pending, then a rerun finishes`, async () => {
      // The first six calls are each held 400 ms: the signal always finds one in flight.
      emulator = await startEmulatorProcess(['--fault-latency', 'at:1,2,3,4,5,6', '--latency-ms', '400']);
      const directory = makeTempDir('dps-bulk-faults-');
      const manifest = createFaultManifest(directory, ROWS, `signal-${exitCode}`);
      const access = emulator;

      const running = startCliRun(access, manifest, directory, ['--concurrency', '1']);
      await waitUntil('3 requests', async () => (await access.stats()).requests >= 3);
      running.child.kill(signal);
      const stopped = await finishCliRun(running, directory, new Set());
      const checked = await checkRun(manifest, emulator, stopped, { requestsBefore: 0 });

      expect(stopped.exitCode).toBe(exitCode);
      expect(checked.report.summary['stopReason']).toBe('interrupt');
      const done = checked.report.counts['succeeded'] ?? 0;
      const pending = checked.report.counts['pending'] ?? 0;
      expect(checked.report.counts).toEqual({ succeeded: done, pending });
      expect(done).toBeGreaterThanOrEqual(30);
      expect(pending).toBeGreaterThan(0);
      // The call in flight at the signal finished: every call the service saw was reported.
      expect(done).toBe(10 * checked.figures.requests);
      for (const row of checked.report.rows.filter((entry) => entry.status === 'pending')) {
        expect(row).toMatchObject({ action: 'none', attempts: 0, httpStatus: '' });
        // "not sent" (never batched) or "not decided" (batched, its call never started).
        expect(row.message).toMatch(/^not (sent|decided): the run was interrupted.*; rerun to finish/);
      }

      const before = new Set(reportFolderNames(directory));
      const rerun = await finishCliRun(startCliRun(access, manifest, directory), directory, before);
      const rerunChecked = await checkRun(manifest, emulator, rerun, { requestsBefore: checked.requestsAfterChecks });

      expect(rerun.exitCode).toBe(0);
      expect(rerunChecked.report.counts).toEqual({ unchanged: done, succeeded: pending });
      expect(rerunChecked.figures.requests).toBe(Math.ceil(pending / 10));

      recordScenario(`6. ${signal} mid-run, rerun`, `first 6 calls held 400 ms, ${ROWS} rows, ${signal} while call 3 is in flight`, [
        { run: `run (${signal})`, figures: checked.figures },
        { run: 'rerun', figures: rerunChecked.figures },
      ]);
    });
  }
});
