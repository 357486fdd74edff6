/** Counters of the HTTP traffic a dispatcher caused, for summary.json and the bench. */
import type { DpsAnswer } from '../dps/client/index.js';

/** What stats() returns. */
export interface DispatchStatsSnapshot {
  /** HTTP requests sent, every attempt of every call. */
  requests: number;
  /** Attempts after the first of their call. */
  retries: number;
  /** 429 answers seen. */
  throttled: number;
  /** Replies per HTTP status, e.g. `{ "200": 12, "429": 3 }`. */
  byStatus: Record<string, number>;
  /** Transport errors per code, e.g. `{ "timeout": 2 }`. */
  transportErrors: Record<string, number>;
}

/** Counts requests, retries, 429s and answers per status as calls happen. */
export class DispatchStats {
  #requests = 0;
  #retries = 0;
  #throttled = 0;
  readonly #byStatus = new Map<string, number>();
  readonly #transportErrors = new Map<string, number>();

  /** One attempt is about to go out; `isRetry` when it is not its call's first. */
  countRequest(isRetry: boolean): void {
    this.#requests += 1;
    if (isRetry) this.#retries += 1;
  }

  countAnswer(answer: DpsAnswer): void {
    if (answer.kind === 'transport-error') {
      increment(this.#transportErrors, answer.code);
      return;
    }

    increment(this.#byStatus, String(answer.status));
    if (answer.status === 429) this.#throttled += 1;
  }

  snapshot(): DispatchStatsSnapshot {
    return {
      requests: this.#requests,
      retries: this.#retries,
      throttled: this.#throttled,
      byStatus: Object.fromEntries(this.#byStatus),
      transportErrors: Object.fromEntries(this.#transportErrors),
    };
  }
}

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}
