/**
 * Issue 6 item 3c: `dps-bulk run` against an emulator that enforces a quota, once told the quota
 * (`--ops-per-minute`) and once adaptive: enrollments per second as a share of the quota's
 * ceiling, and the share of calls answered 429. Each run gets a fresh emulator and state.
 */
import { join } from 'node:path';

import { MAX_BULK_ITEMS } from '../../dps/contract/index.js';
import type { BenchContext } from '../bench-context.js';
import type { ThrottledResults, ThrottledRun } from '../bench-results.js';
import { runRun } from '../dps-bulk-process.js';
import { startEmulatorProcess } from '../emulator-process.js';
import { runFigures } from '../figures.js';

export async function measureThrottled(context: BenchContext): Promise<ThrottledResults> {
  const operationsPerMinute = context.plan.throttledOperationsPerMinute;
  const quotaFlags = ['--ops-per-minute', String(operationsPerMinute)];

  const runs = [
    await measureOne(context, 'quota given', quotaFlags),
    await measureOne(context, 'adaptive', []),
  ];

  return { operationsPerMinute, burst: "emulator default (one second's worth)", runs };
}

async function measureOne(
  context: BenchContext,
  label: ThrottledRun['label'],
  flags: string[],
): Promise<ThrottledRun> {
  const operationsPerMinute = context.plan.throttledOperationsPerMinute;
  const manifest = context.manifests.throttled;
  const emulator = await startEmulatorProcess({
    cliScript: context.cliScript,
    flags: ['--ops-per-minute', String(operationsPerMinute)],
    workDirectory: context.workDirectory,
  });

  try {
    context.log(
      `throttled (${label}): ${manifest.rows.toLocaleString('en-US')} rows against ` +
        `${operationsPerMinute.toLocaleString('en-US')} operations per minute`,
    );
    const statePath = join(context.workDirectory, `throttled-${label.replace(' ', '-')}.db`);
    const before = await emulator.counters();
    const result = await runRun(context, manifest.path, emulator, statePath, flags);
    const run = runFigures(`throttled (${label})`, result);
    const after = await emulator.counters();

    // Each HTTP call is one operation; a full call enrolls MAX_BULK_ITEMS devices.
    const ceilingPerSecond = (operationsPerMinute / 60) * MAX_BULK_ITEMS;
    return {
      label,
      flags,
      run,
      ceilingPerSecond,
      shareOfCeiling: run.rowsPerSecond / ceilingPerSecond,
      throttledShare: run.requests > 0 ? run.throttled / run.requests : 0,
      emulatorRequests: after.requests - before.requests,
      emulatorThrottled: after.throttled - before.throttled,
    };
  } finally {
    await emulator.stop();
  }
}
