/**
 * From header cells to a layout: which cell holds which of our columns. Unknown headers become
 * warnings; a missing registrationId, two headers for one column, or an unusable twin column
 * header stop the run before any row is read.
 */
import {
  closestColumn,
  editDistance,
  interpretHeader,
  MANIFEST_COLUMNS,
  normalizeHeader,
  REQUIRED_COLUMN,
} from './columns.js';
import type { HeaderMeaning, ManifestColumn } from './columns.js';
import type { ColumnMapping } from './column-mapping.js';
import type { ManifestLayout, TwinColumn } from './manifest-record.js';
import { ManifestError } from './manifest-error.js';
import { MAX_TWIN_DEPTH, twinKeyProblem } from '../rows/twin-key.js';

/** Unknown headers this close to one of our names get a "did you mean". */
const SUGGESTION_MAX_DISTANCE = 2;

export interface LayoutInput {
  headers: readonly string[];
  fileName: string;
  directory: string;
  delimiter: string;
  encoding: string;
  mapping: ColumnMapping | undefined;
}

export interface LayoutResult {
  layout: ManifestLayout;
  warnings: string[];
}

/** Maps header cells to our columns; throws ManifestError for what no row could survive. */
export function buildCsvLayout(input: LayoutInput): LayoutResult {
  const cellIndex = emptyCellIndex();
  const twinColumns: TwinColumn[] = [];
  const cellNames = [...input.headers];
  const warnings: string[] = [];
  const claimedBy = new Map<string, number>();

  input.headers.forEach((header, index) => {
    const where = `${input.fileName}:1:${index + 1}`;
    const meaning = meaningOf(header, input.mapping);

    if (meaning === 'ignored') return;

    if (meaning.kind === 'unknown') {
      warnings.push(unknownColumnWarning(where, header));
      return;
    }

    const target = meaning.kind === 'column' ? meaning.column : twinName(meaning);
    claimColumn(claimedBy, target, index, input);
    cellNames[index] = target;

    if (meaning.kind === 'column') {
      cellIndex[meaning.column] = index;
    } else {
      twinColumns.push(twinColumn(meaning, index, where, header));
    }
  });

  requireRegistrationId(cellIndex, input);
  checkTwinOverlaps(twinColumns, input.fileName);
  warnings.push(...unusedMappingWarnings(input));

  const layout: ManifestLayout = {
    format: 'csv',
    fileName: input.fileName,
    directory: input.directory,
    encoding: input.encoding,
    cellIndex,
    cellNames,
    twinColumns,
    fieldCount: input.headers.length,
    delimiter: input.delimiter,
  };
  return { layout, warnings };
}

/** Every column absent (-1); readers fill in what they find. */
export function emptyCellIndex(): Record<ManifestColumn, number> {
  return Object.fromEntries(MANIFEST_COLUMNS.map((column) => [column, -1])) as Record<
    ManifestColumn,
    number
  >;
}

function meaningOf(header: string, mapping: ColumnMapping | undefined): HeaderMeaning | 'ignored' {
  const mapped = mapping?.targetOf(header);

  if (mapped === null) return 'ignored';
  if (mapped !== undefined) return interpretHeader(mapped);
  if (header.trim() === '') return { kind: 'unknown' };

  return interpretHeader(header);
}

function unknownColumnWarning(where: string, header: string): string {
  if (header.trim() === '') {
    return `${where} (empty header): unknown-column: the header cell is empty; column ignored`;
  }

  const suggestion = closestColumn(header);
  const hint =
    suggestion.distance <= SUGGESTION_MAX_DISTANCE ? ` (did you mean ${suggestion.column}?)` : '';
  return `${where} ${header}: unknown-column: not a manifest column; ignored${hint}`;
}

function twinName(meaning: { section: string; path: readonly string[] }): string {
  return `${meaning.section === 'tags' ? 'tag' : 'desired'}.${meaning.path.join('.')}`;
}

function claimColumn(
  claimedBy: Map<string, number>,
  target: string,
  index: number,
  input: LayoutInput,
): void {
  const earlier = claimedBy.get(target);

  if (earlier !== undefined) {
    throw new ManifestError(
      'column-duplicate',
      `${input.fileName}:1:${index + 1} ${target}: column-duplicate: headers ` +
        `'${input.headers[earlier]}' (column ${earlier + 1}) and '${input.headers[index]}' ` +
        `(column ${index + 1}) both map to ${target}; rename or drop one`,
      { line: 1 },
    );
  }

  claimedBy.set(target, index);
}

function twinColumn(
  meaning: { section: 'tags' | 'desired'; path: string[] },
  index: number,
  where: string,
  header: string,
): TwinColumn {
  const name = twinName(meaning);

  for (const key of meaning.path) {
    const problem = twinKeyProblem(key);

    if (problem !== undefined) {
      throw new ManifestError(
        'twin-column-invalid',
        `${where} ${name}: twin-column-invalid: header '${header}' gives ${problem}; ` +
          'twin keys may not hold . $ spaces or control characters',
        { line: 1 },
      );
    }
  }

  if (meaning.path.length > MAX_TWIN_DEPTH) {
    throw new ManifestError(
      'twin-column-invalid',
      `${where} ${name}: twin-column-invalid: the path is ${meaning.path.length} levels deep; ` +
        `twins allow at most ${MAX_TWIN_DEPTH}`,
      { line: 1 },
    );
  }

  return { cellIndex: index, section: meaning.section, path: meaning.path, name };
}

/** `tag.a` and `tag.a.b` cannot both be set: a value cannot also be an object. */
function checkTwinOverlaps(columns: readonly TwinColumn[], fileName: string): void {
  for (const column of columns) {
    for (const other of columns) {
      const isPrefix =
        other !== column &&
        other.section === column.section &&
        other.path.length > column.path.length &&
        column.path.every((key, index) => other.path[index] === key);

      if (isPrefix) {
        throw new ManifestError(
          'twin-column-invalid',
          `${fileName}:1:${other.cellIndex + 1} ${other.name}: twin-column-invalid: ` +
            `${column.name} (column ${column.cellIndex + 1}) already sets a value at that path`,
          { line: 1 },
        );
      }
    }
  }
}

function requireRegistrationId(
  cellIndex: Record<ManifestColumn, number>,
  input: LayoutInput,
): void {
  if (cellIndex[REQUIRED_COLUMN] !== -1) return;

  const target = normalizeHeader(REQUIRED_COLUMN);
  let closest: { header: string; index: number; distance: number } | undefined;

  input.headers.forEach((header, index) => {
    const distance = editDistance(normalizeHeader(header), target);
    if (closest === undefined || distance < closest.distance) closest = { header, index, distance };
  });

  const found =
    closest === undefined
      ? 'the header has no columns'
      : `the closest header is '${closest.header}' (column ${closest.index + 1})`;
  throw new ManifestError(
    'column-missing',
    `${input.fileName}:1 ${REQUIRED_COLUMN}: column-missing: no header maps to ` +
      `${REQUIRED_COLUMN}; ${found}; rename it or map it with --columns`,
    { line: 1 },
  );
}

function unusedMappingWarnings(input: LayoutInput): string[] {
  if (input.mapping === undefined) return [];

  return input.mapping
    .unusedHeaders(input.headers)
    .map(
      (header) =>
        `${input.mapping?.fileName} ${header}: column-mapping-unused: ` +
        `no header of ${input.fileName} is '${header}'`,
    );
}
