/**
 * Repeated secrets across the manifest: the same symmetric key, endorsement key or certificate on
 * two rows is reported (a warning, an error under --strict). Only 64-bit hashes are kept.
 */
import type { ManifestColumn } from '../manifest/index.js';
import type { RowContext } from './row-context.js';
import { hashText, SeenHashes } from './seen-hashes.js';
import type { TextHash } from './seen-hashes.js';

/** Columns whose values are tracked; the index is the tag stored with each hash. */
const TRACKED_COLUMNS: readonly ManifestColumn[] = [
  'primaryKey',
  'secondaryKey',
  'endorsementKey',
  'primaryCertificate',
  'secondaryCertificate',
];

const WHAT: Readonly<Partial<Record<ManifestColumn, string>>> = {
  primaryKey: 'key',
  secondaryKey: 'key',
  endorsementKey: 'endorsement key',
  primaryCertificate: 'certificate',
  secondaryCertificate: 'certificate',
};

/** Notes each secret and reports the rows that repeat one. */
export class SecretTracker {
  private readonly seen = new SeenHashes();
  private readonly hash: TextHash = { high: 0, low: 0 };
  /** Scratch for callers that hash while they check (one row at a time). */
  readonly scratch: TextHash = { high: 0, low: 0 };
  private readonly strict: boolean;

  constructor(strict: boolean) {
    this.strict = strict;
  }

  /** Notes `identity` (the secret, or a certificate's thumbprint) found in `column`. */
  note(context: RowContext, column: ManifestColumn, identity: string): void {
    this.noteHash(context, column, hashText(identity, false, this.hash));
  }

  /** Like `note`, for a hash the caller already computed (see `checkStrictBase64`). */
  noteHash(context: RowContext, column: ManifestColumn, hash: TextHash): void {
    const tag = TRACKED_COLUMNS.indexOf(column);
    const earlier = this.seen.claim(hash, context.line, tag);

    if (earlier === undefined) return;

    const earlierColumn = TRACKED_COLUMNS[earlier.tag] ?? column;
    const what = WHAT[column] ?? 'secret';
    const found =
      earlier.line === context.line
        ? `${earlierColumn} and ${column} hold the same ${what}`
        : `the same ${what} is on line ${earlier.line} (${earlierColumn})`;

    if (this.strict) context.fail(column, 'secret-repeated', found);
    else context.warn(column, 'secret-repeated', `${found}; an error under --strict`);
  }
}
