/**
 * The state store's public shape: what the run asks of the SQLite file that outlives it. One file
 * per `--state PATH`; one run at a time holds its lock.
 */
import type { RowOutcome, RowStatus } from '../outcomes/index.js';

/** Who holds the run lock; shown to the user when a second run is refused. */
export interface LockHolder {
  pid: number;
  /** `os.hostname()` of the holder; a lock from another host is never taken over. */
  host: string;
  /** ISO 8601 time the holding run started. */
  startedAt: string;
  runId: string;
}

/** `tookOverFrom` names a holder whose process had died, so the caller can warn. */
export type LockResult =
  { acquired: true; tookOverFrom?: LockHolder } | { acquired: false; heldBy: LockHolder };

/** The last known state of one registration ID. */
export interface StoredEnrollment {
  /** As last written (its case may differ from the ID it was looked up with). */
  registrationId: string;
  /**
   * Hash of the enrollment the service holds, as the caller passed it with a success. Absent when
   * none was passed (a delete), and once a call about the ID is sent until a success decides it:
   * after a refusal or a run that died, what the service holds is not vouched for.
   */
  fingerprint?: string;
  /** Last decided status: `succeeded` or `failed` (other statuses never change this record). */
  status: RowStatus;
  /** The run that produced `status`. */
  runId: string;
  /** The service's etag, when a reply carried one. */
  etag?: string;
  /** ISO 8601 time `status` was recorded. */
  updatedAt: string;
}

/** One run as `beginRun` records it. */
export interface RunStart {
  runId: string;
  /** The run's own report folder, `<report-dir>/<run-id>`; stored resolved to an absolute path. */
  reportDirectory: string;
  manifestPath: string;
  manifestSha256?: string;
  mode: string;
  /** ISO 8601. */
  startedAt: string;
}

/** How a run ended, as `finishRun` records it. */
export interface RunFinish {
  /** ISO 8601. */
  finishedAt: string;
  exitCode: number;
  /** Rows per status, as in summary.json. */
  counts: Record<string, number>;
}

/** A row about to be sent; its outcome is unknown until the reply is recorded. */
export interface InFlightItem {
  registrationId: string;
  line: number;
  fingerprint: string;
}

/** One row's outcome with what to remember about the ID. */
export interface OutcomeRecord {
  outcome: RowOutcome;
  /** Stored on `succeeded` only: the desired form (upsert), the disabled form (disable), or
   * nothing (delete: the enrollment no longer exists). */
  fingerprint?: string;
  /** The service's etag, when the reply carried one. */
  etag?: string;
}

export interface StateStore {
  /** The file this store writes, as given to `openStateStore`. */
  readonly path: string;

  /**
   * Takes the run lock in one IMMEDIATE transaction. A holder on this host whose process is dead
   * (or that was started before this host last booted) is taken over and returned.
   */
  acquireLock(holder: LockHolder): LockResult;

  /** Releases the lock if `runId` holds it; a no-op otherwise. */
  releaseLock(runId: string): void;

  /** Records a new run; throws `StateStoreError` (`run-already-exists`) on a reused run id. */
  beginRun(run: RunStart): void;

  /** Records how a begun run ended; throws `StateStoreError` (`run-not-found`) otherwise. */
  finishRun(runId: string, result: RunFinish): void;

  /** Last known state of one registration ID (matched case-insensitively). */
  lookup(registrationId: string): StoredEnrollment | undefined;

  /**
   * Before a call is sent, in one transaction: its rows are in flight (outcome unknown if we die
   * now), and their stored fingerprints and etags are forgotten until a reply decides them.
   */
  markInFlight(runId: string, items: InFlightItem[]): void;

  /**
   * True when an earlier run (one not begun through this handle) left the ID in flight and no
   * later reply has decided it: the service may or may not have applied that call.
   */
  wasInFlight(registrationId: string): boolean;

  /**
   * As each reply arrives, one transaction: a journal row per outcome, plus the per-ID state for
   * `succeeded` and `failed`. The in-flight mark is cleared when the service decided the row:
   * `succeeded`, or `failed` with an HTTP status below 500. A `failed` without a status (transport
   * error, timeout) or with a 5xx, and a `pending`, stay in flight for the next run.
   */
  recordOutcomes(runId: string, outcomes: OutcomeRecord[]): void;

  /** Folded IDs (see `foldRegistrationId`) whose outcome in that run was succeeded or unchanged. */
  finishedIds(runId: string): Set<string>;

  /** Resolves `latest`, a run id, or a run's report folder to a run id recorded here. */
  resolveRun(reference: string): string | undefined;

  /** Closes the file; the lock is not released (call `releaseLock` first). */
  close(): void;
}
