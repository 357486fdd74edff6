/**
 * Errors the client throws. Only configuration mistakes throw (a bad endpoint URL, an unusable CA
 * certificate); everything that happens on the wire comes back as a value (see types.ts).
 */

/** Stable codes, safe to match on. */
export type DpsClientErrorCode = 'invalid-endpoint' | 'invalid-ca-certificate' | 'invalid-option';

/** The client's one error class: a stable code, a message naming the option and what was found. */
export class DpsClientError extends Error {
  override readonly name = 'DpsClientError';
  readonly code: DpsClientErrorCode;

  constructor(code: DpsClientErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** True for errors thrown by this client, across module copies (no instanceof). */
export function isDpsClientError(value: unknown): value is DpsClientError {
  return value instanceof Error && value.name === 'DpsClientError' && 'code' in value;
}
