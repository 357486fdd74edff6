import { join } from 'node:path';
import { Writable } from 'node:stream';

import type { RunningEmulator } from '../../src/emulator/index.js';
import { targetFromConnectionString } from '../../src/cli/resolve-target.js';
import type { RunConfig, RunMode } from '../../src/job/run-config.js';

/** A run configuration aimed at an emulator, reports and state in `directory`. */
export function runConfigFor(
  emulator: RunningEmulator,
  manifestPath: string,
  directory: string,
  overrides: {
    mode?: RunMode;
    force?: boolean;
    state?: string;
    concurrency?: number;
    maxAttempts?: number;
    onlyFailedRun?: string;
    operationsPerMinute?: number;
  } = {},
): RunConfig {
  return {
    manifest: { path: manifestPath, strict: false },
    report: { directory: join(directory, 'reports'), progress: false, logLevel: 'debug' },
    target: targetFromConnectionString(emulator.connectionString, 'emulator', {
      endpoint: emulator.endpoint,
    }),
    dispatch: {
      mode: overrides.mode ?? 'upsert',
      concurrency: overrides.concurrency ?? 4,
      maxAttempts: overrides.maxAttempts ?? 6,
      ...(overrides.operationsPerMinute
        ? { operationsPerMinute: overrides.operationsPerMinute }
        : {}),
      requestTimeoutMs: 10_000,
      outageThreshold: 20,
    },
    state: {
      path: overrides.state ?? join(directory, 'state.db'),
      force: overrides.force ?? false,
      ...(overrides.onlyFailedRun ? { onlyFailedRun: overrides.onlyFailedRun } : {}),
    },
    drainTimeoutMs: 5_000,
    optionsForReport: { test: true },
  };
}

/** Collects what the job prints to stderr. */
export class TextSink extends Writable {
  text = '';

  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += String(chunk);
    done();
  }
}
