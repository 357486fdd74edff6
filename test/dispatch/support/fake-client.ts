/**
 * An in-memory DpsClient whose answers a test scripts per call. For timing tests under fake
 * timers, where a real socket would not move with the clock.
 */
import type { DpsAnswer, DpsClient, DpsReply } from '../../../src/dps/client/index.js';
import type { BulkMode, IndividualEnrollment } from '../../../src/dps/contract/index.js';

export interface FakeCall {
  operation: 'bulk' | 'get' | 'put' | 'delete' | 'attestation' | 'query';
  mode?: BulkMode;
  ids: string[];
  atMs: number;
}

export type FakeAnswerer = (call: FakeCall, index: number) => DpsAnswer;

export class FakeDpsClient implements DpsClient {
  readonly calls: FakeCall[] = [];
  #generation = 1;

  constructor(private readonly answer: FakeAnswerer) {}

  get credentialGeneration(): number {
    return this.#generation;
  }

  bulk(mode: BulkMode, enrollments: readonly IndividualEnrollment[]): Promise<DpsAnswer> {
    const ids = enrollments.map((item) => item.registrationId);
    return this.#record({ operation: 'bulk', mode, ids });
  }

  get(registrationId: string): Promise<DpsAnswer> {
    return this.#record({ operation: 'get', ids: [registrationId] });
  }

  put(enrollment: IndividualEnrollment): Promise<DpsAnswer> {
    return this.#record({ operation: 'put', ids: [enrollment.registrationId] });
  }

  delete(registrationId: string): Promise<DpsAnswer> {
    return this.#record({ operation: 'delete', ids: [registrationId] });
  }

  attestationMechanism(registrationId: string): Promise<DpsAnswer> {
    return this.#record({ operation: 'attestation', ids: [registrationId] });
  }

  query(): Promise<DpsAnswer> {
    return this.#record({ operation: 'query', ids: [] });
  }

  renewCredential(): boolean {
    this.#generation += 1;
    return true;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  #record(call: Omit<FakeCall, 'atMs'>): Promise<DpsAnswer> {
    const full = { ...call, atMs: Date.now() };
    this.calls.push(full);

    return Promise.resolve(this.answer(full, this.calls.length - 1));
  }
}

/** A reply answer with the client's current generation filled in. */
export function fakeReply(
  status: number,
  body: unknown = undefined,
  headers: Record<string, string> = {},
): DpsReply {
  return { kind: 'reply', status, headers, body, durationMs: 1, credentialGeneration: 1 };
}

export const FAKE_BULK_OK = fakeReply(200, { isSuccessful: true, errors: [] });
