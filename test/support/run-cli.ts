import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/dps-bulk.js', import.meta.url));

export interface CliResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a user would, with a controlled environment. */
export function runCli(
  args: string[],
  options: {
    env?: Record<string, string | undefined>;
    cwd?: string;
    onStderr?: (text: string) => void;
  } = {},
): Promise<CliResult> & { child: ReturnType<typeof spawn> } {
  const environment: Record<string, string | undefined> = {
    ...process.env,
    DPS_CONNECTION_STRING: undefined,
    ...options.env,
  };
  for (const key of Object.keys(environment))
    if (environment[key] === undefined) delete environment[key];

  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: environment as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
    options.onStderr?.(String(chunk));
  });

  const done = new Promise<CliResult>((resolve) => {
    child.on('close', (exitCode, signal) => resolve({ exitCode, signal, stdout, stderr }));
  }) as Promise<CliResult> & { child: ReturnType<typeof spawn> };
  done.child = child;
  return done;
}
