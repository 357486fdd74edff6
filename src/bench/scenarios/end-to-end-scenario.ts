/**
 * Issue 6 items 3b and 3e: `dps-bulk run` on the small manifest against a standalone emulator
 * without throttling (enrollments per second, and the CPU share of each side), then the same
 * command again with the same --state: the nightly rerun of an unchanged manifest.
 */
import { join } from 'node:path';

import type { BenchContext } from '../bench-context.js';
import type { EndToEndResults, NightlyResults } from '../bench-results.js';
import { runRun } from '../dps-bulk-process.js';
import { startEmulatorProcess } from '../emulator-process.js';
import { runFigures } from '../figures.js';

/** A side whose CPU share is at least this close to one core is taken as the bottleneck. */
const BUSY_CORE_SHARE = 0.85;

export interface EndToEndAndNightly {
  endToEnd: EndToEndResults;
  nightly: NightlyResults;
}

/** Runs both measurements on one emulator; `validateWallSeconds` is validate on the same file. */
export async function measureEndToEnd(
  context: BenchContext,
  validateWallSeconds: number | undefined,
): Promise<EndToEndAndNightly> {
  const manifest = context.manifests.small;
  const statePath = join(context.workDirectory, 'end-to-end-state.db');
  const emulator = await startEmulatorProcess({
    cliScript: context.cliScript,
    flags: [],
    workDirectory: context.workDirectory,
  });

  try {
    context.log(`end to end: dps-bulk run on ${manifest.rows.toLocaleString('en-US')} rows`);
    const cpuBeforeMs = await emulator.cpuMs();
    const firstRun = await runRun(context, manifest.path, emulator, statePath);
    const first = runFigures('end to end', firstRun);
    const emulatorCpuShare = ((await emulator.cpuMs()) - cpuBeforeMs) / (first.wallSeconds * 1000);

    context.log('nightly: the same run again over the unchanged manifest and the same --state');
    const secondRun = await runRun(context, manifest.path, emulator, statePath);
    const rerun = runFigures('nightly rerun', secondRun);
    const validateSeconds = validateWallSeconds ?? Number.NaN;

    return {
      endToEnd: {
        run: first,
        emulatorCpuShare,
        boundBy: boundBy(first.cpuShare, emulatorCpuShare),
      },
      nightly: {
        rows: manifest.rows,
        rerun,
        validateWallSeconds: validateSeconds,
        ratioToValidate: rerun.wallSeconds / validateSeconds,
      },
    };
  } finally {
    await emulator.stop();
  }
}

function boundBy(
  clientShare: number | undefined,
  emulatorShare: number,
): EndToEndResults['boundBy'] {
  const client = clientShare ?? 0;
  if (client < BUSY_CORE_SHARE && emulatorShare < BUSY_CORE_SHARE) {
    return 'neither';
  }

  return client >= emulatorShare ? 'dps-bulk' : 'emulator';
}
