/**
 * Scenario 3, decommission flavour: `--mode disable` and `--mode delete` are idempotent, so a
 * dropped connection (before or after the service applied the call) must still end every row
 * `succeeded`, with the service holding what the mode asked: every record disabled and otherwise
 * untouched, then no record at all.
 */
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { startEmulatorProcess, type EmulatorHandle } from '../support/faults-emulators.js';
import { createFaultManifest } from '../support/faults-manifest.js';
import { contentProblems } from '../support/faults-invariants.js';
import { checkReport } from '../support/faults-invariants.js';
import { recordScenario, runInProcess } from '../support/faults-runs.js';
import { makeTempDir } from '../support/temp-files.js';

const ROWS = 60;

describe('fault scenario 3b: disable and delete through dropped connections', () => {
  let emulator: EmulatorHandle | undefined;

  afterEach(async () => {
    await emulator?.stop();
    emulator = undefined;
  });

  it('disables, then deletes, every enrollment as asked while connections drop', async () => {
    const directory = makeTempDir('dps-bulk-faults-');
    const statePath = join(directory, 'emulator-state.jsonl');
    const manifest = createFaultManifest(directory, ROWS, 'retire');
    const clean = await startEmulatorProcess(['--state', statePath]);
    emulator = clean;
    const created = await runInProcess(clean, manifest, directory);
    expect(created.exitCode).toBe(0);
    await clean.stop();

    // The same service, restarted with one connection in four dropped, half before and half after.
    const flaky = ['--fault-drop-before', '12%', '--fault-drop-after', '12%', '--seed', '21'];
    emulator = await startEmulatorProcess([
      '--state',
      statePath,
      '--port',
      String(clean.port),
      ...flaky,
    ]);
    const service = emulator;

    const disabled = await runInProcess(service, manifest, directory, { mode: 'disable' });
    const disabledStats = await service.stats();
    const disabledReport = checkReport(manifest, disabled.reportDirectory!, disabled.exitCode);
    const afterDisable = await service.reader.readAll(true);

    expect(disabled.exitCode).toBe(0);
    expect(disabledReport.counts).toEqual({ succeeded: ROWS });
    expect(
      disabledReport.rows.filter((row) => row.action !== 'disabled' && row.action !== 'none'),
    ).toEqual([]);
    expect(afterDisable.size).toBe(ROWS);
    const disabledProblems = manifest.rows.flatMap((row) =>
      contentProblems(
        { ...row, provisioningStatus: 'disabled' },
        afterDisable.get(row.registrationId.toLowerCase())!,
        true,
      ),
    );
    expect(disabledProblems).toEqual([]);

    const beforeDelete = await service.stats();
    const deleted = await runInProcess(service, manifest, directory, { mode: 'delete' });
    const deletedStats = await service.stats();
    const deletedReport = checkReport(manifest, deleted.reportDirectory!, deleted.exitCode);
    const afterDelete = await service.reader.readAll(false);

    expect(deleted.exitCode).toBe(0);
    expect(deletedReport.counts).toEqual({ succeeded: ROWS });
    expect(
      deletedReport.rows.filter((row) => row.action !== 'deleted' && row.action !== 'none'),
    ).toEqual([]);
    expect(afterDelete.size).toBe(0);
    expect(deletedStats.faults).toBeGreaterThan(beforeDelete.faults);
    expect(Object.keys(deletedStats.createsPerId)).toEqual([]);

    const figures = (report: typeof disabledReport, exitCode: number | null, requests: number) => ({
      exitCode,
      counts: report.counts,
      requests,
      mostCreatesOfOneId: 0,
      retried: report.rows.filter((row) => row.attempts > 1).length,
    });
    recordScenario(
      '3b. disable then delete, connections dropped',
      `\`--fault-drop-before 12% --fault-drop-after 12% --seed 21\`, ${ROWS} rows`,
      [
        {
          run: '`--mode disable`',
          figures: figures(disabledReport, disabled.exitCode, disabledStats.requests),
          note: `all ${ROWS} held, disabled, content kept`,
        },
        {
          run: '`--mode delete`',
          figures: figures(
            deletedReport,
            deleted.exitCode,
            deletedStats.requests - beforeDelete.requests,
          ),
          note: 'none held',
        },
      ],
    );
  });
});
