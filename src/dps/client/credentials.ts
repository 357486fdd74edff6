/**
 * The Authorization header value. SAS tokens (contract section 5.1) are signed for an hour and
 * re-signed when less than five minutes remain, so a long run never sends an expired token; a
 * 401 mid-run can force a new one. A bearer token is used as given and cannot be renewed here.
 * Secrets live in private fields: they never show up in JSON, logs or inspected objects.
 */
import { createSasToken } from '../contract/index.js';
import type { ServiceTarget } from '../../job/run-config.js';

/** Lifetime of each SAS token we sign, in seconds (what the SDKs use). */
export const SAS_TOKEN_LIFETIME_SECONDS = 3_600;

/** A token with less than this left is replaced before it is sent, in seconds. */
export const SAS_RENEW_BEFORE_EXPIRY_SECONDS = 300;

/** Issues the Authorization header for each request. */
export interface CredentialSource {
  /** The header value to send now; a fresh token when the current one is near its expiry. */
  authorization(): string;
  /** Issues a new token at once; false when the credential cannot be renewed (bearer). */
  renew(): boolean;
  /** Counts up with each token issued. */
  readonly generation: number;
}

class SasCredentialSource implements CredentialSource {
  readonly #resource: string;
  readonly #policyName: string;
  readonly #key: string;
  readonly #now: () => number;
  #token = '';
  #expirySeconds = 0;
  #generation = 0;

  constructor(resource: string, policyName: string, key: string, now: () => number) {
    this.#resource = resource;
    this.#policyName = policyName;
    this.#key = key;
    this.#now = now;
  }

  get generation(): number {
    return this.#generation;
  }

  authorization(): string {
    const nowSeconds = Math.floor(this.#now() / 1_000);

    if (this.#expirySeconds - nowSeconds < SAS_RENEW_BEFORE_EXPIRY_SECONDS) this.#issue(nowSeconds);

    return this.#token;
  }

  renew(): boolean {
    // A renewal within the same second would sign the very same token; a later expiry makes
    // the new token differ from the refused one.
    this.#issue(Math.floor(this.#now() / 1_000), this.#expirySeconds + 1);
    return true;
  }

  #issue(nowSeconds: number, earliestExpirySeconds = 0): void {
    this.#expirySeconds = Math.max(nowSeconds + SAS_TOKEN_LIFETIME_SECONDS, earliestExpirySeconds);
    this.#token = createSasToken({
      resource: this.#resource,
      policyName: this.#policyName,
      base64Key: this.#key,
      expirySeconds: this.#expirySeconds,
    });
    this.#generation += 1;
  }
}

class BearerCredentialSource implements CredentialSource {
  readonly #header: string;

  constructor(token: string) {
    this.#header = `Bearer ${token}`;
  }

  get generation(): number {
    return 1;
  }

  authorization(): string {
    return this.#header;
  }

  renew(): boolean {
    return false;
  }
}

/** The credential source for a target; the SAS resource is the target's host name. */
export function createCredentialSource(target: ServiceTarget, now: () => number): CredentialSource {
  const { credential } = target;

  if (credential.kind === 'bearer') return new BearerCredentialSource(credential.token);

  return new SasCredentialSource(target.hostName, credential.policyName, credential.key, now);
}
