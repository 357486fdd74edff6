/**
 * Scenario 3: connections dropped before the service applied a call, and after it applied it
 * without answering (the ambiguous case), injected by the standalone emulator's
 * `--fault-drop-before` / `--fault-drop-after`. No ID may be created twice and every row must
 * end correct, in `--mode create` too: a `409201` on a resent create is read back and compared,
 * and ends `succeeded` only when the stored record is what was sent.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { startEmulatorProcess, type EmulatorHandle } from '../support/faults-emulators.js';
import { createFaultManifest, writeFaultManifest } from '../support/faults-manifest.js';
import { checkRun, recordScenario, runInProcess } from '../support/faults-runs.js';
import { makeTempDir } from '../support/temp-files.js';

const ROWS = 150;

describe('fault scenario 3: dropped connections', () => {
  let emulator: EmulatorHandle | undefined;

  afterEach(async () => {
    await emulator?.stop();
    emulator = undefined;
  });

  const cases = [
    { name: 'before apply', flag: '--fault-drop-before', mode: 'upsert', seed: '3' },
    { name: 'after apply', flag: '--fault-drop-after', mode: 'upsert', seed: '5' },
    { name: 'after apply', flag: '--fault-drop-after', mode: 'create', seed: '5' },
  ] as const;

  for (const { name, flag, mode, seed } of cases) {
    it(`succeeds once per ID with 20% of connections dropped ${name} (${mode})`, async () => {
      emulator = await startEmulatorProcess([flag, '20%', '--seed', seed]);
      const directory = makeTempDir('dps-bulk-faults-');
      const manifest = createFaultManifest(directory, ROWS, `drop-${mode}-${seed}`);

      const run = await runInProcess(emulator, manifest, directory, { mode });
      const stats = await emulator.stats();
      const checked = await checkRun(manifest, emulator, run, { requestsBefore: 0 });

      expect(run.exitCode).toBe(0);
      expect(checked.report.counts).toEqual({ succeeded: ROWS });
      expect(stats.faults).toBeGreaterThan(0);
      expect(stats.enrollments).toBe(ROWS);
      expect(Object.keys(stats.createsPerId)).toHaveLength(ROWS);
      expect(checked.report.rows.filter((row) => row.attempts > 1).length).toBeGreaterThan(0);

      const verified = checked.report.rows.filter((row) => row.message.includes('stored as sent'));
      if (flag === '--fault-drop-after') expect(verified.length).toBeGreaterThan(0);
      else expect(verified).toEqual([]);

      recordScenario(
        `3. connection dropped ${name}, --mode ${mode}`,
        `\`${flag} 20% --seed ${seed}\`, ${ROWS} rows`,
        [
          {
            run: 'run',
            figures: checked.figures,
            note: `${stats.faults} drops; ${verified.length} rows verified by reading back`,
          },
        ],
      );
    });
  }

  it("succeeds once per ID when answers outlast the client's timeout (--mode create)", async () => {
    // Four of the run's first calls are applied, then answered only after the client's timeout.
    emulator = await startEmulatorProcess(['--fault-slow', 'at:2,5,9,13', '--slow-ms', '2000']);
    const directory = makeTempDir('dps-bulk-faults-');
    const manifest = createFaultManifest(directory, 100, 'slow-create');

    const run = await runInProcess(emulator, manifest, directory, {
      mode: 'create',
      requestTimeoutMs: 500,
    });
    const stats = await emulator.stats();
    const checked = await checkRun(manifest, emulator, run, { requestsBefore: 0 });
    const verified = checked.report.rows.filter((row) => row.message.includes('stored as sent'));

    expect(run.exitCode).toBe(0);
    expect(checked.report.counts).toEqual({ succeeded: 100 });
    expect(stats.faults).toBe(4);
    expect(verified.length).toBeGreaterThan(0);

    recordScenario(
      '3. answer later than the client timeout, --mode create',
      '`--fault-slow at:2,5,9,13 --slow-ms 2000`, request timeout 0.5 s, 100 rows',
      [
        {
          run: 'run',
          figures: checked.figures,
          note: `${stats.faults} answers held; ${verified.length} rows verified by reading back`,
        },
      ],
    );
  });

  it('reruns to finish a create applied but never answered (--mode create)', async () => {
    emulator = await startEmulatorProcess(['--fault-drop-after', 'at:1']);
    const directory = makeTempDir('dps-bulk-faults-');
    const manifest = createFaultManifest(directory, 50, 'drop-rerun');

    const first = await runInProcess(emulator, manifest, directory, {
      mode: 'create',
      concurrency: 1,
      maxAttempts: 1,
    });
    const firstChecked = await checkRun(manifest, emulator, first, {
      requestsBefore: 0,
      strict: false,
    });
    const unknown = firstChecked.report.rows.filter((row) => row.status === 'failed');

    expect(first.exitCode).toBe(1);
    expect(unknown.map((row) => row.line)).toEqual(
      manifest.rows.slice(0, 10).map((row) => row.line),
    );
    for (const row of unknown) expect(row).toMatchObject({ httpStatus: '', attempts: 1 });
    expect(firstChecked.held.size).toBe(50);

    const second = await runInProcess(emulator, manifest, directory, {
      mode: 'create',
      concurrency: 1,
    });
    const secondChecked = await checkRun(manifest, emulator, second, {
      requestsBefore: firstChecked.requestsAfterChecks,
    });

    expect(second.exitCode).toBe(0);
    expect(secondChecked.report.counts).toEqual({ succeeded: 10, unchanged: 40 });
    for (const row of secondChecked.report.rows.slice(0, 10)) {
      expect(row).toMatchObject({ status: 'succeeded', action: 'created', httpStatus: '200' });
      expect(row.message).toContain('stored as sent');
    }

    recordScenario(
      '3. drop after apply, attempts run out, --mode create, rerun',
      '`--fault-drop-after at:1`, 50 rows, `--max-attempts 1`',
      [
        {
          run: 'run',
          figures: firstChecked.figures,
          note: '10 rows failed with no answer; all 50 held',
        },
        {
          run: 'rerun (same state)',
          figures: secondChecked.figures,
          note: '409201 read back and matched: succeeded',
        },
      ],
    );
  });

  it('fails a resent create whose stored record differs, naming the field', async () => {
    emulator = await startEmulatorProcess(['--fault-drop-after', 'at:1']);
    const directory = makeTempDir('dps-bulk-faults-');
    const manifest = createFaultManifest(directory, 20, 'drop-differs');

    const first = await runInProcess(emulator, manifest, directory, {
      mode: 'create',
      concurrency: 1,
      maxAttempts: 1,
    });
    const firstChecked = await checkRun(manifest, emulator, first, {
      requestsBefore: 0,
      strict: false,
    });
    expect(firstChecked.report.counts).toEqual({ failed: 10, succeeded: 10 });

    // The user edits row 3 before the rerun: the record the lost create stored is not this row.
    const edited = manifest.rows.map((row, index) =>
      index === 2 ? { ...row, tags: { site: 'moved' } } : row,
    );
    const editedManifest = writeFaultManifest(directory, edited, 'edited.csv');

    const second = await runInProcess(emulator, editedManifest, directory, {
      mode: 'create',
      concurrency: 1,
    });
    const secondChecked = await checkRun(editedManifest, emulator, second, {
      requestsBefore: firstChecked.requestsAfterChecks,
      heldBefore: firstChecked.held,
    });

    expect(second.exitCode).toBe(1);
    expect(secondChecked.report.counts).toEqual({ succeeded: 9, failed: 1, unchanged: 10 });
    const conflict = secondChecked.report.rows[2]!;
    expect(conflict).toMatchObject({
      status: 'failed',
      errorCode: '409201',
      registrationId: edited[2]!.registrationId,
    });
    expect(conflict.message).toContain('differs from this row');
    expect(conflict.message).toContain('tags');

    recordScenario(
      '3. drop after apply, row edited before the rerun, --mode create',
      '`--fault-drop-after at:1`, 20 rows, `--max-attempts 1`',
      [
        { run: 'run', figures: firstChecked.figures },
        {
          run: 'rerun with row 3 edited',
          figures: secondChecked.figures,
          note: 'row 3: 409201, read back, differs: failed',
        },
      ],
    );
  });
});
