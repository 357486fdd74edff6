/**
 * Emulators for the fault-injection suite, behind one small handle whatever runs them:
 * - in this process (`startEmulator`), when a test restarts it on the same port or swaps its
 *   policy key mid-run;
 * - as the standalone `dps-bulk emulator` command in its own process, driven by its fault flags,
 *   as an operator would run a rehearsal.
 * Counters are read over `GET /__emulator/stats` in both cases, so a test reads them the same way.
 */
import { spawn, type ChildProcess } from 'node:child_process';

import {
  startEmulator,
  type EmulatorOptions,
  type EmulatorStats,
  type RunningEmulator,
} from '../../src/emulator/index.js';
import { ServiceReader, type ServiceAccess } from './faults-service-reader.js';
import { BIN } from './run-cli.js';

const POLL_INTERVAL_MS = 20;
const START_TIMEOUT_MS = 15_000;

/** A running emulator, wherever it runs. */
export interface EmulatorHandle extends ServiceAccess {
  port: number;
  /** Reads records and counters through the API; shared by the test's checks. */
  reader: ServiceReader;
  stats(): Promise<EmulatorStats>;
  /** Stops it (writing its state file, when it has one). In this process, `stats()` still answers
   * afterwards with the final counters of the life that ended. */
  stop(): Promise<void>;
}

/** An emulator in this process. `running` is exposed for the few tests that need its handle. */
export async function startInProcessEmulator(
  options: EmulatorOptions,
): Promise<EmulatorHandle & { running: RunningEmulator }> {
  const running = await startEmulator({ port: 0, ...options });
  const port = Number(new URL(running.endpoint).port);
  const reader = new ServiceReader(running);

  return {
    running,
    port,
    endpoint: running.endpoint,
    connectionString: running.connectionString,
    reader,
    stats: async () => running.stats(),
    // The service first: nothing may be applied after a test read the counters of a stopped one.
    stop: async () => {
      await running.close();
      await reader.close();
    },
  };
}

/**
 * `dps-bulk emulator` in a child process with these command-line flags (`--port 0` unless the
 * flags give one). Resolves once it printed its JSON line.
 */
export async function startEmulatorProcess(
  flags: string[],
): Promise<EmulatorHandle & { child: ChildProcess }> {
  const hasPort = flags.includes('--port');
  const child = spawn(
    process.execPath,
    [BIN, 'emulator', ...(hasPort ? [] : ['--port', '0']), ...flags],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const line = await firstStdoutLine(child);
  const started = JSON.parse(line) as { endpoint: string; connectionString: string };
  const reader = new ServiceReader(started);

  return {
    child,
    port: Number(new URL(started.endpoint).port),
    endpoint: started.endpoint,
    connectionString: started.connectionString,
    reader,
    stats: () => reader.stats(),
    stop: async () => {
      await stopChild(child);
      await reader.close();
    },
  };
}

/** Waits until `condition` holds, checking every 20 ms; fails after `timeoutMs` saying what. */
export async function waitUntil(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;

  while (!(await condition())) {
    if (Date.now() > deadline)
      throw new Error(`waited ${timeoutMs} ms for ${what}; it never happened`);
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

/** Adds the counters of two lives of one emulator (a restart starts them at zero). */
export function addStats(first: EmulatorStats, second: EmulatorStats): EmulatorStats {
  const createsPerId: Record<string, number> = { ...first.createsPerId };
  for (const [id, count] of Object.entries(second.createsPerId)) {
    createsPerId[id] = (createsPerId[id] ?? 0) + count;
  }

  return {
    requests: first.requests + second.requests,
    operations: first.operations + second.operations,
    throttled: first.throttled + second.throttled,
    faults: first.faults + second.faults,
    enrollments: second.enrollments,
    enrollmentGroups: second.enrollmentGroups,
    createsPerId,
  };
}

function firstStdoutLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`emulator process printed nothing in ${START_TIMEOUT_MS} ms; stderr: ${stderr}`),
      );
    }, START_TIMEOUT_MS);

    child.stderr!.on('data', (chunk) => (stderr += chunk));
    child.stdout!.on('data', (chunk) => {
      stdout += chunk;
      const end = stdout.indexOf('\n');
      if (end < 0) return;

      clearTimeout(timer);
      resolve(stdout.slice(0, end));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`emulator process exited with ${code} before starting; stderr: ${stderr}`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();

  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
