/**
 * Runs one Node script as a child process and measures it: wall time from spawn to exit, and the
 * child's own peak RSS and CPU time (reported at exit by usage-preload).
 */
import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { USAGE_PATH_VARIABLE, type ProcessUsage } from './process-usage.js';

const DEFAULT_PRELOAD_URL = new URL('./usage-preload.js', import.meta.url).href;

/** Keep at most this much of a child's stdout and stderr, in characters. */
const MAX_CAPTURED_CHARACTERS = 64 * 1024;

export interface MeasuredRunRequest {
  /** Script to run with `node`, e.g. bin/dps-bulk.js. */
  script: string;
  arguments: readonly string[];
  /** Folder for the usage file; the bench's temp folder. */
  workDirectory: string;
  /** Extra environment variables (secrets allowed: they are never printed). */
  environment?: Record<string, string>;
  /** Working directory of the child. @default process.cwd() */
  cwd?: string;
  /**
   * The usage preload to load with `--import`. @default the compiled usage-preload.js next to
   * this module (tests running the TypeScript sources point it at dist/bench/).
   */
  preloadPath?: string;
}

export interface MeasuredRun {
  exitCode: number | null;
  signal: string | null;
  wallMs: number;
  usage: ProcessUsage | undefined;
  stdout: string;
  stderr: string;
}

interface ChildExit {
  exitCode: number | null;
  signal: string | null;
}

let runCounter = 0;

/** Spawns `node --import usage-preload <script> …args` and resolves when the child exits. */
export async function runMeasured(request: MeasuredRunRequest): Promise<MeasuredRun> {
  runCounter += 1;
  const usagePath = join(request.workDirectory, `usage-${process.pid}-${runCounter}.json`);
  const preload = request.preloadPath
    ? pathToFileURL(request.preloadPath).href
    : DEFAULT_PRELOAD_URL;
  const nodeArguments = ['--import', preload, request.script, ...request.arguments];
  const startedAt = performance.now();

  const child = spawn(process.execPath, nodeArguments, {
    cwd: request.cwd ?? process.cwd(),
    env: { ...process.env, ...request.environment, [USAGE_PATH_VARIABLE]: usagePath },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout = captureText(child.stdout);
  const stderr = captureText(child.stderr);

  const { exitCode, signal } = await new Promise<ChildExit>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, closeSignal) => resolve({ exitCode: code, signal: closeSignal }));
  });
  const wallMs = performance.now() - startedAt;

  const usage = await readUsage(usagePath);
  return { exitCode, signal, wallMs, usage, stdout: stdout.text(), stderr: stderr.text() };
}

/** The path of a script compiled next to this module in dist/bench/. */
export function benchScriptPath(fileName: string): string {
  return fileURLToPath(new URL(`./${fileName}`, import.meta.url));
}

async function readUsage(usagePath: string): Promise<ProcessUsage | undefined> {
  try {
    const text = await readFile(usagePath, 'utf8');
    return JSON.parse(text) as ProcessUsage;
  } catch {
    // A child killed by a signal never ran its exit handler: there is no usage to read.
    return undefined;
  } finally {
    await rm(usagePath, { force: true });
  }
}

function captureText(stream: NodeJS.ReadableStream): { text(): string } {
  let captured = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    // Keep the tail: a failing child's last words are the useful ones.
    captured = (captured + chunk).slice(-MAX_CAPTURED_CHARACTERS);
  });
  return { text: () => captured };
}
