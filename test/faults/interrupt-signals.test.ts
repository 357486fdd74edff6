/**
 * Scenario 6: SIGINT or SIGTERM mid-run. The run stops reading, lets calls in flight finish,
 * writes its report with every unsent row `pending`, and exits 130 (SIGINT) or 143 (SIGTERM);
 * a rerun with the same state then finishes every row without resending the done ones.
 */
import { afterEach, describe, expect, it } from 'vitest';

import {
  startEmulatorProcess,
  waitUntil,
  type EmulatorHandle,
} from '../support/faults-emulators.js';
import { createFaultManifest } from '../support/faults-manifest.js';
import {
  checkRun,
  finishCliRun,
  recordScenario,
  reportFolderNames,
  startCliRun,
} from '../support/faults-runs.js';
import { makeTempDir } from '../support/temp-files.js';

const ROWS = 100;

describe('fault scenario 6: SIGINT and SIGTERM mid-run', () => {
  let emulator: EmulatorHandle | undefined;

  afterEach(async () => {
    await emulator?.stop();
    emulator = undefined;
  });

  it('keeps a call unanswered at --drain-timeout pending; --only-failed finishes it', async () => {
    // Call 3 is applied, then its answer is held 4 s: longer than the 1 s the drain may take.
    emulator = await startEmulatorProcess(['--fault-slow', 'at:3', '--slow-ms', '4000']);
    const directory = makeTempDir('dps-bulk-faults-');
    const manifest = createFaultManifest(directory, ROWS, 'drain');
    const access = emulator;

    const running = startCliRun(access, manifest, directory, [
      '--concurrency',
      '1',
      '--drain-timeout',
      '1',
    ]);
    await waitUntil('the third request', async () => (await access.stats()).requests >= 3);
    running.child.kill('SIGINT');
    const stopped = await finishCliRun(running, directory, new Set());
    const checked = await checkRun(manifest, emulator, stopped, {
      requestsBefore: 0,
      strict: false,
    });

    expect(stopped.exitCode).toBe(130);
    expect(checked.report.counts).toEqual({ succeeded: 20, pending: ROWS - 20 });
    const unanswered = manifest.rows.slice(20, 30).map((row) => row.line);
    // The ten rows of the held call are pending, and their records exist: outcome unknown.
    const pendingHeld = checked.report.rows.filter(
      (row) => row.status === 'pending' && checked.held.has(row.registrationId.toLowerCase()),
    );
    expect(pendingHeld.map((row) => row.line)).toEqual(unanswered);
    for (const line of unanswered)
      expect(checked.report.rows[line - 2]!.message).toContain('drain timeout');
    expect(checked.held.size).toBe(30);

    const before = new Set(reportFolderNames(directory));
    const rerun = await finishCliRun(
      startCliRun(access, manifest, directory, ['--only-failed', 'latest']),
      directory,
      before,
    );
    const rerunChecked = await checkRun(manifest, emulator, rerun, {
      requestsBefore: checked.requestsAfterChecks,
    });

    expect(rerun.exitCode).toBe(0);
    expect(rerunChecked.report.counts).toEqual({ unchanged: 20, succeeded: ROWS - 20 });
    const verified = rerunChecked.report.rows.filter((row) =>
      row.message.includes('stored as sent'),
    );
    expect(verified.map((row) => row.line)).toEqual(unanswered);

    recordScenario(
      '6. SIGINT with a call outlasting --drain-timeout, rerun --only-failed',
      `call 3 answered after 4 s, \`--drain-timeout 1\`, ${ROWS} rows`,
      [
        {
          run: 'run (SIGINT)',
          figures: checked.figures,
          note: '10 rows of the unanswered call pending, their records held',
        },
        {
          run: 'rerun `--only-failed latest`',
          figures: rerunChecked.figures,
          note: 'those 10 read back and matched',
        },
      ],
    );
  });

  it('regression bugs.md #1: only rows whose call went out are said to be in flight', async () => {
    emulator = await startEmulatorProcess(['--fault-slow', 'at:3', '--slow-ms', '4000']);
    const directory = makeTempDir('dps-bulk-faults-');
    const manifest = createFaultManifest(directory, 50, 'drain-message');
    const access = emulator;

    const running = startCliRun(access, manifest, directory, [
      '--concurrency',
      '1',
      '--drain-timeout',
      '1',
    ]);
    await waitUntil('the third request', async () => (await access.stats()).requests >= 3);
    running.child.kill('SIGINT');
    const stopped = await finishCliRun(running, directory, new Set());
    const checked = await checkRun(manifest, emulator, stopped, {
      requestsBefore: 0,
      strict: false,
    });

    expect(stopped.exitCode).toBe(130);
    expect(checked.figures.requests).toBe(3);
    const pending = checked.report.rows.filter((row) => row.status === 'pending');
    const sent = pending.filter((row) => checked.held.has(row.registrationId.toLowerCase()));
    const neverSent = pending.filter((row) => !checked.held.has(row.registrationId.toLowerCase()));

    // Lines 22-31: their call went out (attempt 1) and was applied; nobody heard the answer.
    expect(sent.map((row) => `${row.line}:${row.attempts}`)).toEqual(
      manifest.rows.slice(20, 30).map((row) => `${row.line}:1`),
    );
    for (const row of sent) expect(row.message).toContain('still in flight');
    // The rest were never sent: no attempt, and no claim that a call was in flight.
    for (const row of neverSent) {
      expect(row.attempts, `line ${row.line}`).toBe(0);
      expect(row.message, `line ${row.line}`).not.toContain('in flight');
    }
  });

  for (const [signal, exitCode] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`${signal} exits ${exitCode} with unsent rows pending; a rerun finishes`, async () => {
      // The first six calls are each held 400 ms: the signal always finds one in flight.
      emulator = await startEmulatorProcess([
        '--fault-latency',
        'at:1,2,3,4,5,6',
        '--latency-ms',
        '400',
      ]);
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
        expect(row.message).toMatch(
          /^not (sent|decided): the run was interrupted.*; rerun to finish/,
        );
      }

      const before = new Set(reportFolderNames(directory));
      const rerun = await finishCliRun(startCliRun(access, manifest, directory), directory, before);
      const rerunChecked = await checkRun(manifest, emulator, rerun, {
        requestsBefore: checked.requestsAfterChecks,
      });

      expect(rerun.exitCode).toBe(0);
      expect(rerunChecked.report.counts).toEqual({ unchanged: done, succeeded: pending });
      expect(rerunChecked.figures.requests).toBe(Math.ceil(pending / 10));

      recordScenario(
        `6. ${signal} mid-run, rerun`,
        `first 6 calls held 400 ms, ${ROWS} rows, ${signal} while call 3 is in flight`,
        [
          { run: `run (${signal})`, figures: checked.figures },
          { run: 'rerun', figures: rerunChecked.figures },
        ],
      );
    });
  }
});
