/**
 * Checks the Authorization header of a service request (contract 5): a SAS token signed with a
 * known policy's key for this DPS and not expired, or a configured static bearer token.
 * Messages say what was wrong, never the token, signature or key.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  isSasSignatureValid,
  parseSasToken,
  type ParsedSasToken,
} from '../../dps/contract/index.js';
import { ALL_PERMISSIONS, type Permission } from './permissions.js';

/** A shared access policy with its key decided and its permissions as a set. */
export interface ResolvedPolicy {
  name: string;
  /** Base64 key. A secret. */
  key: string;
  permissions: ReadonlySet<Permission>;
}

/** Who the caller is and what it may do, or why it was refused (never the token). */
export type AuthResult =
  | { ok: true; principal: string; permissions: ReadonlySet<Permission> }
  | { ok: false; reason: string };

interface CachedToken {
  expirySeconds: number;
  policy: ResolvedPolicy;
}

/** Verified tokens kept so that a client reusing one token does not pay an HMAC per call. */
const TOKEN_CACHE_LIMIT = 4_096;
const BEARER_PREFIX = 'bearer ';
const EVERY_PERMISSION: ReadonlySet<Permission> = new Set(ALL_PERMISSIONS);

/** Checks Authorization headers for one emulator's host name, policies and bearer tokens. */
export class Authenticator {
  readonly #hostName: string;
  readonly #policies: Map<string, ResolvedPolicy>;
  readonly #bearerTokens: Buffer[];
  readonly #verified = new Map<string, CachedToken>();

  constructor(
    hostName: string,
    policies: readonly ResolvedPolicy[],
    bearerTokens: readonly string[],
  ) {
    this.#hostName = hostName.toLowerCase();
    this.#policies = new Map(policies.map((policy) => [policy.name.toLowerCase(), policy]));
    this.#bearerTokens = bearerTokens.map((token) => Buffer.from(token));
  }

  authenticate(header: string | undefined, nowSeconds: number): AuthResult {
    if (header === undefined || header.trim() === '') {
      return { ok: false, reason: 'the Authorization header is missing' };
    }

    if (header.slice(0, BEARER_PREFIX.length).toLowerCase() === BEARER_PREFIX) {
      return this.#checkBearer(header.slice(BEARER_PREFIX.length).trim());
    }

    const cached = this.#verified.get(header);
    if (cached !== undefined) return this.#checkExpiry(cached, nowSeconds);

    return this.#checkSas(header, nowSeconds);
  }

  #checkSas(header: string, nowSeconds: number): AuthResult {
    const token = parseSasToken(header);
    if (token === null) {
      return deny(
        'the Authorization header is not a SharedAccessSignature with sr, sig, se and skn',
      );
    }

    const resource = token.resource.toLowerCase();
    if (resource !== this.#hostName && !resource.startsWith(`${this.#hostName}/`)) {
      const found = token.resource.slice(0, 200);

      return deny(`the SAS resource (sr) must be ${this.#hostName}, found "${found}"`);
    }

    const policy = this.#policies.get(token.policyName.toLowerCase());
    if (policy === undefined) {
      return deny(`the SAS policy (skn) "${token.policyName.slice(0, 100)}" is not defined`);
    }

    if (!isSasSignatureValid(token, policy.key) && !isRawResourceSignature(token, policy.key)) {
      return { ok: false, reason: `the SAS signature does not match policy "${policy.name}"` };
    }

    const entry: CachedToken = { expirySeconds: token.expirySeconds, policy };
    if (this.#verified.size >= TOKEN_CACHE_LIMIT) this.#verified.clear();
    this.#verified.set(header, entry);

    return this.#checkExpiry(entry, nowSeconds);
  }

  #checkExpiry(entry: CachedToken, nowSeconds: number): AuthResult {
    if (entry.expirySeconds <= nowSeconds) {
      const expiredAt = new Date(entry.expirySeconds * 1000).toISOString();

      return deny(`the SAS token expired at ${expiredAt} (se=${entry.expirySeconds})`);
    }

    return { ok: true, principal: entry.policy.name, permissions: entry.policy.permissions };
  }

  #checkBearer(token: string): AuthResult {
    const given = Buffer.from(token);
    const isKnown = this.#bearerTokens.some(
      (known) => known.length === given.length && timingSafeEqual(known, given),
    );

    return isKnown
      ? { ok: true, principal: 'bearer', permissions: EVERY_PERMISSION }
      : { ok: false, reason: 'the bearer token is not one the emulator was configured with' };
  }
}

/**
 * The Node SDK signs the resource as it is, not URL-encoded (its `stringToSign` joins the raw
 * `sr` and the expiry). For a real DPS host name both forms are the same bytes; for the
 * emulator's `127.0.0.1:<port>` the `:` makes them differ, so this form is accepted as well.
 */
function isRawResourceSignature(token: ParsedSasToken, base64Key: string): boolean {
  const given = Buffer.from(token.signature, 'base64');
  const expected = createHmac('sha256', Buffer.from(base64Key, 'base64'))
    .update(`${token.resource}\n${token.expirySeconds}`)
    .digest();

  return expected.length === given.length && timingSafeEqual(expected, given);
}

function deny(reason: string): AuthResult {
  return { ok: false, reason };
}
