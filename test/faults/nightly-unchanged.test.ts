/**
 * Scenario 9: the nightly rerun. A second run over an unchanged 10,000-row manifest with the same
 * state store sends no request at all, reports every row `unchanged`, and exits 0.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { startInProcessEmulator, type EmulatorHandle } from '../support/faults-emulators.js';
import { createFaultManifest } from '../support/faults-manifest.js';
import {
  checkRun,
  finishCliRun,
  recordScenario,
  reportFolderNames,
  startCliRun,
} from '../support/faults-runs.js';
import { makeTempDir } from '../support/temp-files.js';

const ROWS = 10_000;

describe('fault scenario 9: nightly rerun of an unchanged manifest', () => {
  let emulator: EmulatorHandle | undefined;

  afterEach(async () => {
    await emulator?.stop();
    emulator = undefined;
  });

  it('sends no request and exits 0 when rerun over an unchanged 10,000-row manifest', async () => {
    emulator = await startInProcessEmulator({});
    const directory = makeTempDir('dps-bulk-faults-');
    const manifest = createFaultManifest(directory, ROWS, 'nightly');

    // The first run is a CLI process too: the client and the emulator each get a core.
    const first = await finishCliRun(
      startCliRun(emulator, manifest, directory, ['--concurrency', '8']),
      directory,
      new Set(),
    );
    // One query reads all 10,000 records; reading every key back would cost 10,000 more calls.
    const firstChecked = await checkRun(manifest, emulator, first, {
      requestsBefore: 0,
      withKeys: false,
    });

    expect(first.exitCode).toBe(0);
    expect(firstChecked.report.counts).toEqual({ succeeded: ROWS });
    expect(firstChecked.figures.requests).toBe(ROWS / 10);

    const before = new Set(reportFolderNames(directory));
    const nightly = await finishCliRun(
      startCliRun(emulator, manifest, directory),
      directory,
      before,
    );
    const nightlyChecked = await checkRun(manifest, emulator, nightly, {
      requestsBefore: firstChecked.requestsAfterChecks,
      withKeys: false,
      heldBefore: firstChecked.held,
    });

    expect(nightly.exitCode).toBe(0);
    expect(nightlyChecked.figures.requests).toBe(0);
    expect(nightlyChecked.report.summary['requests']).toBe(0);
    expect(nightlyChecked.report.counts).toEqual({ unchanged: ROWS });
    expect(nightlyChecked.report.rows.filter((row) => row.attempts !== 0)).toEqual([]);
    const rewritten = [...nightlyChecked.held].filter(
      ([id, record]) => record.etag !== firstChecked.held.get(id)?.etag,
    );
    expect(rewritten.map(([id]) => id)).toEqual([]);

    recordScenario(
      '9. nightly rerun, unchanged manifest',
      `${ROWS.toLocaleString('en')} rows, same state store`,
      [
        { run: 'first run (CLI)', figures: firstChecked.figures },
        {
          run: 'nightly rerun (CLI)',
          figures: nightlyChecked.figures,
          note: 'no request; every etag unchanged',
        },
      ],
    );
  });
});
