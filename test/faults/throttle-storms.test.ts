/**
 * Scenario 1: 429 storms. The emulator's quota is far below what the client starts at (the
 * client is given no quota, so it adapts), with and without `Retry-After`. Every row must end
 * `succeeded`, some only after more than one attempt, none `failed` from throttling.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { startInProcessEmulator, type EmulatorHandle } from '../support/faults-emulators.js';
import { createFaultManifest } from '../support/faults-manifest.js';
import { checkRun, recordScenario, runInProcess } from '../support/faults-runs.js';
import { makeTempDir } from '../support/temp-files.js';

const ROWS = 80;
const OPERATIONS_PER_MINUTE = 300;

describe('fault scenario 1: 429 storms', () => {
  let emulator: EmulatorHandle | undefined;

  afterEach(async () => {
    await emulator?.stop();
    emulator = undefined;
  });

  for (const retryAfter of [true, false]) {
    const variant = retryAfter ? 'with Retry-After' : 'without Retry-After';

    it(`ends every row succeeded through a 429 storm ${variant}, retrying some`, async () => {
      emulator = await startInProcessEmulator({
        operationsPerMinute: OPERATIONS_PER_MINUTE,
        burst: 1,
        retryAfter,
      });
      const directory = makeTempDir('dps-bulk-faults-');
      const manifest = createFaultManifest(directory, ROWS, retryAfter ? 'storm-a' : 'storm-b');

      const run = await runInProcess(emulator, manifest, directory, { concurrency: 4 });
      const stats = await emulator.stats();
      const checked = await checkRun(manifest, emulator, run, {
        requestsBefore: 0,
        withKeys: false,
      });

      expect(run.exitCode).toBe(0);
      expect(checked.report.counts).toEqual({ succeeded: ROWS });
      expect(stats.throttled).toBeGreaterThan(0);
      expect(checked.report.rows.filter((row) => row.attempts > 1).length).toBeGreaterThan(0);
      expect(checked.report.summary['throttled']).toBe(stats.throttled);
      expect(checked.report.summary['requests']).toBe(stats.requests);
      // Every call that got through carried ten rows: 8 operations, the rest were 429s.
      expect(stats.operations).toBe(ROWS / 10);
      expect(stats.requests).toBe(stats.operations + stats.throttled);

      recordScenario(
        `1. 429 storm ${variant}`,
        `quota ${OPERATIONS_PER_MINUTE}/min, burst 1, ${ROWS} rows`,
        [{ run: 'run', figures: checked.figures, note: `${stats.throttled} answers were 429` }],
      );
    });
  }
});
