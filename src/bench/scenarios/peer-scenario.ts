/**
 * Issue 6 item 3d: the official `azure-iot-provisioning-service` package, driving the bulk call
 * the way its sample does (one call of 10 at a time), against `dps-bulk run` on the same rows,
 * each against its own fresh emulator over HTTPS with the same added latency per call.
 */
import { join } from 'node:path';

import type { BenchContext } from '../bench-context.js';
import type { PeerResults, PeerRun, RunFigures, SdkPeerFigures } from '../bench-results.js';
import { runRun } from '../dps-bulk-process.js';
import { startEmulatorProcess, type EmulatorProcess } from '../emulator-process.js';
import { describeExit, lastLines, processFigures, runFigures } from '../figures.js';
import { benchScriptPath, runMeasured } from '../measured-process.js';
import type { SdkPeerReport } from '../sdk-peer-child.js';

export async function measurePeer(context: BenchContext): Promise<PeerResults> {
  const sdk = await withLatencyEmulator(context, (emulator) => measureSdk(context, emulator));
  const dpsBulk: PeerRun[] = [];

  for (const concurrency of context.plan.peerConcurrencies) {
    const run = await withLatencyEmulator(context, (emulator) =>
      measureDpsBulk(context, emulator, concurrency),
    );
    dpsBulk.push({ concurrency, run, speedup: run.rowsPerSecond / sdk.rowsPerSecond });
  }

  return {
    latencyMs: context.plan.peerLatencyMs,
    rows: context.manifests.peer.rows,
    sdk,
    dpsBulk,
  };
}

async function measureSdk(
  context: BenchContext,
  emulator: EmulatorProcess,
): Promise<SdkPeerFigures> {
  const manifest = context.manifests.peer;
  context.log(
    `peer: the official SDK sends ${manifest.rows.toLocaleString('en-US')} rows, 10 per call`,
  );

  const measured = await runMeasured({
    script: benchScriptPath('sdk-peer-child.js'),
    arguments: [manifest.path],
    workDirectory: context.workDirectory,
    environment: {
      BENCH_CONNECTION_STRING: emulator.connectionString,
      BENCH_CA_PATH: emulator.caPath ?? '',
    },
  });

  if (measured.exitCode !== 0) {
    throw new Error(
      `peer: the SDK child exited ${describeExit(measured)}: ${lastLines(measured.stderr)}`,
    );
  }

  const report = JSON.parse(measured.stdout) as SdkPeerReport;
  return {
    ...processFigures(measured, report.enrolled),
    calls: report.calls,
    failedCalls: report.failedCalls,
    failedItems: report.failedItems,
    ...(report.firstError !== undefined ? { firstError: report.firstError.slice(0, 300) } : {}),
  };
}

async function measureDpsBulk(
  context: BenchContext,
  emulator: EmulatorProcess,
  concurrency: number,
): Promise<RunFigures> {
  const manifest = context.manifests.peer;
  context.log(
    `peer: dps-bulk run on the same ${manifest.rows.toLocaleString('en-US')} rows, ` +
      `--concurrency ${concurrency}`,
  );

  const statePath = join(context.workDirectory, `peer-${concurrency}.db`);
  const result = await runRun(context, manifest.path, emulator, statePath, [
    '--concurrency',
    String(concurrency),
  ]);
  return runFigures(`peer (concurrency ${concurrency})`, result);
}

/** A fresh HTTPS emulator that holds every call for the plan's latency, stopped afterwards. */
async function withLatencyEmulator<Result>(
  context: BenchContext,
  measure: (emulator: EmulatorProcess) => Promise<Result>,
): Promise<Result> {
  const emulator = await startEmulatorProcess({
    cliScript: context.cliScript,
    flags: [
      '--tls',
      '--fault-latency',
      'every:1',
      '--latency-ms',
      String(context.plan.peerLatencyMs),
    ],
    workDirectory: context.workDirectory,
  });

  try {
    return await measure(emulator);
  } finally {
    await emulator.stop();
  }
}
