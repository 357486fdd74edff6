/**
 * Stop conditions that concern the whole run rather than one call (issue 5 item 7):
 * - an outage: this many consecutive attempts, across all calls, failed in a way that says the
 *   service is unavailable (timeouts, connection failures, 5xx); any other answer, a 429
 *   included, shows the service is up and resets the count;
 * - lost authentication: a 401 gets one token renewal and a retry; a 401 on the renewed token,
 *   or on the very first answer of the run, stops the run.
 */
import type { AttemptResult } from './retry-decision.js';

/** Counts consecutive unavailability failures. */
export class OutageDetector {
  readonly #threshold: number;
  #consecutive = 0;
  #hasReplied = false;

  /** `threshold`: consecutive failures that make an outage (DispatchConfig.outageThreshold). */
  constructor(threshold: number) {
    this.#threshold = Math.max(1, threshold);
  }

  get consecutiveFailures(): number {
    return this.#consecutive;
  }

  /** Whether the service has answered anything at all in this run (any HTTP reply). */
  get hasReplied(): boolean {
    return this.#hasReplied;
  }

  /**
   * A call ran out of attempts because its requests never reached the service (refused, no route,
   * no such host). When the service has not answered once in this run, it is unreachable (a wrong
   * endpoint, a network down): an outage whatever the count, so a small manifest ends like a large
   * one (pending, exit 4) instead of failing row by row. A reset after the request was sent is not
   * this: the service was reached, and the call may even have been applied.
   */
  isUnreachableAfterGivingUp(answer: { code: string; sentRequest: boolean }): boolean {
    return !this.#hasReplied && !answer.sentRequest && NEVER_REACHED.has(answer.code);
  }

  /** Notes one attempt; true when it completes an outage. */
  observe(result: AttemptResult): boolean {
    if (result.kind === 'reply') this.#hasReplied = true;

    if (!isUnavailability(result)) {
      this.#consecutive = 0;
      return false;
    }

    this.#consecutive += 1;
    return this.#consecutive >= this.#threshold;
  }
}

/** Transport failures of a request that never reached the service. */
const NEVER_REACHED = new Set(['connection-refused', 'dns', 'unreachable', 'network']);

/** Transport failures that say the service cannot be reached or does not answer. */
const UNAVAILABLE_TRANSPORT = new Set([
  'timeout',
  'connection-refused',
  'connection-reset',
  'connection-closed',
  'dns',
  'unreachable',
  'network',
]);

function isUnavailability(result: AttemptResult): boolean {
  if (result.kind === 'reply') return result.status >= 500 || result.status === 408;

  return UNAVAILABLE_TRANSPORT.has(result.code);
}

/** What to do after an answer, as far as authentication goes. */
export type AuthVerdict = 'proceed' | 'retry' | 'renew-and-retry' | 'stop';

/** Tracks whether the credential works, and allows one renewal per failure. */
export class AuthGuard {
  #acceptedOnce = false;
  #renewedGeneration: number | undefined;

  /**
   * Judges an answer that used credential generation `usedGeneration` while the client is now at
   * `currentGeneration`. Only 401 replies do anything but `proceed`.
   */
  judge(status: number, usedGeneration: number, currentGeneration: number): AuthVerdict {
    if (status !== 401) {
      this.#accepted(usedGeneration);
      return 'proceed';
    }

    // Nothing has ever been accepted: the credential is wrong, not expired.
    if (!this.#acceptedOnce) return 'stop';

    // Another call already renewed the token since this one was signed.
    if (usedGeneration < currentGeneration) return 'retry';

    if (this.#renewedGeneration !== undefined) return 'stop';

    return 'renew-and-retry';
  }

  /** The client renewed its token; its generation is now `generation`. */
  renewed(generation: number): void {
    this.#renewedGeneration = generation;
  }

  #accepted(usedGeneration: number): void {
    this.#acceptedOnce = true;

    // The renewed token works: a later 401 deserves a renewal of its own.
    if (this.#renewedGeneration !== undefined && usedGeneration >= this.#renewedGeneration) {
      this.#renewedGeneration = undefined;
    }
  }
}
