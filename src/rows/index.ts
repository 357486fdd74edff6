/** Row checks: one manifest record → a valid enrollment or the reasons it is invalid. */
export { createRowChecker } from './row-checker.js';
export type { RowChecker, RowCheckerOptions } from './row-checker.js';
export type { CheckedRow, InvalidRow, RowIssue, ValidRow } from './checked-row.js';
export { canonicalJson, fingerprintOf, fingerprintOfAny } from './fingerprint.js';
export { MAX_ENROLLMENT_BYTES } from './enrollment-builder.js';
