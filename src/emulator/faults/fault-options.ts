/**
 * Fault injection settings. Each fault fires on a trigger: a rate (a probability per request,
 * drawn from the seeded random stream) or a schedule (fixed request ordinals, or every Nth).
 * Ordinals count the service requests that got past authentication and the throttle, from 1.
 */

export type FaultTrigger =
  | { kind: 'rate'; probability: number }
  | { kind: 'at'; ordinals: readonly number[] }
  | { kind: 'every'; interval: number };

/** Which faults to inject, each on its own trigger, with the delays they use. */
export interface FaultOptions {
  /** Answer 500 without applying the request. */
  internalError?: FaultTrigger;
  /** Answer 503 without applying the request. */
  serviceUnavailable?: FaultTrigger;
  /** Hold the request for `latencyMs` before handling it. */
  latency?: FaultTrigger;
  /** Added latency in milliseconds. @default 200 */
  latencyMs?: number;
  /** Close the connection before the request is applied. */
  dropBeforeApply?: FaultTrigger;
  /** Apply the request, then close the connection without answering. */
  dropAfterApply?: FaultTrigger;
  /** Apply the request, then hold the answer for `slowResponseMs` (past a client's timeout). */
  slowResponse?: FaultTrigger;
  /** Delay of a slow response in milliseconds. @default 60000 */
  slowResponseMs?: number;
}

/** Added latency when `latencyMs` is not given, in milliseconds. */
export const DEFAULT_LATENCY_MS = 200;
/** Delay of a slow answer when `slowResponseMs` is not given, in milliseconds. */
export const DEFAULT_SLOW_RESPONSE_MS = 60_000;

/**
 * Parses a trigger as written on the command line: `0.05` or `5%` (rate), `at:1,4,9`
 * (those request ordinals), `every:10` (every tenth request). Throws with the rule and the text
 * found when it is none of these.
 */
export function parseFaultTrigger(text: string): FaultTrigger {
  const trimmed = text.trim();

  if (trimmed.startsWith('at:')) {
    const ordinals = trimmed
      .slice(3)
      .split(',')
      .map((part) => Number(part.trim()));
    if (ordinals.length === 0 || !ordinals.every((value) => Number.isInteger(value) && value > 0)) {
      throw new Error(`fault trigger: "at:" needs positive whole ordinals, got "${trimmed}"`);
    }

    return { kind: 'at', ordinals };
  }

  if (trimmed.startsWith('every:')) {
    const interval = Number(trimmed.slice(6));
    if (!Number.isInteger(interval) || interval < 1) {
      throw new Error(`fault trigger: "every:" needs a whole number >= 1, got "${trimmed}"`);
    }

    return { kind: 'every', interval };
  }

  const isPercent = trimmed.endsWith('%');
  const value = Number(isPercent ? trimmed.slice(0, -1) : trimmed);
  const probability = isPercent ? value / 100 : value;
  if (trimmed === '' || !Number.isFinite(probability) || probability < 0 || probability > 1) {
    throw new Error(
      `fault trigger: expected a rate 0..1, a percentage, "at:N,M" or "every:N", got "${trimmed}"`,
    );
  }

  return { kind: 'rate', probability };
}
