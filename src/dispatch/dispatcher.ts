/**
 * The dispatcher: takes batches, runs each through its mode's flow with at most `concurrency`
 * HTTP calls in flight, and reports exactly one outcome per row. It stops taking work on an
 * outage, on lost authentication, or when asked to (SIGINT/SIGTERM); every row not decided by
 * then is reported `pending`, never `failed` one by one.
 */
import { setMaxListeners } from 'node:events';
import PQueue from 'p-queue';
import type { Logger } from 'pino';

import type { Batch } from '../batching/index.js';
import type { DpsClient } from '../dps/client/index.js';
import type { DispatchConfig } from '../job/run-config.js';
import type { RowOutcome } from '../outcomes/index.js';
import { runCreateBatch } from './create-flow.js';
import { runDeleteBatch } from './delete-flow.js';
import { DISABLE_PLAN } from './disable-plan.js';
import { pendingMessage, type DispatchContext, type StopReason } from './dispatch-context.js';
import { DispatchStats, type DispatchStatsSnapshot } from './dispatch-stats.js';
import { RateGovernor } from './rate-governor.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-decision.js';
import { rewriteRows } from './rewrite-flow.js';
import { RowLedger, type OutcomeDetail, type TrackedRow } from './row-ledger.js';
import { AuthGuard, OutageDetector } from './service-health.js';
import { sleep } from './sleep.js';

const INTERNAL_ERROR_MESSAGE = 'not decided: internal error in dps-bulk; rerun, and report it';

/** Batches that may be in progress per call slot: enough that a slot never waits for work. */
export const BATCHES_IN_PROGRESS_PER_SLOT = 2;

/** What createDispatcher needs. */
export interface DispatcherOptions {
  client: DpsClient;
  config: DispatchConfig;
  logger: Logger;
  /** Called exactly once per row submitted. `detail` carries the fingerprint and any etag read. */
  onOutcome(outcome: RowOutcome, detail: OutcomeDetail): void;
  /** Uniform in [0, 1), for jitter. @default Math.random */
  random?: () => number;
  /** Clock in milliseconds since the epoch. @default Date.now */
  now?: () => number;
  /** Backoff tunables; `maxAttempts` always comes from config. @default DEFAULT_RETRY_POLICY */
  retryPolicy?: Partial<Omit<RetryPolicy, 'maxAttempts'>>;
  /** A governor of your own (tests, a shared quota); built from config when absent. */
  governor?: RateGovernor;
}

/** Sends batches and reports one outcome per row (see createDispatcher). */
export interface Dispatcher {
  /**
   * Takes a batch; returns at once (the work runs in the background). Call waitForCapacity()
   * first to keep memory bounded. After a stop, the batch's rows are reported pending at once.
   * The flow follows `config.mode`; `batch.mode` is not consulted.
   */
  submit(batch: Batch): void;
  /** Resolves when another batch may be submitted (at once when stopped). */
  waitForCapacity(): Promise<void>;
  /**
   * Resolves when every submitted row has its outcome: when all work has ended, or when a stop's
   * drain timeout has reported the rest pending (calls still hanging are then abandoned).
   */
  drain(): Promise<void>;
  /**
   * Stops starting calls; calls in flight may finish for up to `drainTimeoutMs`, then every row
   * still undecided is reported pending.
   */
  stop(reason: 'interrupt', drainTimeoutMs: number): Promise<void>;
  readonly stopReason: StopReason | undefined;
  /** What caused the stop, when there is more to say (the TLS error code); never a secret. */
  readonly stopDetail: string | undefined;
  stats(): DispatchStatsSnapshot;
}

function createGovernor(config: DispatchConfig): RateGovernor {
  const { operationsPerMinute } = config;
  return new RateGovernor(operationsPerMinute === undefined ? {} : { operationsPerMinute });
}

function validate(config: DispatchConfig): void {
  const checks: [string, number, number][] = [
    ['concurrency', config.concurrency, 1],
    ['maxAttempts', config.maxAttempts, 1],
    ['outageThreshold', config.outageThreshold, 1],
  ];

  for (const [name, value, minimum] of checks) {
    if (!Number.isInteger(value) || value < minimum) {
      const rule = `must be a whole number of at least ${minimum}`;
      throw new RangeError(`dispatch ${name}: ${rule}, got ${value}`);
    }
  }
}

class BulkDispatcher implements Dispatcher {
  readonly #context: DispatchContext;
  readonly #ledger: RowLedger;
  readonly #stats = new DispatchStats();
  readonly #stopController = new AbortController();
  readonly #active = new Set<Promise<void>>();
  readonly #capacity: number;
  #capacityWaiters: (() => void)[] = [];
  #stopReason: StopReason | undefined;
  #stopDetail: string | undefined;
  #abandon: () => void = () => undefined;
  readonly #abandoned = new Promise<void>((resolve) => (this.#abandon = resolve));

  constructor(options: DispatcherOptions) {
    // Every pacing or backoff wait listens to this one signal and removes its listener when it
    // ends; with many calls in flight more than ten wait at once, which is not a leak.
    setMaxListeners(0, this.#stopController.signal);

    validate(options.config);

    const { config, logger } = options;
    this.#capacity = config.concurrency * BATCHES_IN_PROGRESS_PER_SLOT;
    this.#ledger = new RowLedger(options.onOutcome, logger);
    this.#context = {
      client: options.client,
      logger,
      mode: config.mode,
      policy: { ...DEFAULT_RETRY_POLICY, ...options.retryPolicy, maxAttempts: config.maxAttempts },
      random: options.random ?? Math.random,
      now: options.now ?? Date.now,
      queue: new PQueue({ concurrency: config.concurrency }),
      governor: options.governor ?? createGovernor(config),
      stats: this.#stats,
      outage: new OutageDetector(config.outageThreshold),
      auth: new AuthGuard(),
      ledger: this.#ledger,
      stopSignal: this.#stopController.signal,
      stopReason: () => this.#stopReason,
      requestStop: (reason, detail) => this.#halt(reason, detail),
    };
  }

  get stopReason(): StopReason | undefined {
    return this.#stopReason;
  }

  get stopDetail(): string | undefined {
    return this.#stopDetail;
  }

  submit(batch: Batch): void {
    const rows = this.#ledger.track(batch.items, batch.id);

    if (this.#stopReason) {
      for (const row of rows) this.#ledger.pend(row, pendingMessage(this.#stopReason));
      return;
    }

    const flow = this.#runBatch(batch.id, rows).finally(() => {
      this.#active.delete(flow);
      this.#wakeCapacityWaiters();
    });
    this.#active.add(flow);
  }

  waitForCapacity(): Promise<void> {
    if (this.#stopReason || this.#active.size < this.#capacity) return Promise.resolve();

    return new Promise((resolve) => this.#capacityWaiters.push(resolve));
  }

  async drain(): Promise<void> {
    const abandoned = this.#abandoned.then(() => 'abandoned' as const);

    while (this.#active.size > 0) {
      if ((await Promise.race([Promise.all([...this.#active]), abandoned])) === 'abandoned') return;
    }
  }

  async stop(reason: 'interrupt', drainTimeoutMs: number): Promise<void> {
    this.#halt(reason);

    const timeout = new AbortController();
    const drained = this.drain().then(() => timeout.abort());
    const timedOut = await sleep(drainTimeoutMs, timeout.signal);
    await (timedOut ? Promise.resolve() : drained);

    if (timedOut && this.#ledger.undecidedCount > 0) {
      const rows = this.#ledger.pendAll({
        onWire:
          `not decided: its call was still in flight when the ${drainTimeoutMs} ms drain ` +
          'timeout ran out; rerun to finish it',
        notSent: 'not sent: the run was interrupted; rerun to finish',
      });
      this.#context.logger.warn({ rows, drainTimeoutMs }, 'drain timeout: undecided rows pending');
    }

    if (timedOut) this.#abandon();
  }

  stats(): DispatchStatsSnapshot {
    return this.#stats.snapshot();
  }

  async #runBatch(batchId: number, rows: TrackedRow[]): Promise<void> {
    const startedAt = this.#context.now();

    try {
      await this.#runMode(batchId, rows);
    } catch (error) {
      // A bug of ours must not lose rows: they stay undecided for a rerun, never silently dropped.
      this.#context.logger.error({ batchId, err: error }, 'internal error while dispatching');
      for (const row of rows) this.#ledger.pend(row, INTERNAL_ERROR_MESSAGE);
    }

    this.#logBatch(batchId, rows, this.#context.now() - startedAt);
  }

  #runMode(batchId: number, rows: TrackedRow[]): Promise<void> {
    switch (this.#context.mode) {
      case 'create':
      case 'upsert':
        return runCreateBatch(this.#context, batchId, rows, this.#context.mode);
      case 'delete':
        return runDeleteBatch(this.#context, batchId, rows);
      case 'disable':
        return rewriteRows(this.#context, batchId, rows, DISABLE_PLAN);
    }
  }

  #logBatch(batchId: number, rows: readonly TrackedRow[], durationMs: number): void {
    const counts: Record<string, number> = { succeeded: 0, failed: 0, pending: 0 };
    for (const row of rows) {
      const status = row.status ?? 'pending';
      counts[status] = (counts[status] ?? 0) + 1;
    }

    const attempts = rows.reduce((most, row) => Math.max(most, row.attempts), 0);
    const fields = { batchId, rows: rows.length, ...counts, attempts, durationMs };
    this.#context.logger.info(fields, 'batch decided');
  }

  #halt(reason: StopReason, detail?: string): void {
    if (this.#stopReason) return;

    this.#stopReason = reason;
    this.#stopDetail = detail;
    this.#stopController.abort();
    this.#wakeCapacityWaiters();
    this.#context.logger.warn({ reason, detail }, 'dispatcher stopping: no new calls will start');
  }

  #wakeCapacityWaiters(): void {
    const waiters = this.#capacityWaiters;
    this.#capacityWaiters = [];

    for (const wake of waiters) wake();
  }
}

/** Creates a dispatcher for one run. Throws RangeError for a config value out of range. */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  return new BulkDispatcher(options);
}
