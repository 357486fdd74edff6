/**
 * `dps-bulk emulator`: runs the local DPS emulator until SIGINT or SIGTERM. It prints exactly
 * one JSON line to stdout (endpoint and connection string) and nothing else there, so a script
 * can read it; refusals go to stderr through the program's error handling.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';

import {
  emulatorOptionsFromFlags,
  type EmulatorCommandFlags,
} from '../../emulator/command-flags.js';
import { startEmulator, type RunningEmulator } from '../../emulator/index.js';
import { EmulatorOptionsError } from '../../emulator/settings.js';
import { StateFileError } from '../../emulator/state-file.js';
import { EXIT_CODES, JobError } from '../../job/exit-codes.js';

const collect = (value: string, list: string[]): string[] => [...list, value];

/** Adds `dps-bulk emulator` and its flags to the program; the action runs until SIGINT/SIGTERM. */
export function registerEmulatorCommand(program: Command): void {
  const command = program
    .command('emulator')
    .description(
      'run a local DPS service emulator on loopback until Ctrl-C; prints one JSON line ' +
        '{"endpoint","connectionString"} to stdout',
    );

  addServerOptions(command);
  addFaultOptions(command);
  addBehaviorOptions(command);
  command.action(async (flags: EmulatorCommandFlags) => {
    const running = await start(flags);
    process.stdout.write(`${JSON.stringify(describeForStdout(running))}\n`);
    await waitForStopSignal();
    await running.close();
  });
}

function addServerOptions(command: Command): void {
  command
    .option('--host <address>', 'interface to listen on', '127.0.0.1')
    .option('--port <number>', 'TCP port; 0 picks a free one', '8443')
    .option(
      '--ops-per-minute <n>',
      'throttle: token bucket refilled at n operations per minute (off when absent)',
    )
    .option('--burst <n>', "throttle bucket size in operations (default: one second's worth)")
    .option('--no-retry-after', 'answer 429 without a Retry-After header')
    .option('--count-bulk-items', 'a bulk call costs one operation per item, not one per call')
    .option(
      '--linked-hub <host>',
      'IoT hub linked to this DPS (repeatable; with none, any *.azure-devices.net counts)',
      collect,
      [],
    )
    .option(
      '--policy <name:permissions[:key]>',
      'shared access policy, e.g. reader:EnrollmentRead (repeatable; default: ' +
        'provisioningserviceowner with every permission)',
      collect,
      [],
    )
    .option(
      '--bearer-token <token>',
      'accept this Microsoft Entra bearer token (repeatable)',
      collect,
      [],
    )
    .option('--state <file>', 'keep enrollments and policy keys in this file across restarts')
    .option(
      '--tls',
      'serve HTTPS with a generated CA and loopback certificate (CA printed as caCertificate)',
    )
    .option('--cert <file>', 'serve HTTPS with this PEM certificate (with --key)')
    .option('--key <file>', 'PEM private key for --cert')
    .option('--max-body-bytes <n>', 'largest request body in bytes', '98304');
}

function addFaultOptions(command: Command): void {
  const trigger = 'rate (0.05 or 5%), "at:1,4,9" or "every:N"';
  command
    .option('--seed <n>', 'seed of the fault random stream (repeatable runs)')
    .option('--fault-500 <trigger>', `answer 500 without applying: ${trigger}`)
    .option('--fault-503 <trigger>', `answer 503 without applying: ${trigger}`)
    .option('--fault-latency <trigger>', `add --latency-ms before handling: ${trigger}`)
    .option('--latency-ms <ms>', 'added latency in milliseconds', '200')
    .option('--fault-drop-before <trigger>', `close the connection before applying: ${trigger}`)
    .option('--fault-drop-after <trigger>', `apply, then close the connection: ${trigger}`)
    .option('--fault-slow <trigger>', `apply, then hold the answer for --slow-ms: ${trigger}`)
    .option('--slow-ms <ms>', 'delay of a slow answer in milliseconds', '60000');
}

function addBehaviorOptions(command: Command): void {
  command
    .option(
      '--registration-id-rule <rule>',
      'docs (last character alphanumeric or -) or spec (first and last alphanumeric)',
      'docs',
    )
    .option('--id-case <case>', 'stored ID casing: preserve or lower', 'preserve')
    .option(
      '--update-missing <answer>',
      'bulk update of a missing ID: not-found (404201) or create',
      'not-found',
    )
    .option(
      '--if-match-missing <answer>',
      'If-Match on a missing ID: not-found or precondition-failed',
      'not-found',
    )
    .option(
      '--permission-denied-status <status>',
      'status when a policy lacks a permission: 401 or 403',
      '403',
    )
    .option('--page-size <n>', 'query page size when the client sends none; 0 = all', '100')
    .option('--tpm-check <level>', 'TPM endorsement key check: none, base64 or structure', 'none')
    .option('--no-device-id-check', "do not check deviceId against IoT Hub's device ID rules")
    .option('--exact-bulk-mode', 'bulk mode must be spelled as the spec does (updateIfMatchETag)')
    .option(
      '--keys-on-update <policy>',
      'update without symmetric keys: keep or regenerate',
      'keep',
    );
}

async function start(flags: EmulatorCommandFlags): Promise<RunningEmulator> {
  try {
    const options = emulatorOptionsFromFlags(flags, (path) => readFileSync(path, 'utf8'));

    return await startEmulator(options);
  } catch (error) {
    if (error instanceof EmulatorOptionsError || error instanceof StateFileError) {
      throw new JobError(`emulator: ${error.message}`, EXIT_CODES.configuration);
    }

    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      const message = `emulator: cannot listen on ${flags.host}:${flags.port} (${code})`;
      throw new JobError(message, EXIT_CODES.configuration);
    }

    throw error;
  }
}

function describeForStdout(running: RunningEmulator): Record<string, unknown> {
  const line: Record<string, unknown> = {
    endpoint: running.endpoint,
    connectionString: running.connectionString,
  };
  if (running.caCertificate !== undefined) line['caCertificate'] = running.caCertificate;
  if (Object.keys(running.connectionStrings).length > 1) {
    line['connectionStrings'] = running.connectionStrings;
  }

  return line;
}

function waitForStopSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
