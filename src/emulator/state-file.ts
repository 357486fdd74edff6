/**
 * `--state FILE`: the emulator's records and policy keys kept across restarts. The file is JSON
 * lines: a header with the policy keys, then one line per table change. On start the emulator
 * replays it, writes a compacted copy (temp file + rename, so a crash never leaves half a
 * file), and from then on appends changes in batches, off the request path. A torn last line
 * (a crash mid-append) is ignored; any other broken line stops the start with its line number.
 */
import { appendFile, readFile, rename, writeFile } from 'node:fs/promises';
import type { ServiceState, TableName } from './service-state.js';
import type { RecordStore, StoreChange } from './store/record-store.js';

const FORMAT_VERSION = 1;
/** Changes are gathered for this long before one append writes them all. */
const FLUSH_DELAY_MS = 50;
const TABLES: readonly TableName[] = ['enrollments', 'enrollmentGroups', 'registrations'];

/** A policy's name and key as the state file keeps them. */
export interface SavedPolicy {
  name: string;
  key: string;
}

/** What a state file gave back besides the records. */
export interface LoadedState {
  policies: SavedPolicy[];
}

interface StateHeader {
  version?: number;
  policies?: SavedPolicy[];
}

type JournalLine =
  | { table: TableName; put: string; value: unknown }
  | { table: TableName; delete: string }
  | { clear: true };

/** A state file that cannot be read or replayed; the message names the file and line. */
export class StateFileError extends Error {
  override name = 'StateFileError';
}

/** Replays the file into `state`; undefined when the file does not exist yet. */
export async function loadStateFile(
  path: string,
  state: ServiceState,
): Promise<LoadedState | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StateFileError(`state file ${path}: cannot read it (${(error as Error).message})`);
  }

  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const header = parseLine(path, lines[0] ?? '', 1, lines.length === 1) as StateHeader | undefined;
  if (header?.version !== FORMAT_VERSION || !Array.isArray(header.policies)) {
    const message = `state file ${path}: line 1 is not a version ${FORMAT_VERSION} header`;
    throw new StateFileError(message);
  }

  for (const [index, line] of lines.slice(1).entries()) {
    const lineNumber = index + 2;
    const entry = parseLine(path, line, lineNumber, lineNumber === lines.length);
    if (entry !== undefined) replay(state, entry as JournalLine);
  }

  return { policies: header.policies };
}

function parseLine(path: string, line: string, lineNumber: number, isLast: boolean): unknown {
  try {
    return JSON.parse(line);
  } catch {
    if (isLast && lineNumber > 1) return undefined;
    throw new StateFileError(`state file ${path}: line ${lineNumber} is not valid JSON`);
  }
}

function replay(state: ServiceState, entry: JournalLine): void {
  if ('clear' in entry) {
    state.enrollments.clear();
    state.enrollmentGroups.clear();
    state.registrations.clear();

    return;
  }

  const table = state[entry.table] as RecordStore<unknown>;
  if ('put' in entry) table.put(entry.put, entry.value);
  else table.delete(entry.delete);
}

/** Appends table changes to the state file in the background; `close` writes what is left. */
export class StateJournal {
  readonly #path: string;
  #pending: string[] = [];
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();
  #failure: Error | undefined;

  private constructor(path: string) {
    this.#path = path;
  }

  /** Writes the compacted file (header and current records), then journals from there. */
  static async open(
    path: string,
    state: ServiceState,
    policies: readonly SavedPolicy[],
  ): Promise<StateJournal> {
    const lines = [JSON.stringify({ version: FORMAT_VERSION, policies })];
    for (const table of TABLES) {
      for (const [key, value] of (state[table] as RecordStore<unknown>).entries()) {
        lines.push(JSON.stringify({ table, put: key, value }));
      }
    }

    const temporaryPath = `${path}.${process.pid}.tmp`;
    await writeFile(temporaryPath, `${lines.join('\n')}\n`, { mode: 0o600 });
    await rename(temporaryPath, path);

    return new StateJournal(path);
  }

  record(table: TableName, change: StoreChange<unknown>): void {
    const line: JournalLine =
      change.kind === 'put'
        ? { table, put: change.key, value: change.value }
        : change.kind === 'delete'
          ? { table, delete: change.key }
          : { clear: true };
    this.#pending.push(`${JSON.stringify(line)}\n`);
    this.#timer ??= setTimeout(() => this.#flush(), FLUSH_DELAY_MS);
  }

  /** Writes every pending change; rejects if any append failed. */
  async close(): Promise<void> {
    this.#flush();
    await this.#writing;
    if (this.#failure !== undefined) {
      throw new StateFileError(`state file ${this.#path}: ${this.#failure.message}`);
    }
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.length === 0) return;

    const text = this.#pending.join('');
    this.#pending = [];
    // Appends are chained so lines land in the order the changes happened.
    this.#writing = this.#writing
      .then(() => appendFile(this.#path, text))
      .catch((error: Error) => {
        this.#failure ??= error;
      });
  }
}
