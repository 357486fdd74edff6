/**
 * Runs state-store code in child processes, so tests can race two processes for the lock and
 * SIGKILL a writer. Children are plain Node: the store's sources and the child scripts are
 * transpiled (types dropped, nothing bundled) into a temp folder that mirrors the repository.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

import ts from 'typescript';

const REPOSITORY = fileURLToPath(new URL('../..', import.meta.url));

/** Folders transpiled for children, relative to the repository. */
const CHILD_SOURCE_FOLDERS = ['src/state', 'test/state/fixtures'];

/** Transpiles the store and the child scripts under `directory`; returns the script runner. */
export function prepareChildScripts(directory: string): ChildScripts {
  for (const folder of CHILD_SOURCE_FOLDERS) {
    transpileFolder(folder, directory);
  }

  // Children resolve better-sqlite3 from the repository's installed packages.
  symlinkSync(join(REPOSITORY, 'node_modules'), join(directory, 'node_modules'), 'dir');

  return new ChildScripts(directory);
}

function transpileFolder(folder: string, directory: string): void {
  const target = join(directory, folder);
  mkdirSync(target, { recursive: true });

  for (const name of readdirSync(join(REPOSITORY, folder))) {
    if (!name.endsWith('.ts')) {
      continue;
    }

    const source = readFileSync(join(REPOSITORY, folder, name), 'utf8');
    const output = ts.transpileModule(source, {
      compilerOptions: {
        module: ts.ModuleKind.ES2022,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
      },
    });
    writeFileSync(join(target, name.replace(/\.ts$/, '.js')), output.outputText);
  }
}

export class ChildScripts {
  readonly #directory: string;
  readonly #running = new Set<RunningChild>();

  constructor(directory: string) {
    this.#directory = directory;
  }

  /** Starts `test/state/fixtures/<name>.js` with `args`. */
  start(name: string, args: string[]): RunningChild {
    const script = join(this.#directory, 'test/state/fixtures', `${name}.js`);
    const child = new RunningChild(spawn(process.execPath, [script, ...args]));
    this.#running.add(child);

    return child;
  }

  /** SIGKILLs every child still running, and waits for each to be reaped. */
  async killAll(): Promise<void> {
    await Promise.all([...this.#running].map((child) => child.kill()));
    this.#running.clear();
  }
}

/** A child whose stdout is read line by line; stderr is kept for failure messages. */
export class RunningChild {
  readonly pid: number;
  readonly exited: Promise<number | null>;
  readonly #process: ChildProcessWithoutNullStreams;
  readonly #lines: AsyncIterator<string>;
  #stderr = '';

  constructor(child: ChildProcessWithoutNullStreams) {
    this.#process = child;
    this.pid = child.pid ?? -1;
    this.exited = new Promise((resolveExit) => child.once('close', resolveExit));
    this.#lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    child.stderr.on('data', (chunk: Buffer) => {
      this.#stderr += chunk.toString();
    });
  }

  /** The next stdout line; throws with the child's stderr if it ended first. */
  async nextLine(): Promise<string> {
    const next = await this.#lines.next();

    if (next.done === true) {
      await this.exited;
      throw new Error(`child ${this.pid} ended without a line; stderr: ${this.#stderr}`);
    }

    return next.value;
  }

  /** SIGKILL, then wait until the process is reaped (so its pid is really dead). */
  async kill(): Promise<void> {
    if (this.#process.exitCode === null && this.#process.signalCode === null) {
      this.#process.kill('SIGKILL');
    }

    await this.exited;
  }
}
