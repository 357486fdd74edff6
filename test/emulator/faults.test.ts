import { Agent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { parseFaultTrigger, type FaultTrigger } from '../../src/emulator/faults/fault-options.js';
import { FaultPlan } from '../../src/emulator/faults/fault-plan.js';
import {
  startEmulator,
  type EmulatorOptions,
  type RunningEmulator,
} from '../../src/emulator/index.js';
import { EmulatorClient, symmetricEnrollment as enrollment } from './support/emulator-client.js';

const at = (...ordinals: number[]): FaultTrigger => ({ kind: 'at', ordinals });
const always: FaultTrigger = { kind: 'every', interval: 1 };

/** Resolves to the error a promise rejects with, or undefined when it fulfils. */
function failureOf(promise: Promise<unknown>): Promise<Error | undefined> {
  return promise.then(
    () => undefined,
    (error: Error) => error,
  );
}

describe('FaultPlan', () => {
  it('fires scheduled faults on exactly the listed request ordinals', () => {
    const plan = new FaultPlan({ internalError: at(2, 5) }, 1);

    const outcomes = Array.from({ length: 6 }, () => plan.decide().outcome);

    expect(outcomes).toEqual(['none', 'internal-error', 'none', 'none', 'internal-error', 'none']);
  });

  it('replays the same rate-driven sequence for a seed, and again after reset', () => {
    const options = {
      serviceUnavailable: parseFaultTrigger('30%'),
      dropAfterApply: parseFaultTrigger('0.1'),
    };
    const first = new FaultPlan(options, 42);
    const second = new FaultPlan(options, 42);
    const other = new FaultPlan(options, 43);
    const run = (plan: FaultPlan): string[] =>
      Array.from({ length: 40 }, () => plan.decide().outcome);

    const sequence = run(first);
    first.reset();

    expect(run(second)).toEqual(sequence);
    expect(run(first)).toEqual(sequence);
    expect(run(other)).not.toEqual(sequence);
    expect(sequence).toContain('service-unavailable');
  });

  it('adds latency independently of the answer-changing faults', () => {
    const plan = new FaultPlan({ latency: always, latencyMs: 75, internalError: at(1) }, 3);

    expect(plan.decide()).toEqual({ outcome: 'internal-error', latencyMs: 75, responseDelayMs: 0 });
    expect(plan.decide()).toEqual({ outcome: 'none', latencyMs: 75, responseDelayMs: 0 });
  });
});

describe('emulator fault injection over HTTP', () => {
  let emulator: RunningEmulator | undefined;
  let client: EmulatorClient | undefined;

  afterEach(async () => {
    await client?.close();
    await emulator?.close();
    client = undefined;
    emulator = undefined;
  });

  async function start(options: EmulatorOptions, agent?: Agent): Promise<EmulatorClient> {
    emulator = await startEmulator({ port: 0, ...options });
    client = new EmulatorClient(emulator, emulator.connectionString, agent);

    return client;
  }

  it('answers 500 and 503 without applying, then serves normally', async () => {
    const http = await start({ faults: { internalError: at(1), serviceUnavailable: at(2) } });

    const answers = [];
    for (let attempt = 0; attempt < 3; attempt += 1) {
      answers.push(await http.bulk([enrollment('f-1')]));
    }

    expect(answers.map((answer) => answer.status)).toEqual([500, 503, 200]);
    expect(answers[0]!.body).toMatchObject({ errorCode: 500000 });
    expect(answers[1]!.headers['x-ms-error-code']).toBe('503000');
    expect(emulator!.stats()).toMatchObject({
      requests: 3,
      operations: 3,
      faults: 2,
      enrollments: 1,
      createsPerId: { 'f-1': 1 },
    });
  });

  it('drops the connection before applying: an error, and nothing is stored', async () => {
    const http = await start({ faults: { dropBeforeApply: at(1) } });

    const failure = await failureOf(http.bulk([enrollment('f-2')]));

    expect(failure).toBeInstanceOf(Error);
    expect(emulator!.stats()).toMatchObject({ faults: 1, enrollments: 0 });
  });

  it('drops the connection after applying: an error, but the record exists', async () => {
    const http = await start({ faults: { dropAfterApply: at(1) } });

    const failure = await failureOf(http.bulk([enrollment('f-3')]));
    const retry = await http.bulk([enrollment('f-3')]);

    expect(failure).toBeInstanceOf(Error);
    expect(retry.body.errors).toEqual([
      { registrationId: 'f-3', errorCode: 409201, errorStatus: 'Enrollment already exists.' },
    ]);
    expect(emulator!.stats().createsPerId).toEqual({ 'f-3': 1 });
  });

  it('applies a slow request and holds its answer past the client timeout', async () => {
    const agent = new Agent({ headersTimeout: 300 });
    const faults = { slowResponse: at(1), slowResponseMs: 60_000 };
    const http = await start({ faults }, agent);

    const failure = await failureOf(http.bulk([enrollment('f-4')]));

    expect((failure as { code?: string }).code).toBe('UND_ERR_HEADERS_TIMEOUT');
    expect(emulator!.stats()).toMatchObject({ faults: 1, enrollments: 1 });
  });

  it('adds latency and still answers', async () => {
    const http = await start({ faults: { latency: always, latencyMs: 20 } });

    const answer = await http.bulk([enrollment('f-5')]);

    expect(answer.status).toBe(200);
    expect(emulator!.stats().faults).toBe(1);
  });

  it('injects the same faults for the same seed across restarts', async () => {
    const statuses = async (): Promise<number[]> => {
      const faults = { serviceUnavailable: parseFaultTrigger('0.4') };
      const http = await start({ seed: 7, faults });
      expect(emulator!.seed).toBe(7);
      const result = [];
      for (let index = 0; index < 15; index += 1) {
        result.push((await http.get(`s-${index}`)).status);
      }
      await http.close();
      await emulator!.close();
      client = undefined;
      emulator = undefined;

      return result;
    };

    const first = await statuses();
    const second = await statuses();

    expect(second).toEqual(first);
    expect(first).toContain(503);
    expect(first).toContain(404);
  });
});
