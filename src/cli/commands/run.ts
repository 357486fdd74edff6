import { Option, type Command } from 'commander';

import { startEmulator, type RunningEmulator } from '../../emulator/index.js';
import { EXIT_CODES, JobError } from '../../job/exit-codes.js';
import { runJob } from '../../job/run-job.js';
import type { RunConfig, RunMode, ServiceTarget } from '../../job/run-config.js';
import { parseEndpoint, parseMode, parsePositiveInteger, parseSeconds } from '../option-parsers.js';
import { resolveServiceTarget, targetFromConnectionString } from '../resolve-target.js';
import {
  addManifestAndReportOptions,
  manifestConfigFrom,
  reportConfigFrom,
  type ManifestAndReportFlags,
} from './shared-options.js';

interface RunFlags extends ManifestAndReportFlags {
  mode: RunMode;
  concurrency: number;
  maxAttempts: number;
  opsPerMinute?: number;
  requestTimeout: number;
  outageThreshold: number;
  endpoint?: string;
  caCert?: string;
  emulator?: boolean;
  state?: string;
  force?: boolean;
  onlyFailed?: string;
  drainTimeout: number;
}

export function registerRunCommand(program: Command, setExitCode: (code: number) => void): void {
  const command = program
    .command('run')
    .description('check the manifest and send its rows to DPS in bulk calls; write the report')
    .argument('<manifest>', 'CSV or JSONL manifest')
    .addOption(
      new Option('--mode <mode>', 'upsert, create, delete or disable')
        .default('upsert')
        .argParser(parseMode),
    )
    .addOption(
      new Option('--concurrency <n>', 'bulk calls in flight at once')
        .default(4)
        .argParser(parsePositiveInteger),
    )
    .addOption(
      new Option('--max-attempts <n>', 'HTTP attempts per call before its rows fail')
        .default(6)
        .argParser(parsePositiveInteger),
    )
    .addOption(
      new Option(
        '--ops-per-minute <n>',
        'the service quota (units × 1000); adaptive when absent',
      ).argParser(parsePositiveInteger),
    )
    .addOption(
      new Option('--request-timeout <seconds>', 'give up on one HTTP attempt after this long')
        .default(30)
        .argParser(parseSeconds),
    )
    .addOption(
      new Option(
        '--outage-threshold <n>',
        'consecutive timeouts or 5xx after which the run stops (exit 4)',
      )
        .default(20)
        .argParser(parsePositiveInteger),
    )
    .addOption(
      new Option('--endpoint <url>', 'base URL to call instead of https://<HostName>').argParser(
        parseEndpoint,
      ),
    )
    .option(
      '--ca-cert <file>',
      'extra CA certificate (PEM) to trust, for a proxy or emulator over HTTPS',
    )
    .option('--emulator', 'start the local DPS emulator in-process and run against it (no Azure)')
    .option('--state <file>', 'SQLite state store (default: <report-dir>/state.db)')
    .option('--force', 'send every row, even rows the state store shows unchanged')
    .option(
      '--only-failed <run>',
      'take only rows that did not succeed in that run (report folder or "latest")',
    )
    .addOption(
      new Option(
        '--drain-timeout <seconds>',
        'after SIGINT/SIGTERM, how long calls in flight may finish',
      )
        .default(30)
        .argParser(parseSeconds),
    );

  addManifestAndReportOptions(command).action(async (manifestPath: string, flags: RunFlags) => {
    if (flags.emulator && flags.endpoint !== undefined) {
      throw new JobError(
        '--emulator starts its own emulator; --endpoint cannot point it elsewhere. Use one: ' +
          '--emulator alone, or --endpoint with DPS_CONNECTION_STRING for a standalone emulator',
        EXIT_CODES.configuration,
      );
    }

    const emulator = flags.emulator ? await startEmulator({ port: 0 }) : undefined;

    try {
      const target = emulator ? emulatorTarget(emulator) : resolveServiceTarget(flags, process.env);
      const result = await runJob(runConfigFrom(manifestPath, flags, target), process.stderr);
      setExitCode(result.exitCode);
    } finally {
      await emulator?.close();
    }
  });
}

function emulatorTarget(emulator: RunningEmulator): ServiceTarget {
  return targetFromConnectionString(emulator.connectionString, 'emulator', {
    endpoint: emulator.endpoint,
  });
}

function runConfigFrom(manifestPath: string, flags: RunFlags, target: ServiceTarget): RunConfig {
  return {
    manifest: manifestConfigFrom(manifestPath, flags),
    report: reportConfigFrom(flags),
    target,
    dispatch: {
      mode: flags.mode,
      concurrency: flags.concurrency,
      maxAttempts: flags.maxAttempts,
      ...(flags.opsPerMinute !== undefined ? { operationsPerMinute: flags.opsPerMinute } : {}),
      requestTimeoutMs: flags.requestTimeout * 1000,
      outageThreshold: flags.outageThreshold,
    },
    state: {
      path: flags.state ?? `${flags.reportDir}/state.db`,
      force: flags.force === true,
      ...(flags.onlyFailed !== undefined ? { onlyFailedRun: flags.onlyFailed } : {}),
    },
    drainTimeoutMs: flags.drainTimeout * 1000,
    optionsForReport: optionsForReport(manifestPath, flags),
  };
}

/** The flags as given; none of them is a secret (the connection string only comes from the env). */
function optionsForReport(manifestPath: string, flags: RunFlags): Record<string, unknown> {
  return { command: 'run', manifest: manifestPath, ...flags };
}
