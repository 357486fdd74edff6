import type { IndividualEnrollment } from '../dps/contract/index.js';

/** One reason a row is invalid, or one warning about it. */
export interface RowIssue {
  /** Our column name (`registrationId`, `primaryKey`, `tag.site`, …), or `row` for the record. */
  column: string;
  /** Stable rule name, e.g. `registration-id-charset`; used as the report's errorCode. */
  rule: string;
  /** Full human message: where, which rule, what was found (a secret's shape, never its value). */
  message: string;
}

export interface ValidRow {
  kind: 'valid';
  line: number;
  registrationId: string;
  /** What the row asks the service to hold. Carries secrets: never log or report it. */
  enrollment: IndividualEnrollment;
  /** sha256 (hex) of the normalised enrollment, secrets included; lets the state store skip
   * unchanged rows without ever storing a secret. The row checker computes it on first read
   * (`validate` never pays for it): read it before changing `enrollment`. */
  fingerprint: string;
  warnings: RowIssue[];
}

export interface InvalidRow {
  kind: 'invalid';
  line: number;
  /** As found in the manifest; may be empty when the cell was blank. */
  registrationId: string;
  issues: RowIssue[];
  warnings: RowIssue[];
}

export type CheckedRow = ValidRow | InvalidRow;
