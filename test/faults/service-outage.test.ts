/**
 * Scenario 10: an outage. The service answers 503 to everything from some point on, or stops
 * answering at all. After `--outage-threshold` consecutive failures the run stops instead of
 * burning through the manifest: exit 4, the rest `pending`, none `failed`. Once the service is
 * healthy again (restarted on the same port with its state file), a rerun finishes.
 */
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import {
  startEmulatorProcess,
  startInProcessEmulator,
  waitUntil,
  type EmulatorHandle,
} from '../support/faults-emulators.js';
import { createFaultManifest } from '../support/faults-manifest.js';
import {
  checkRun,
  finishCliRun,
  recordScenario,
  reportFolderNames,
  runInProcess,
  startCliRun,
} from '../support/faults-runs.js';
import { makeTempDir } from '../support/temp-files.js';

const ROWS = 200;
const THRESHOLD = ['--outage-threshold', '5', '--max-attempts', '6'];

/** `at:from,…,to`: every request ordinal in the range. */
function ordinals(from: number, to: number): string {
  return `at:${Array.from({ length: to - from + 1 }, (_, index) => from + index).join(',')}`;
}

describe('fault scenario 10: service outage', () => {
  let emulator: EmulatorHandle | undefined;

  afterEach(async () => {
    await emulator?.stop();
    emulator = undefined;
  });

  it('exits 4, rest pending, when all calls get 503 after two; a rerun finishes', async () => {
    const directory = makeTempDir('dps-bulk-faults-');
    const statePath = join(directory, 'emulator-state.jsonl');
    const manifest = createFaultManifest(directory, ROWS, 'outage-503');
    const failing = await startEmulatorProcess([
      '--state',
      statePath,
      '--fault-503',
      ordinals(3, 400),
    ]);
    emulator = failing;

    const run = await finishCliRun(
      startCliRun(failing, manifest, directory, ['--concurrency', '1', ...THRESHOLD]),
      directory,
      new Set(),
    );
    const outageStats = await failing.stats();
    await failing.stop();

    // Healthy again, with the same records: the checks can read it now.
    emulator = await startEmulatorProcess(['--state', statePath, '--port', String(failing.port)]);
    const healthy = emulator;
    const checked = await checkRun(manifest, healthy, run, {
      requestsBefore: 0,
      earlierLives: outageStats,
    });

    expect(run.exitCode).toBe(4);
    expect(checked.report.counts).toEqual({ succeeded: 20, pending: ROWS - 20 });
    expect(outageStats.requests).toBe(2 + 5);

    const before = new Set(reportFolderNames(directory));
    const rerun = await finishCliRun(
      startCliRun(healthy, manifest, directory, THRESHOLD),
      directory,
      before,
    );
    const rerunChecked = await checkRun(manifest, healthy, rerun, {
      requestsBefore: checked.requestsAfterChecks,
      earlierLives: outageStats,
    });

    expect(rerun.exitCode).toBe(0);
    expect(rerunChecked.report.counts).toEqual({ unchanged: 20, succeeded: ROWS - 20 });
    expect(rerunChecked.figures.requests).toBe((ROWS - 20) / 10);

    recordScenario(
      '10a. outage: 503 to everything after 2 calls',
      `\`--fault-503 at:3…\`, ${ROWS} rows, \`--outage-threshold 5\``,
      [
        {
          run: 'run',
          figures: { ...checked.figures, requests: outageStats.requests },
          note: 'stopped after 5 consecutive 503',
        },
        { run: 'rerun (healthy)', figures: rerunChecked.figures },
      ],
    );
  });

  it('exits 4, rest pending, when the service goes away; a rerun finishes later', async () => {
    const directory = makeTempDir('dps-bulk-faults-');
    const statePath = join(directory, 'emulator-state.jsonl');
    const manifest = createFaultManifest(directory, ROWS, 'outage-gone');
    const slow = { latency: { kind: 'every', interval: 1 }, latencyMs: 100 } as const;
    const first = await startInProcessEmulator({ statePath, faults: slow });
    emulator = first;

    const running = runInProcess(first, manifest, directory, {
      concurrency: 2,
      outageThreshold: 5,
    });
    await waitUntil(
      '4 requests before the service goes away',
      async () => (await first.stats()).requests >= 4,
    );
    await first.stop();
    const firstLife = await first.stats();
    emulator = undefined;
    const run = await running;

    emulator = await startInProcessEmulator({ statePath, port: first.port });
    const back = emulator;
    const checked = await checkRun(manifest, back, run, {
      requestsBefore: 0,
      earlierLives: firstLife,
    });
    const done = checked.report.counts['succeeded'] ?? 0;

    expect(run.exitCode).toBe(4);
    expect(checked.report.counts).toEqual({ succeeded: done, pending: ROWS - done });
    expect(done).toBe(firstLife.enrollments);
    expect(ROWS - done).toBeGreaterThan(0);

    const rerun = await runInProcess(back, manifest, directory, {
      concurrency: 2,
      outageThreshold: 5,
    });
    const rerunChecked = await checkRun(manifest, back, rerun, {
      requestsBefore: checked.requestsAfterChecks,
      earlierLives: firstLife,
    });

    expect(rerun.exitCode).toBe(0);
    expect(rerunChecked.report.counts).toEqual({ unchanged: done, succeeded: ROWS - done });

    recordScenario(
      '10b. outage: service gone',
      `emulator stopped after 4 calls, ${ROWS} rows, outage threshold 5`,
      [
        {
          run: 'run',
          figures: { ...checked.figures, requests: firstLife.requests },
          note: 'connections refused: stopped',
        },
        { run: 'rerun (service back)', figures: rerunChecked.figures },
      ],
    );
  });
});
