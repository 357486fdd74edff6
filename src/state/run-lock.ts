/**
 * The run lock: one row in the state file, read and written in one IMMEDIATE transaction, so two
 * runs racing for it are serialised by SQLite itself. A row (not an O_EXCL lock file) keeps lock
 * and state in one file: nothing to clean up beside it, and the takeover check is atomic.
 */
import type { Database, Statement } from 'better-sqlite3';

import type { LockHolder, LockResult } from './state-store.js';

/** How the lock tells a holder that can never release it. */
export interface LockEnvironment {
  /** This machine's host name; a holder on another host is never judged dead. */
  hostName: string;
  /** This boot's id, when the platform has one. */
  bootId: string | undefined;
  isProcessAlive: (pid: number) => boolean;
}

interface LockRow {
  pid: number;
  host: string;
  started_at: string;
  run_id: string;
  boot_id: string | null;
}

/**
 * Runs holding a lock through some handle in this process. A stored holder with our own pid but
 * none of these runs is a previous incarnation that reused the pid (a restarted container
 * where every run is pid 1), not a live run.
 */
const RUNS_LOCKED_BY_THIS_PROCESS = new Set<string>();

export class RunLock {
  readonly #environment: LockEnvironment;
  readonly #select: Statement<[], LockRow>;
  readonly #write: Statement<[LockRow]>;
  readonly #delete: Statement<[string]>;
  readonly #acquire: (holder: LockHolder) => LockResult;

  constructor(database: Database, environment: LockEnvironment) {
    this.#environment = environment;
    this.#select = database.prepare('SELECT * FROM run_lock WHERE slot = 1');
    this.#write = database.prepare(
      `INSERT OR REPLACE INTO run_lock (slot, pid, host, started_at, run_id, boot_id)
       VALUES (1, @pid, @host, @started_at, @run_id, @boot_id)`,
    );
    this.#delete = database.prepare('DELETE FROM run_lock WHERE run_id = ?');

    const transaction = database.transaction((holder: LockHolder) => this.#decide(holder));
    this.#acquire = (holder) => transaction.immediate(holder);
  }

  /** Takes the lock, takes it over from a dead holder, or names the live one. */
  acquire(holder: LockHolder): LockResult {
    const result = this.#acquire(holder);

    if (result.acquired) {
      RUNS_LOCKED_BY_THIS_PROCESS.add(holder.runId);
    }

    return result;
  }

  /** Drops the lock if `runId` holds it. */
  release(runId: string): void {
    this.#delete.run(runId);
    RUNS_LOCKED_BY_THIS_PROCESS.delete(runId);
  }

  #decide(holder: LockHolder): LockResult {
    const current = this.#select.get();

    if (current === undefined || current.run_id === holder.runId) {
      this.#store(holder);

      return { acquired: true };
    }

    if (this.#isStale(current)) {
      this.#store(holder);
      RUNS_LOCKED_BY_THIS_PROCESS.delete(current.run_id);

      return { acquired: true, tookOverFrom: toHolder(current) };
    }

    return { acquired: false, heldBy: toHolder(current) };
  }

  #store(holder: LockHolder): void {
    this.#write.run({
      pid: holder.pid,
      host: holder.host,
      started_at: holder.startedAt,
      run_id: holder.runId,
      boot_id: this.#environment.bootId ?? null,
    });
  }

  /** Only a holder on this host can be proven dead; one elsewhere is left to the user. */
  #isStale(current: LockRow): boolean {
    const { hostName, bootId, isProcessAlive } = this.#environment;

    if (current.host !== hostName) {
      return false;
    }

    // After a reboot (power loss) every pid is new: the old one may belong to anything now.
    if (current.boot_id !== null && bootId !== undefined && current.boot_id !== bootId) {
      return true;
    }

    if (current.pid === process.pid) {
      return !RUNS_LOCKED_BY_THIS_PROCESS.has(current.run_id);
    }

    return !isProcessAlive(current.pid);
  }
}

function toHolder(row: LockRow): LockHolder {
  return { pid: row.pid, host: row.host, startedAt: row.started_at, runId: row.run_id };
}
