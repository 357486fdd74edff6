/**
 * Issue 6 items 3b and 3e: `dps-bulk run` on the small manifest against a standalone emulator
 * without throttling (enrollments per second, and the CPU share of each side), then the same
 * command again with the same --state: the nightly rerun of an unchanged manifest. Where
 * /dev/shm exists, one more run keeps its state store in memory, to show what the store's disk
 * syncs cost.
 */
import { mkdtemp, stat } from 'node:fs/promises';
import { join } from 'node:path';

import type { BenchContext } from '../bench-context.js';
import type { EndToEndResults, NightlyResults, RunFigures } from '../bench-results.js';
import { runRun, runValidate } from '../dps-bulk-process.js';
import { startEmulatorProcess, type EmulatorProcess } from '../emulator-process.js';
import { runFigures } from '../figures.js';
import { removeTemporaryPath, trackTemporaryPath } from '../temporary-paths.js';

/** A side whose CPU share is at least this close to one core is taken as the bottleneck. */
const BUSY_CORE_SHARE = 0.85;

/** A memory-backed file system on Linux; absent elsewhere, and then that run is skipped. */
const MEMORY_FILE_SYSTEM = '/dev/shm';

interface MeasuredRunWithEmulator {
  run: RunFigures;
  emulatorCpuShare: number;
}

export interface EndToEndAndNightly {
  endToEnd: EndToEndResults;
  nightly: NightlyResults;
}

/**
 * Runs both measurements. `validateWallSeconds` is validate on the same file, taken by the parse
 * scenario; when that did not run, validate is measured here.
 */
export async function measureEndToEnd(
  context: BenchContext,
  validateWallSeconds: number | undefined,
): Promise<EndToEndAndNightly> {
  const manifest = context.manifests.small;
  const statePath = join(context.workDirectory, 'end-to-end-state.db');
  const emulator = await startPlainEmulator(context);

  try {
    context.log(`end to end: dps-bulk run on ${manifest.rows.toLocaleString('en-US')} rows`);
    const { run, emulatorCpuShare } = await measureRun(context, emulator, statePath);

    context.log('nightly: the same run again over the unchanged manifest and the same --state');
    const secondRun = await runRun(context, manifest.path, emulator, statePath);
    const rerun = runFigures('nightly rerun', secondRun);
    const validateSeconds = validateWallSeconds ?? (await measureValidateSeconds(context));

    const endToEnd: EndToEndResults = {
      run,
      emulatorCpuShare,
      boundBy: boundBy(run.cpuShare, emulatorCpuShare),
    };
    const memoryState = await measureWithMemoryState(context);
    if (memoryState !== undefined) {
      endToEnd.memoryState = memoryState;
    }

    return {
      endToEnd,
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

async function measureValidateSeconds(context: BenchContext): Promise<number> {
  context.log('nightly: dps-bulk validate on the same file, for comparison');
  const result = await runValidate(context, context.manifests.small.path);
  return result.process.wallMs / 1000;
}

/** One first run of the small manifest, with the emulator's CPU time over the run's wall. */
async function measureRun(
  context: BenchContext,
  emulator: EmulatorProcess,
  statePath: string,
): Promise<MeasuredRunWithEmulator> {
  const cpuBeforeMs = await emulator.cpuMs();
  const result = await runRun(context, context.manifests.small.path, emulator, statePath);
  const run = runFigures('end to end', result);
  const emulatorCpuMs = (await emulator.cpuMs()) - cpuBeforeMs;

  return { run, emulatorCpuShare: emulatorCpuMs / (run.wallSeconds * 1000) };
}

/** The same first run, on a fresh emulator, with the state store in memory (no disk syncs). */
async function measureWithMemoryState(
  context: BenchContext,
): Promise<MeasuredRunWithEmulator | undefined> {
  if (!(await isDirectory(MEMORY_FILE_SYSTEM))) {
    context.log(`end to end: no ${MEMORY_FILE_SYSTEM}, so no run with the state in memory`);
    return undefined;
  }

  const memoryDirectory = await mkdtemp(join(MEMORY_FILE_SYSTEM, 'dps-bulk-bench-'));
  trackTemporaryPath(memoryDirectory);

  try {
    const emulator = await startPlainEmulator(context);
    try {
      context.log(`end to end: the same run with --state in ${MEMORY_FILE_SYSTEM}`);
      return await measureRun(context, emulator, join(memoryDirectory, 'state.db'));
    } finally {
      await emulator.stop();
    }
  } finally {
    await removeTemporaryPath(memoryDirectory);
  }
}

function startPlainEmulator(context: BenchContext): Promise<EmulatorProcess> {
  return startEmulatorProcess({
    cliScript: context.cliScript,
    flags: [],
    workDirectory: context.workDirectory,
  });
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
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
