/**
 * Scenario 8: two runs started at once on the same state store. One takes the run lock and
 * finishes; the other exits at once with code 3, naming the holder (pid, host, start time), and
 * writes no report.
 */
import { hostname } from 'node:os';

import { afterEach, describe, expect, it } from 'vitest';

import { startEmulatorProcess, type EmulatorHandle } from '../support/faults-emulators.js';
import { createFaultManifest } from '../support/faults-manifest.js';
import {
  checkRun,
  recordScenario,
  reportFolderNames,
  startCliRun,
} from '../support/faults-runs.js';
import { makeTempDir } from '../support/temp-files.js';

const ROWS = 100;

describe('fault scenario 8: two runs at once on one state store', () => {
  let emulator: EmulatorHandle | undefined;

  afterEach(async () => {
    await emulator?.stop();
    emulator = undefined;
  });

  it('lets one run finish and stops the other at once with exit 3, naming the holder', async () => {
    // Each of the ten calls is held 300 ms, so the holder is still running when the other starts.
    emulator = await startEmulatorProcess([
      '--fault-latency',
      'at:1,2,3,4,5,6,7,8,9,10',
      '--latency-ms',
      '300',
    ]);
    const directory = makeTempDir('dps-bulk-faults-');
    const manifest = createFaultManifest(directory, ROWS, 'twins');
    const startedAfter = Date.now();

    const runs = [
      startCliRun(emulator, manifest, directory, ['--concurrency', '1']),
      startCliRun(emulator, manifest, directory, ['--concurrency', '1']),
    ];
    const loserIndex = await Promise.race(runs.map((run, index) => run.then(() => index)));
    const loser = await runs[loserIndex]!;
    const winnerRun = runs[1 - loserIndex]!;
    const winnerStillRunning = winnerRun.child.exitCode === null;
    const winner = await winnerRun;

    expect(loser.exitCode).toBe(3);
    expect(winnerStillRunning).toBe(true);
    expect(winner.exitCode).toBe(0);

    const folders = reportFolderNames(directory);
    expect(folders).toHaveLength(1);
    const winnerRunId = folders[0]!;
    const named =
      /locked by run (\S+) \(pid (\d+) on (.+), started (\S+)\); not starting a second run/.exec(
        loser.stderr,
      );
    expect(named, loser.stderr).not.toBeNull();
    const [, runId, pid, host, startedAt] = named!;
    expect(runId).toBe(winnerRunId);
    expect(Number(pid)).toBe(winnerRun.child.pid);
    expect(host).toBe(hostname());
    expect(Date.parse(startedAt!)).toBeGreaterThanOrEqual(startedAfter - 1_000);
    expect(Date.parse(startedAt!)).toBeLessThanOrEqual(Date.now());

    const checked = await checkRun(
      manifest,
      emulator,
      {
        exitCode: winner.exitCode,
        reportDirectory: `${directory}/reports/${winnerRunId}`,
        stderr: winner.stderr,
      },
      { requestsBefore: 0 },
    );
    expect(checked.report.counts).toEqual({ succeeded: ROWS });
    expect(checked.figures.requests).toBe(ROWS / 10);

    recordScenario(
      '8. two runs at once, one state store',
      `two CLI runs started together, ${ROWS} rows, calls held 300 ms`,
      [
        { run: 'holder', figures: checked.figures },
        {
          run: 'second run',
          figures: {
            exitCode: 3,
            counts: {},
            requests: 0,
            mostCreatesOfOneId: checked.figures.mostCreatesOfOneId,
            retried: 0,
          },
          note: 'exit 3 at once, holder named (pid, host, start time); no report',
        },
      ],
    );
  });
});
