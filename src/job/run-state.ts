/**
 * The job's view of the state store: the run lock, the nightly skip of unchanged rows,
 * `--only-failed`, the in-flight marks that make a crash resumable, and the journal written as
 * each reply arrives.
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';

import { openStateStore, type StateStore } from '../state/index.js';
import type { RowOutcome } from '../outcomes/index.js';
import type { SendItem } from '../batching/index.js';
import type { ValidRow } from '../rows/checked-row.js';
import type { RunSummary } from '../report/run-summary.js';
import { EXIT_CODES, JobError } from './exit-codes.js';
import { unchangedOutcome } from './offline-outcomes.js';
import type { RunConfig, RunMode, ServiceTarget } from './run-config.js';

interface JournalEntry {
  outcome: RowOutcome;
  fingerprint?: string;
  etag?: string;
}

export class RunState {
  readonly #store: StateStore;
  readonly #runId: string;
  readonly #mode: RunMode;
  readonly #targetKey: string;
  readonly #force: boolean;
  readonly #finishedInEarlierRun: Set<string> | undefined;
  readonly #earlierRunId: string | undefined;
  #pendingJournal: JournalEntry[] = [];
  #journalFlushScheduled = false;

  private constructor(store: StateStore, config: RunConfig, runId: string, earlierRunId?: string) {
    this.#store = store;
    this.#runId = runId;
    this.#mode = config.dispatch.mode;
    this.#targetKey = targetKeyOf(config.target);
    this.#force = config.state.force;
    this.#earlierRunId = earlierRunId;
    this.#finishedInEarlierRun = earlierRunId ? store.finishedIds(earlierRunId) : undefined;
  }

  /** Opens the store and takes its lock; another live run means exit 3. */
  static open(config: RunConfig, runId: string): RunState {
    const store = openStore(config.state.path);
    const holder = {
      pid: process.pid,
      host: hostname(),
      startedAt: new Date().toISOString(),
      runId,
    };
    const lock = store.acquireLock(holder);

    if (!lock.acquired) {
      store.close();
      const held = lock.heldBy;
      throw new JobError(
        `state store ${config.state.path} is locked by run ${held.runId} ` +
          `(pid ${held.pid} on ${held.host}, started ${held.startedAt}); not starting a second run`,
        EXIT_CODES.locked,
      );
    }

    if (lock.tookOverFrom) {
      const old = lock.tookOverFrom;
      process.stderr.write(
        `warning: took over a stale lock of run ${old.runId} (pid ${old.pid} on ${old.host}, ` +
          `started ${old.startedAt}); that process is gone\n`,
      );
    }

    try {
      return new RunState(store, config, runId, resolveEarlierRun(store, config));
    } catch (error) {
      store.releaseLock(runId);
      store.close();
      throw error;
    }
  }

  begin(reportDirectory: string, manifestPath: string): void {
    this.#store.beginRun({
      runId: this.#runId,
      reportDirectory,
      manifestPath,
      mode: this.#mode,
      startedAt: new Date().toISOString(),
    });
  }

  /**
   * What the store remembers of a row once it succeeded: the target it went to, the mode, and the
   * row's fingerprint. A row is `unchanged` only when the same content succeeded on the same
   * target, so a rehearsal against an emulator never makes the real run skip a row.
   */
  fingerprintFor(row: ValidRow): string {
    switch (this.#mode) {
      case 'delete':
        return `${this.#targetKey}:deleted`;
      case 'disable':
        return `${this.#targetKey}:disabled:${row.fingerprint}`;
      default:
        return `${this.#targetKey}:${row.fingerprint}`;
    }
  }

  /** `unchanged` when the row needs no request: done in the --only-failed run, or unchanged. */
  skipOutcome(row: ValidRow): RowOutcome | undefined {
    if (this.#finishedInEarlierRun?.has(row.registrationId.toLowerCase())) {
      return unchangedOutcome(
        row,
        `skipped: finished in run ${this.#earlierRunId} (--only-failed)`,
      );
    }

    if (this.#force) return undefined;

    const stored = this.#store.lookup(row.registrationId);
    const isDone = stored?.status === 'succeeded' || stored?.status === 'unchanged';
    if (isDone && stored.fingerprint === this.fingerprintFor(row)) {
      return unchangedOutcome(
        row,
        `unchanged since run ${stored.runId}; not sent (--force sends it)`,
      );
    }

    return undefined;
  }

  wasInFlight(registrationId: string): boolean {
    return this.#store.wasInFlight(registrationId);
  }

  markInFlight(items: SendItem[]): void {
    // No journal flush first: outcomes waiting for the next turn belong to other rows (a row is
    // sent by one call at a time), so each call costs one commit here and shares the other.
    this.#store.markInFlight(
      this.#runId,
      items.map((item) => ({
        registrationId: item.registrationId,
        line: item.line,
        fingerprint: item.fingerprint,
      })),
    );
  }

  /**
   * Queues an outcome for the journal. Outcomes of one reply arrive in the same tick, so they are
   * written together in one transaction on the next turn of the event loop.
   */
  journal(
    outcome: RowOutcome,
    stateFingerprint: string | undefined,
    etag: string | undefined,
  ): void {
    const succeeded = outcome.status === 'succeeded';
    this.#pendingJournal.push({
      outcome,
      ...(succeeded && stateFingerprint ? { fingerprint: stateFingerprint } : {}),
      ...(etag ? { etag } : {}),
    });

    if (!this.#journalFlushScheduled) {
      this.#journalFlushScheduled = true;
      setImmediate(() => this.flushJournal());
    }
  }

  flushJournal(): void {
    this.#journalFlushScheduled = false;
    if (this.#pendingJournal.length === 0) return;

    const entries = this.#pendingJournal;
    this.#pendingJournal = [];
    this.#store.recordOutcomes(this.#runId, entries);
  }

  finish(summary: RunSummary): void {
    this.flushJournal();
    this.#store.finishRun(this.#runId, {
      finishedAt: summary.finishedAt,
      exitCode: summary.exitCode,
      counts: summary.counts,
    });
  }

  close(): void {
    this.flushJournal();
    this.#store.releaseLock(this.#runId);
    this.#store.close();
  }
}

/**
 * Identifies the service a run talks to: its HostName, the endpoint and the policy name. The
 * embedded emulator listens on a new port each time, so a rehearsal never matches a real DPS. The
 * key is left out on purpose: rotating it is routine, and must not make the next night resend a
 * million enrollments.
 */
function targetKeyOf(target: ServiceTarget): string {
  const policy = target.credential.kind === 'sas' ? target.credential.policyName : 'bearer';
  const identity = `${target.hostName.toLowerCase()}\n${target.endpoint}\n${policy}`;

  return createHash('sha256').update(identity).digest('hex').slice(0, 16);
}

function openStore(path: string): StateStore {
  try {
    return openStateStore(path);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new JobError(`cannot open state store ${path}: ${reason}`, EXIT_CODES.configuration);
  }
}

function resolveEarlierRun(store: StateStore, config: RunConfig): string | undefined {
  const reference = config.state.onlyFailedRun;
  if (!reference) return undefined;

  const runId = store.resolveRun(reference);
  if (!runId) {
    throw new JobError(
      `--only-failed ${reference}: no such run in state store ${config.state.path}`,
      EXIT_CODES.configuration,
    );
  }

  return runId;
}
