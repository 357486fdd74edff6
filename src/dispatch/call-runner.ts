/**
 * The attempt loop of one call: take a slot in the queue, wait for the governor, send, then ask
 * the pure retry decision what follows. It owns the attempt count, the sleeps and the reactions
 * that concern the whole run (a 429 pauses everyone, an outage or a lost credential stops the
 * dispatcher); the decision itself stays in retry-decision.ts.
 */
import type { DpsAnswer, DpsClient, DpsReply } from '../dps/client/index.js';
import { parseRetryAfterMs } from './backoff.js';
import type { DispatchContext } from './dispatch-context.js';
import { decideRetry, type AttemptResult, type RetryPolicy } from './retry-decision.js';
import { describeLastAnswer } from './service-answers.js';
import { sleep } from './sleep.js';

/** One call: what to send, and how to label it in logs. */
export interface CallSpec {
  /** Short name for logs, e.g. `bulk-create`, `get`, `attestation`. */
  operation: string;
  batchId: number;
  /** Queue priority; higher goes first. */
  priority: number;
  send(client: DpsClient): Promise<DpsAnswer>;
  /** Told when a request goes on the wire and when its answer is back, so the rows of the call
   * count the attempt even if the run stops before the call ends (a drain timeout). */
  onRequestSent?(): void;
  onAnswerReceived?(): void;
}

/** How a call ended, with the HTTP attempts it took. */
export type CallResult =
  /** A reply that ends the call: a success or a final error status. */
  | { kind: 'answered'; reply: DpsReply; attempts: number; maybeApplied: boolean }
  /** No usable reply: retries ran out, or a transport failure that retrying cannot fix. */
  | {
      kind: 'gave-up';
      last: DpsAnswer;
      attempts: number;
      maybeApplied: boolean;
      exhausted: boolean;
    }
  /** The dispatcher stopped before the call could end. */
  | { kind: 'stopped'; attempts: number; maybeApplied: boolean };

/** One attempt's answer and what it means for the whole run. */
interface Attempt {
  answer: DpsAnswer;
  /** `retry`: send again without using up an attempt (401 with a stale or renewed token). */
  verdict: 'proceed' | 'retry' | 'stop';
}

/** Answers after which the service may have applied the request although it did not say so. */
export function isAmbiguous(answer: DpsAnswer): boolean {
  if (answer.kind === 'transport-error') return answer.sentRequest;

  return [408, 500, 502, 504].includes(answer.status);
}

function toAttemptResult(answer: DpsAnswer): AttemptResult {
  return answer.kind === 'reply'
    ? { kind: 'reply', status: answer.status, headers: answer.headers }
    : { kind: 'transport-error', code: answer.code };
}

async function runAttempt(
  context: DispatchContext,
  spec: CallSpec,
  isRetry: boolean,
): Promise<Attempt | undefined> {
  const attempt = await context.queue.add(
    async (): Promise<Attempt | undefined> => {
      if (context.stopReason()) return undefined;
      if (!(await context.governor.waitForTurn(context.now, context.stopSignal))) return undefined;
      if (context.stopReason()) return undefined;

      context.stats.countRequest(isRetry);
      const startedAtMs = context.now();
      spec.onRequestSent?.();
      const answer = await spec.send(context.client);
      spec.onAnswerReceived?.();
      context.stats.countAnswer(answer);

      // Judged before the slot frees, so the next call already sees a pause, a renewed token
      // or a stop that this answer causes.
      return { answer, verdict: judgeRunWide(context, answer, startedAtMs) };
    },
    { priority: spec.priority },
  );

  return attempt ?? undefined;
}

function logAttempt(context: DispatchContext, spec: CallSpec, number: number, answer: DpsAnswer) {
  const outcome =
    answer.kind === 'reply'
      ? { status: answer.status }
      : { transportError: answer.code, sentRequest: answer.sentRequest };
  const { batchId, operation } = spec;

  context.logger.debug(
    { batchId, operation, attempt: number, ...outcome, durationMs: answer.durationMs },
    'attempt answered',
  );
}

/** Applies what one answer means for the whole run: pauses, stops, token renewal. */
function judgeRunWide(
  context: DispatchContext,
  answer: DpsAnswer,
  startedAtMs: number,
): Attempt['verdict'] {
  const nowMs = context.now();

  if (answer.kind === 'reply' && answer.status === 429) {
    const askedMs = parseRetryAfterMs(answer.headers, nowMs);
    const event = { startedAtMs, nowMs };

    context.governor.onThrottled(
      askedMs === undefined
        ? event
        : { ...event, retryAfterMs: Math.min(askedMs, context.policy.maxRetryAfterMs) },
    );
  }

  // A certificate that is not trusted, or TLS spoken to a plain-HTTP port, fails every call the
  // same way: a configuration problem to stop on, not a row problem to repeat a thousand times.
  if (answer.kind === 'transport-error' && answer.code === 'tls') {
    context.requestStop('tls', answer.detail);
    return 'stop';
  }

  if (context.outage.observe(toAttemptResult(answer))) {
    context.requestStop('outage');
    return 'stop';
  }

  return handleAuthentication(context, answer);
}

/**
 * Handles a 401 (or lets any other answer through). Returns `retry` to send again without
 * using up an attempt, `stop` when the run must stop, `proceed` otherwise.
 */
function handleAuthentication(context: DispatchContext, answer: DpsAnswer): Attempt['verdict'] {
  if (answer.kind !== 'reply') return 'proceed';

  // 403: the credential works but its policy may not do this (a read-only policy, say). Every
  // other call would be refused the same way, so it is the run's configuration, not a row's.
  if (answer.status === 403) {
    context.requestStop('auth', describeLastAnswer(answer).text);
    return 'stop';
  }

  const { client } = context;
  const verdict = context.auth.judge(
    answer.status,
    answer.credentialGeneration,
    client.credentialGeneration,
  );

  if (verdict === 'proceed' || verdict === 'retry') return verdict;

  if (verdict === 'renew-and-retry' && context.client.renewCredential()) {
    context.auth.renewed(context.client.credentialGeneration);
    context.logger.warn({ status: 401 }, 'credential refused mid-run: renewed it, retrying once');
    return 'retry';
  }

  context.requestStop('auth', describeLastAnswer(answer).text);
  return 'stop';
}

/** How many 429 answers one call may take, as a multiple of its attempts for other failures. */
export const THROTTLED_ATTEMPTS_FACTOR = 10;

function throttlePolicy(policy: RetryPolicy): RetryPolicy {
  return { ...policy, maxAttempts: policy.maxAttempts * THROTTLED_ATTEMPTS_FACTOR };
}

/** Runs one call to its end: answered, given up, or stopped. */
export async function performCall(context: DispatchContext, spec: CallSpec): Promise<CallResult> {
  let attempts = 0;
  let budgetUsed = 0;
  let throttledAnswers = 0;
  let maybeApplied = false;

  for (;;) {
    const attempt = await runAttempt(context, spec, attempts > 0);
    if (attempt === undefined) return { kind: 'stopped', attempts, maybeApplied };

    attempts += 1;
    const { answer } = attempt;
    logAttempt(context, spec, attempts, answer);
    if (isAmbiguous(answer)) maybeApplied = true;

    if (attempt.verdict === 'stop') return { kind: 'stopped', attempts, maybeApplied };
    if (attempt.verdict === 'retry') continue;

    // A 429 says "later", not "wrong": it draws on its own, larger budget so that a row never
    // fails only because the service was busy, while a service that throttles without end still
    // ends the call eventually.
    const throttled = answer.kind === 'reply' && answer.status === 429;
    if (throttled) throttledAnswers += 1;
    else budgetUsed += 1;

    const decision = decideRetry({
      attempt: throttled ? throttledAnswers : budgetUsed,
      result: toAttemptResult(answer),
      nowMs: context.now(),
      policy: throttled ? throttlePolicy(context.policy) : context.policy,
      random: context.random,
    });

    if (decision.kind === 'final') {
      return answer.kind === 'reply'
        ? { kind: 'answered', reply: answer, attempts, maybeApplied }
        : { kind: 'gave-up', last: answer, attempts, maybeApplied, exhausted: false };
    }

    if (decision.kind === 'exhausted') {
      if (answer.kind === 'transport-error' && context.outage.isUnreachableAfterGivingUp(answer)) {
        context.requestStop('outage');
        return { kind: 'stopped', attempts, maybeApplied };
      }

      return { kind: 'gave-up', last: answer, attempts, maybeApplied, exhausted: true };
    }

    const { delayMs, reason } = decision;
    const { batchId, operation } = spec;
    context.logger.debug({ batchId, operation, attempt: attempts, delayMs, reason }, 'backing off');

    if (!(await sleep(decision.delayMs, context.stopSignal)) || context.stopReason()) {
      return { kind: 'stopped', attempts, maybeApplied };
    }
  }
}
