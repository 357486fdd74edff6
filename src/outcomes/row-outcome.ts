/**
 * The one outcome every manifest row ends with. Outcomes are values, never thrown errors, and
 * they carry no secret: only the line, the ID and what happened.
 */

/**
 * - `succeeded`: the service holds what the row asked for.
 * - `unchanged`: the state store shows it already succeeded with the same content; nothing sent.
 * - `valid`: `validate` only; the row passed every offline check and nothing was sent.
 * - `invalid`: an offline check failed; nothing was sent.
 * - `failed`: the service refused it, or retries ran out.
 * - `pending`: never attempted (interrupt, outage stop, authentication lost).
 */
export type RowStatus = 'succeeded' | 'unchanged' | 'valid' | 'invalid' | 'failed' | 'pending';

export const ROW_STATUSES: readonly RowStatus[] = [
  'succeeded',
  'unchanged',
  'valid',
  'invalid',
  'failed',
  'pending',
];

/** What was done to the service's record. */
export type RowAction = 'created' | 'updated' | 'deleted' | 'disabled' | 'none';

export interface RowOutcome {
  /** 1-based physical line where the record starts; the header is line 1. */
  line: number;
  registrationId: string;
  status: RowStatus;
  action: RowAction;
  /** HTTP attempts of the calls this row took part in (0 when nothing was sent). */
  attempts: number;
  /** Status of the last answer that decided the row, when there was one. */
  httpStatus?: number;
  /** The service's six-digit code, or one of ours (a rule name) for invalid rows. */
  errorCode?: number | string;
  /** Human text: why it failed, or a note (warnings, "already absent"). Never a secret. */
  message: string;
}
