/**
 * The one fatal error of manifest reading: the run cannot start (exit code 2), or, for damage
 * found only mid-file (a quote never closed, a record over the size cap), cannot go on.
 */

/** Stable names of what went wrong; they are also the rule part of the message. */
export type ManifestErrorCode =
  | 'manifest-unreadable'
  | 'manifest-empty'
  | 'header-missing'
  | 'header-too-long'
  | 'encoding-unsupported'
  | 'delimiter-ambiguous'
  | 'delimiter-invalid'
  | 'column-missing'
  | 'column-duplicate'
  | 'twin-column-invalid'
  | 'column-mapping-invalid'
  | 'quote-not-closed'
  | 'record-too-large';

export interface ManifestErrorDetails {
  /** Physical line the problem was found on, when there is one. */
  line?: number;
  cause?: unknown;
}

/** Fatal: the manifest cannot be read as a whole. The message names file, line and rule. */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';
  readonly code: ManifestErrorCode;
  readonly line: number | undefined;

  constructor(code: ManifestErrorCode, message: string, details: ManifestErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.line = details.line;
  }
}

/** True for a ManifestError, even one from another copy of this module. */
export function isManifestError(value: unknown): value is ManifestError {
  return value instanceof Error && value.name === 'ManifestError' && 'code' in value;
}
