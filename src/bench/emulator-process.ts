/**
 * The standalone emulator as a child process (`dps-bulk emulator --port 0 …`): started, read
 * from its one JSON line, asked for its stats, measured for CPU through /proc, and stopped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { assertLoopback, getLoopbackJson } from './loopback-json.js';
import { readProcessCpuMs } from './process-usage.js';

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

let caFileCounter = 0;

/** Counters of GET /__emulator/stats that the bench reads. */
export interface EmulatorCounters {
  requests: number;
  operations: number;
  throttled: number;
  enrollments: number;
}

export interface StartEmulatorRequest {
  /** Script of the CLI, e.g. bin/dps-bulk.js. */
  cliScript: string;
  /** Flags after `emulator --port 0`, e.g. ['--ops-per-minute', '6000']. */
  flags: readonly string[];
  /** Folder where the CA certificate is written when the emulator serves TLS. */
  workDirectory: string;
}

export interface EmulatorProcess {
  pid: number;
  endpoint: URL;
  /** Secret: handed to children through their environment only, never printed. */
  connectionString: string;
  /** Path of the emulator's CA (PEM) when it serves TLS. */
  caPath?: string;
  caCertificate?: string;
  counters(): Promise<EmulatorCounters>;
  cpuMs(): Promise<number>;
  stop(): Promise<void>;
}

interface ReadyLine {
  endpoint: string;
  connectionString: string;
  caCertificate?: string;
}

/** Starts the emulator and resolves once it has printed its JSON line. */
export async function startEmulatorProcess(
  request: StartEmulatorRequest,
): Promise<EmulatorProcess> {
  const child = spawn(
    process.execPath,
    [request.cliScript, 'emulator', '--port', '0', ...request.flags],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const stderr = collectTail(child);

  const ready = await readReadyLine(child, stderr);
  const endpoint = new URL(ready.endpoint);
  assertLoopback(endpoint);

  const certificate = await resolveCaCertificate(ready.caCertificate, request.workDirectory);
  const statsUrl = new URL('/__emulator/stats', endpoint);

  return {
    pid: child.pid ?? 0,
    endpoint,
    connectionString: ready.connectionString,
    ...certificate,
    counters: async () =>
      (await getLoopbackJson(statsUrl, certificate.caCertificate)) as EmulatorCounters,
    cpuMs: () => readProcessCpuMs(child.pid ?? 0),
    stop: () => stopChild(child),
  };
}

async function readReadyLine(child: ChildProcess, stderr: () => string): Promise<ReadyLine> {
  if (child.stdout === null) {
    throw new Error('bench: the emulator child has no stdout');
  }

  const lines = createInterface({ input: child.stdout });
  const timer = setTimeout(() => child.kill('SIGTERM'), START_TIMEOUT_MS);

  try {
    for await (const line of lines) {
      const parsed = JSON.parse(line) as Partial<ReadyLine>;
      if (typeof parsed.endpoint === 'string' && typeof parsed.connectionString === 'string') {
        return parsed as ReadyLine;
      }
    }
  } finally {
    clearTimeout(timer);
    lines.close();

    // Keep draining stdout so a chatty child can never block on a full pipe.
    child.stdout.resume();
  }

  throw new Error(`bench: the emulator exited before printing its JSON line: ${stderr()}`);
}

/** The ready line may carry the CA as PEM text or as a file path; the bench wants both. */
async function resolveCaCertificate(
  caCertificate: string | undefined,
  workDirectory: string,
): Promise<{ caPath?: string; caCertificate?: string }> {
  if (caCertificate === undefined) {
    return {};
  }

  if (!caCertificate.includes('-----BEGIN')) {
    return { caPath: caCertificate, caCertificate: await readFile(caCertificate, 'utf8') };
  }

  caFileCounter += 1;
  const caPath = join(workDirectory, `emulator-ca-${caFileCounter}.pem`);
  await writeFile(caPath, caCertificate);
  return { caPath, caCertificate };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }

  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

function collectTail(child: ChildProcess): () => string {
  let tail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-4_000);
  });
  return () => tail;
}
