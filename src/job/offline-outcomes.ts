/** Outcomes decided without the service: invalid, valid (validate only), unchanged, pending. */
import type { CheckedRow, InvalidRow, RowIssue, ValidRow } from '../rows/checked-row.js';
import type { RowOutcome } from '../outcomes/index.js';

/**
 * An invalid ID that looks like a key (long base64 with `+`, `/` or `=`, which no registration ID
 * may hold) is a key shifted into the ID column: the report shows its shape, not the key.
 */
const KEY_LIKE_ID = /^(?=.*[+/=])[A-Za-z0-9+/]{20,}={0,2}$/;

function reportableId(registrationId: string): string {
  return KEY_LIKE_ID.test(registrationId)
    ? `<${registrationId.length} base64-like characters, not shown>`
    : registrationId;
}

export function invalidOutcome(row: InvalidRow): RowOutcome {
  return {
    line: row.line,
    registrationId: reportableId(row.registrationId),
    status: 'invalid',
    action: 'none',
    attempts: 0,
    errorCode: row.issues[0]?.rule ?? 'invalid',
    message: joinIssues([...row.issues, ...row.warnings.map(asWarning)]),
  };
}

export function validOutcome(row: ValidRow): RowOutcome {
  return {
    line: row.line,
    registrationId: row.registrationId,
    status: 'valid',
    action: 'none',
    attempts: 0,
    message: joinIssues(row.warnings.map(asWarning)),
  };
}

export function unchangedOutcome(row: ValidRow, note: string): RowOutcome {
  return {
    line: row.line,
    registrationId: row.registrationId,
    status: 'unchanged',
    action: 'none',
    attempts: 0,
    message: note,
  };
}

/** Accepts a checked row or a send item: only the line and the ID are used. */
export function pendingOutcome(
  row: Pick<CheckedRow, 'line' | 'registrationId'>,
  why: string,
): RowOutcome {
  return {
    line: row.line,
    registrationId: row.registrationId,
    status: 'pending',
    action: 'none',
    attempts: 0,
    message: why,
  };
}

/** Warnings of a valid row travel with it to its final outcome's message. */
export function warningsText(row: ValidRow): string {
  return joinIssues(row.warnings.map(asWarning));
}

function asWarning(issue: RowIssue): RowIssue {
  return { ...issue, message: `warning: ${issue.message}` };
}

function joinIssues(issues: RowIssue[]): string {
  return issues.map((issue) => issue.message).join('; ');
}
