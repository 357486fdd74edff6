/**
 * Decides, per service request, which injected fault (if any) it meets. At most one fault that
 * changes the answer fires per request, checked in a fixed order so that a seed replays the same
 * run: drop-before, 500, 503, drop-after, slow. Latency is independent and adds to any of them.
 */
import { SeededRandom } from './seeded-random.js';
import {
  DEFAULT_LATENCY_MS,
  DEFAULT_SLOW_RESPONSE_MS,
  type FaultOptions,
  type FaultTrigger,
} from './fault-options.js';

/** What happens to a request's answer: nothing, or one injected fault. */
export type FaultOutcome =
  | 'none'
  | 'drop-before-apply'
  | 'internal-error'
  | 'service-unavailable'
  | 'drop-after-apply'
  | 'slow-response';

/** The fault one request meets, with the delays it brings. */
export interface FaultDecision {
  outcome: FaultOutcome;
  /** Milliseconds to hold the request before handling it; 0 for none. */
  latencyMs: number;
  /** Milliseconds to hold the answer after applying; only for `slow-response`. */
  responseDelayMs: number;
}

const NO_FAULT: FaultDecision = { outcome: 'none', latencyMs: 0, responseDelayMs: 0 };

const OUTCOME_ORDER: ReadonlyArray<[FaultOutcome, keyof FaultOptions]> = [
  ['drop-before-apply', 'dropBeforeApply'],
  ['internal-error', 'internalError'],
  ['service-unavailable', 'serviceUnavailable'],
  ['drop-after-apply', 'dropAfterApply'],
  ['slow-response', 'slowResponse'],
];

/** The seeded, ordinal-counting decision maker behind every injected fault. */
export class FaultPlan {
  readonly #options: FaultOptions;
  readonly #seed: number;
  readonly #isActive: boolean;
  #random: SeededRandom;
  #ordinal = 0;

  constructor(options: FaultOptions, seed: number) {
    this.#options = options;
    this.#seed = seed;
    this.#random = new SeededRandom(seed);
    this.#isActive =
      OUTCOME_ORDER.some(([, key]) => options[key] !== undefined) || options.latency !== undefined;
  }

  /** Starts the ordinals and the random stream over, as after a restart with the same seed. */
  reset(): void {
    this.#random = new SeededRandom(this.#seed);
    this.#ordinal = 0;
  }

  /** The fault for the next service request. */
  decide(): FaultDecision {
    if (!this.#isActive) return NO_FAULT;

    this.#ordinal += 1;
    const latencyMs = this.#fires(this.#options.latency)
      ? (this.#options.latencyMs ?? DEFAULT_LATENCY_MS)
      : 0;

    let outcome: FaultOutcome = 'none';
    for (const [candidate, key] of OUTCOME_ORDER) {
      // Every trigger is evaluated, so each draws from the stream on every request and one
      // fault's setting never shifts another fault's sequence.
      if (this.#fires(this.#options[key] as FaultTrigger | undefined) && outcome === 'none') {
        outcome = candidate;
      }
    }

    const responseDelayMs =
      outcome === 'slow-response' ? (this.#options.slowResponseMs ?? DEFAULT_SLOW_RESPONSE_MS) : 0;

    return { outcome, latencyMs, responseDelayMs };
  }

  #fires(trigger: FaultTrigger | undefined): boolean {
    if (trigger === undefined) return false;

    switch (trigger.kind) {
      case 'rate':
        return this.#random.next() < trigger.probability;
      case 'at':
        return trigger.ordinals.includes(this.#ordinal);
      case 'every':
        return this.#ordinal % trigger.interval === 0;
    }
  }
}
