/**
 * One manifest record → one CheckedRow. Every rule runs offline; a failing row is a value with
 * its issues, never a throw. The checker remembers, across rows, only 64-bit hashes of folded
 * registration IDs and of secrets (with their first line), so memory is flat per row.
 */
import type { ManifestRecord } from '../manifest/index.js';
import type { IndividualEnrollment } from '../dps/contract/index.js';
import type { CheckedRow, InvalidRow, RowIssue, ValidRow } from './checked-row.js';
import { buildEnrollment } from './enrollment-builder.js';
import { fingerprintOf } from './fingerprint.js';
import { HubListReader } from './hub-list.js';
import { checkRegistrationId, hasUpperCase } from './identifiers.js';
import { RowContext } from './row-context.js';
import type { RowEnvironment } from './row-environment.js';
import { SecretTracker } from './secret-tracker.js';
import { SeenHashes } from './seen-hashes.js';
import type { TextHash } from './seen-hashes.js';

export interface RowCheckerOptions {
  /** The manifest's path (messages use its base name, as the reader does). */
  manifestPath: string;
  mode: 'upsert' | 'create' | 'delete' | 'disable';
  /** Repeated secrets are errors instead of warnings. */
  strict: boolean;
  /** Clock for certificate validity. @default () => new Date() */
  now?: () => Date;
}

export interface RowChecker {
  check(record: ManifestRecord): CheckedRow;
}

/** A checker for one pass over one manifest (it remembers IDs and secrets already seen). */
export function createRowChecker(options: RowCheckerOptions): RowChecker {
  return new ManifestRowChecker(options);
}

class ManifestRowChecker implements RowChecker {
  /** Folded registration IDs (tag 0) and secrets (tags 1 to 5), as 64-bit hashes. */
  private readonly seenIds = new SeenHashes();
  private readonly idHash: TextHash = { high: 0, low: 0 };
  /** One environment for every row; only `registrationId` changes from row to row. */
  private readonly environment: RowEnvironment;

  constructor(options: RowCheckerOptions) {
    this.environment = {
      needsMaterial: options.mode === 'upsert' || options.mode === 'create',
      secrets: new SecretTracker(options.strict, this.seenIds),
      hubs: new HubListReader(),
      registrationId: '',
      now: options.now ?? (() => new Date()),
    };
  }

  check(record: ManifestRecord): CheckedRow {
    const context = new RowContext(record);

    if (hasRecordProblem(context)) return invalidRow(context, rawRegistrationId(context));

    const registrationId = this.registrationId(context);
    this.environment.registrationId = registrationId ?? '';
    const enrollment = buildEnrollment(context, this.environment);

    if (registrationId === undefined || enrollment === undefined || context.issues.length > 0) {
      return invalidRow(context, registrationId ?? rawRegistrationId(context));
    }

    return new CheckedValidRow(record.line, registrationId, enrollment, context.warnings);
  }

  /** The checked ID, or undefined when a rule failed (then the issue is on the context). */
  private registrationId(context: RowContext): string | undefined {
    const value = context.value('registrationId');

    if (value === undefined) {
      context.fail(
        'registrationId',
        'registration-id-missing',
        'the cell is blank; every row needs one',
      );
      return undefined;
    }

    const problem = checkRegistrationId(value, this.idHash);

    if (problem !== undefined) {
      context.fail('registrationId', problem.rule, problem.found);
      return undefined;
    }

    const earlier = this.seenIds.claim(this.idHash, context.line);

    // Tag 0 is an ID; any other tag is a secret sharing the hash by chance (odds near 1e-7).
    if (earlier !== undefined && earlier.tag === 0) {
      context.fail(
        'registrationId',
        'registration-id-duplicate',
        `'${value}' is a duplicate of line ${earlier.line} (IDs compare case-insensitively)`,
      );
      return undefined;
    }

    if (hasUpperCase(value) && !context.hasText('deviceId')) {
      context.warn(
        'registrationId',
        'registration-id-case',
        'upper-case letters and no deviceId: DPS compares registration IDs ignoring case, ' +
          'but the IoT Hub device ID (this ID by default) is case-sensitive',
      );
    }

    return value;
  }
}

/**
 * A valid row whose fingerprint is computed on first read: `validate` never reads it, and
 * serializing and hashing every enrollment would cost more than the rest of the checks.
 */
class CheckedValidRow implements ValidRow {
  readonly kind = 'valid';
  readonly line: number;
  readonly registrationId: string;
  readonly enrollment: IndividualEnrollment;
  readonly warnings: RowIssue[];
  private memoizedFingerprint: string | undefined;

  constructor(
    line: number,
    registrationId: string,
    enrollment: IndividualEnrollment,
    warnings: RowIssue[],
  ) {
    this.line = line;
    this.registrationId = registrationId;
    this.enrollment = enrollment;
    this.warnings = warnings;
  }

  get fingerprint(): string {
    this.memoizedFingerprint ??= fingerprintOf(this.enrollment);
    return this.memoizedFingerprint;
  }
}

/** Problems of the record as a whole; when there is one, no other rule is worth running. */
function hasRecordProblem(context: RowContext): boolean {
  const { record } = context;

  for (const problem of record.problems ?? []) {
    context.failAt(-1, problem.column, problem.rule, problem.found);
  }

  if (record.layout.format === 'csv' && record.cells.length !== record.layout.fieldCount) {
    const count = record.cells.length;
    const hint = count > record.layout.fieldCount ? ' (an unquoted delimiter inside a value?)' : '';
    context.fail(
      'row',
      'field-count',
      `found ${count} fields; the header has ${record.layout.fieldCount}${hint}`,
    );
  }

  if (record.hasInvalidBytes) failInvalidBytes(context);

  return context.issues.length > 0;
}

function failInvalidBytes(context: RowContext): void {
  const { record } = context;
  const index = record.cells.findIndex((cell) => cell.includes('\uFFFD'));
  const name = index < 0 ? 'row' : (record.layout.cellNames[index] ?? 'row');
  const encoding = record.layout.encoding.toUpperCase();
  const hint =
    encoding === 'UTF-8' ? ' (a Windows-1252 export? save the manifest as "CSV UTF-8")' : '';

  context.failAt(index, name, 'encoding-invalid', `bytes that are not valid ${encoding}${hint}`);
}

function rawRegistrationId(context: RowContext): string {
  const index = context.cellIndexOf('registrationId');
  return index < 0 ? '' : (context.record.cells[index] ?? '').trim();
}

function invalidRow(context: RowContext, registrationId: string): InvalidRow {
  return {
    kind: 'invalid',
    line: context.line,
    registrationId,
    issues: context.issues,
    warnings: context.warnings,
  };
}
