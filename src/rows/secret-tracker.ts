/**
 * Repeated secrets across the manifest: the same symmetric key, endorsement key or certificate on
 * two rows is reported (a warning, an error under --strict). Only 64-bit hashes are kept.
 */
import type { ManifestColumn } from '../manifest/index.js';
import type { RowContext } from './row-context.js';
import { hashText } from './seen-hashes.js';
import type { SeenHashes } from './seen-hashes.js';
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

/** Tags 1 to 5 mark secrets in the shared table; tag 0 is a registration ID. */
const FIRST_SECRET_TAG = 1;

/** Flips the hash of a secret, so that a secret and an ID with the same text never meet. */
const SECRET_DOMAIN = 0x5ec7e75a;

/** Notes each secret and reports the rows that repeat one. */
export class SecretTracker {
  private readonly seen: SeenHashes;
  private readonly hash: TextHash = { high: 0, low: 0 };
  /** Scratch for callers that hash while they check (one row at a time). */
  readonly scratch: TextHash = { high: 0, low: 0 };
  private readonly strict: boolean;

  /** `seen` may be shared with the registration IDs: one table costs less than two. */
  constructor(strict: boolean, seen: SeenHashes) {
    this.strict = strict;
    this.seen = seen;
  }

  /** Notes `identity` (the secret, or a certificate's thumbprint) found in `column`. */
  note(context: RowContext, column: ManifestColumn, identity: string): void {
    this.noteHash(context, column, hashText(identity, false, this.hash));
  }

  /** Like `note`, for a hash the caller already computed (see `checkStrictBase64`). */
  noteHash(context: RowContext, column: ManifestColumn, hash: TextHash): void {
    const tag = FIRST_SECRET_TAG + TRACKED_COLUMNS.indexOf(column);
    hash.low = (hash.low ^ SECRET_DOMAIN) >>> 0;
    const earlier = this.seen.claim(hash, context.line, tag);

    // No earlier holder, or (odds near 1e-7) an ID that shares the hash: nothing to report.
    if (earlier === undefined || earlier.tag < FIRST_SECRET_TAG) return;

    const earlierColumn = TRACKED_COLUMNS[earlier.tag - FIRST_SECRET_TAG] ?? column;
    const what = WHAT[column] ?? 'secret';
    const found =
      earlier.line === context.line
        ? `${earlierColumn} and ${column} hold the same ${what}`
        : `the same ${what} is on line ${earlier.line} (${earlierColumn})`;

    if (this.strict) context.fail(column, 'secret-repeated', found);
    else context.warn(column, 'secret-repeated', `${found}; an error under --strict`);
  }
}
