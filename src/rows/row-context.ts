/**
 * One row being checked: reads its cells by our column names and collects its issues and
 * warnings, each message in the one shape `<file>:<line>:<column#> <column>: <rule>: <found>`.
 */
import type { ManifestColumn, ManifestRecord } from '../manifest/index.js';
import { isCellQuoted } from '../manifest/index.js';
import type { RowIssue } from './checked-row.js';

/** Cells whose first and last characters are plain printable ASCII need no trimming. */
function hasPlainEdges(value: string): boolean {
  const first = value.charCodeAt(0);
  const last = value.charCodeAt(value.length - 1);
  return first > 0x20 && first < 0x7f && last > 0x20 && last < 0x7f;
}

/** Worst-case UTF-8 bytes per UTF-16 unit once JSON escapes it (`\u0001` is 6). */
const WORST_BYTES_PER_UNIT = 6;

/** Allowance per cell for the key and punctuation that JSON adds around a value. */
const KEY_UNITS_PER_CELL = 40;

/** Issues and warnings of one row, and its cells read the way rules want them. */
export class RowContext {
  readonly record: ManifestRecord;
  readonly issues: RowIssue[] = [];
  readonly warnings: RowIssue[] = [];
  private extraUnits = 0;
  private cellUnits: number | undefined;

  constructor(record: ManifestRecord) {
    this.record = record;
  }

  get line(): number {
    return this.record.line;
  }

  /** Cell index of our column in this manifest, -1 when it has none. */
  cellIndexOf(column: ManifestColumn): number {
    return this.record.layout.cellIndex[column];
  }

  /** Whether our column has a non-blank cell (no warnings: the cell is read later). */
  hasText(column: ManifestColumn): boolean {
    const index = this.cellIndexOf(column);
    return index >= 0 && (this.record.cells[index] ?? '').trim().length > 0;
  }

  /**
   * The value of our column; undefined when absent or blank. Whitespace around an unquoted
   * value is trimmed with a warning; inside quotes it is kept, since quotes say "exactly this".
   */
  value(column: ManifestColumn): string | undefined {
    return this.cellValue(this.cellIndexOf(column), column);
  }

  /** Like `value`, by cell index; `name` is the column named in a trimming warning. */
  cellValue(index: number, name: string): string | undefined {
    if (index < 0) return undefined;

    const raw = this.record.cells[index];

    if (raw === undefined || raw.length === 0) return undefined;
    if (hasPlainEdges(raw)) return raw;

    const trimmed = raw.trim();

    // Quotes say "exactly this", even for a value of only spaces.
    if (isCellQuoted(this.record, index)) return raw;
    if (trimmed.length === raw.length) return raw;

    if (trimmed.length > 0) {
      this.warnAt(index, name, 'whitespace-trimmed', 'whitespace around the value was removed');
    }

    return trimmed.length === 0 ? undefined : trimmed;
  }

  /** Notes text the row sends beyond its cells (a certificate read from a file). */
  addExtraBytes(units: number): void {
    if (units > 0) this.extraUnits += units;
  }

  /**
   * An upper bound of the UTF-8 bytes of any JSON built from this row, from cell lengths alone,
   * so that exact sizes are computed only for rows that could be too large. Typed `.jsonl`
   * twin values are not in the cells, so such rows have no bound.
   */
  worstCaseJsonBytes(): number {
    if (this.record.twinValues !== undefined && this.record.twinValues.length > 0) {
      return Number.POSITIVE_INFINITY;
    }

    this.cellUnits ??= this.record.cells.reduce(
      (units, cell) => units + cell.length + KEY_UNITS_PER_CELL,
      0,
    );

    return (this.cellUnits + this.extraUnits) * WORST_BYTES_PER_UNIT;
  }

  /** Records a reason the row is invalid, located at our column (or `row`). */
  fail(column: ManifestColumn | 'row', rule: string, found: string): void {
    this.issues.push(this.issue(this.indexOf(column), column, rule, found));
  }

  /** Records a warning, located at our column (or `row`). */
  warn(column: ManifestColumn | 'row', rule: string, found: string): void {
    this.warnings.push(this.issue(this.indexOf(column), column, rule, found));
  }

  /** Records an issue at a cell index, for columns that are not ours by name (`tag.site`). */
  failAt(index: number, name: string, rule: string, found: string): void {
    this.issues.push(this.issue(index, name, rule, found));
  }

  warnAt(index: number, name: string, rule: string, found: string): void {
    this.warnings.push(this.issue(index, name, rule, found));
  }

  private indexOf(column: ManifestColumn | 'row'): number {
    return column === 'row' ? -1 : this.cellIndexOf(column);
  }

  private issue(index: number, column: string, rule: string, found: string): RowIssue {
    const layout = this.record.layout;
    const where =
      index >= 0 && layout.format === 'csv'
        ? `${layout.fileName}:${this.record.line}:${index + 1}`
        : `${layout.fileName}:${this.record.line}`;
    return { column, rule, message: `${where} ${column}: ${rule}: ${hideSecretLookalikes(found)}` };
  }
}

/** A quoted value of 20 or more base64 characters, or one that holds a PEM armour line. */
const SECRET_LOOKALIKE = /'([A-Za-z0-9+/=]{20,}…?|[^']*-----BEGIN[^']*)'/g;

/**
 * A key or certificate pasted into the wrong column (a shifted row, a swapped header) would be
 * quoted by the message of that column's rule. Whatever the rule, such a value is shown only by
 * its shape.
 */
export function hideSecretLookalikes(found: string): string {
  return found.replace(SECRET_LOOKALIKE, (_match, value: string) =>
    value.includes('-----BEGIN')
      ? "'<PEM text, not shown>'"
      : `'<${value.replace('…', '').length}+ base64-like characters, not shown>'`,
  );
}
