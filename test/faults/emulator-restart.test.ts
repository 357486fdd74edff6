/**
 * Scenario 5: the emulator is stopped mid-run and started again on the same port with its state
 * file (`statePath`), as a service restart. Calls held at the stop are never answered. The run
 * must retry through the gap and finish, or stop with exit 4 and let a rerun finish; records
 * created before the restart survive it, and no ID is created twice over both lives.
 */
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import type { EmulatorStats } from '../../src/emulator/index.js';
import {
  addStats,
  startInProcessEmulator,
  waitUntil,
  type EmulatorHandle,
} from '../support/faults-emulators.js';
import { createFaultManifest } from '../support/faults-manifest.js';
import { checkRun, recordScenario, runInProcess, type CheckedRun } from '../support/faults-runs.js';
import { makeTempDir } from '../support/temp-files.js';

const ROWS = 300;

describe('fault scenario 5: emulator restarted mid-run with its state file', () => {
  let emulator: EmulatorHandle | undefined;

  afterEach(async () => {
    await emulator?.stop();
    emulator = undefined;
  });

  it('finishes across the restart (or exits 4 and a rerun does); none created twice', async () => {
    const directory = makeTempDir('dps-bulk-faults-');
    const statePath = join(directory, 'emulator-state.jsonl');
    const manifest = createFaultManifest(directory, ROWS, 'restart');
    const slow = { kind: 'every', interval: 1 } as const;
    const first = await startInProcessEmulator({
      statePath,
      faults: { latency: slow, latencyMs: 100 },
    });
    emulator = first;

    const running = runInProcess(first, manifest, directory, { concurrency: 2 });
    await waitUntil(
      '6 requests before the restart',
      async () => (await first.stats()).requests >= 6,
    );
    await first.stop();
    const firstLife: EmulatorStats = await first.stats();
    emulator = await startInProcessEmulator({ statePath, port: first.port });
    const second = emulator;

    const run = await running;
    const secondLife = await second.stats();
    const checked = await checkRun(manifest, second, run, {
      requestsBefore: 0,
      strict: run.exitCode === 0,
      earlierLives: firstLife,
    });

    expect(firstLife.enrollments).toBeGreaterThan(0);
    expect(firstLife.enrollments).toBeLessThan(ROWS);
    // The client also counts attempts refused while nothing listened; the emulator never saw those.
    expect(checked.report.summary['requests']).toBeGreaterThanOrEqual(
      firstLife.requests + secondLife.requests,
    );
    expect([0, 4]).toContain(run.exitCode);

    const runs: Array<{ run: string; checked: CheckedRun; requests: number }> = [
      { run: 'run (restart mid-run)', checked, requests: firstLife.requests + secondLife.requests },
    ];

    if (run.exitCode === 0) {
      expect(checked.report.counts).toEqual({ succeeded: ROWS });
    } else {
      const rerun = await runInProcess(second, manifest, directory, { concurrency: 2 });
      const rerunChecked = await checkRun(manifest, second, rerun, {
        requestsBefore: checked.requestsAfterChecks,
        earlierLives: firstLife,
      });
      expect(rerun.exitCode).toBe(0);
      runs.push({ run: 'rerun', checked: rerunChecked, requests: rerunChecked.figures.requests });
    }

    const lifetime = addStats(firstLife, secondLife);
    recordScenario(
      '5. emulator restarted mid-run (state file, same port)',
      `latency 100 ms per call before the restart, ${ROWS} rows`,
      runs.map((entry) => ({
        run: entry.run,
        figures: { ...entry.checked.figures, requests: entry.requests },
        note:
          `${firstLife.enrollments} held at the restart; ` +
          `${lifetime.requests} requests over both lives`,
      })),
    );
  });
});
