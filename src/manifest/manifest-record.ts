/**
 * What the manifest reader hands to the row checker: one record's cells with the line it starts
 * on, and the layout (shared by every record of a file) that says which cell is which column.
 */
import type { ManifestColumn, TwinSection } from './columns.js';

/** One per-key twin column (`tag.site`, `desired.telemetry.interval`). */
export interface TwinColumn {
  cellIndex: number;
  section: TwinSection;
  /** Keys from the twin section's root down to the value, case kept. */
  path: readonly string[];
  /** The column's name in messages, e.g. `tag.site`. */
  name: string;
}

/** How the cells of every record of one manifest map to our columns. */
export interface ManifestLayout {
  format: 'csv' | 'jsonl';
  /** The file's base name, as messages show it. */
  fileName: string;
  /** Absolute folder of the manifest: certificate paths resolve in it and may not leave it. */
  directory: string;
  /** The file's encoding (`utf-8`, `utf-16le`, `utf-16be`), for messages about bad bytes. */
  encoding: string;
  /** Cell index of each of our columns, or -1 when the manifest does not have it. */
  cellIndex: Readonly<Record<ManifestColumn, number>>;
  /** Name of each cell for messages: our column, a twin column, or the header as found. */
  cellNames: readonly string[];
  twinColumns: readonly TwinColumn[];
  /** CSV: fields in the header, which every record must have. 0 for `.jsonl`. */
  fieldCount: number;
  /** CSV delimiter; undefined for `.jsonl`. */
  delimiter: string | undefined;
}

/** One record of the manifest, before any check. Carries secrets: never log it. */
export interface ManifestRecord {
  /** 1-based physical line where the record starts; the header is line 1. */
  line: number;
  layout: ManifestLayout;
  /** Cell values by cell index, exactly as parsed (not trimmed). */
  cells: readonly string[];
  /**
   * Which cells were quoted (CSV) or JSON strings (`.jsonl`). The CSV reader fills it only when
   * it matters: the manifest has per-key twin columns, or a cell has unusual edges (whitespace,
   * non-ASCII) and may need trimming. Absent means no cell that matters was quoted.
   */
  quoted?: boolean[];
  /** Some bytes of the record are not valid in the file's encoding. */
  hasInvalidBytes: boolean;
  /** `.jsonl` only: per-key twin values (`"tag.site": "plant-3"`), already typed. */
  twinValues?: TwinValue[];
  /** Problems the reader found in this record (a `.jsonl` line that is not a JSON object). */
  problems?: RecordProblem[];
}

/** A per-key twin value given with its JSON type (`.jsonl`). */
export interface TwinValue {
  section: TwinSection;
  path: readonly string[];
  name: string;
  value: unknown;
}

/** A problem with the record itself, which makes its row invalid. */
export interface RecordProblem {
  /** Our column name, or `row`. */
  column: string;
  rule: string;
  /** What was found; never a secret's value. */
  found: string;
}

/** Whether cell `index` was written in quotes (CSV) or as a JSON string (`.jsonl`). */
export function isCellQuoted(record: ManifestRecord, index: number): boolean {
  return record.quoted?.[index] === true;
}

const QUOTE = '"';

/**
 * Marks the fields of one raw CSV record that open with a quote. It follows csv-parse's reading
 * (RFC 4180 with doubled quotes) closely enough for the two uses we have: type inference of
 * per-key twin cells and trimming of unquoted whitespace.
 */
export function findQuotedCells(raw: string, delimiter: string): boolean[] {
  const quoted: boolean[] = [];
  let field = 0;
  let atFieldStart = true;
  let inQuotes = false;

  for (let position = 0; position < raw.length; position += 1) {
    const character = raw[position];

    if (inQuotes) {
      if (character === QUOTE) {
        if (raw[position + 1] === QUOTE) position += 1;
        else inQuotes = false;
      }

      continue;
    }

    if (atFieldStart && character === QUOTE) {
      quoted[field] = true;
      inQuotes = true;
      atFieldStart = false;
      continue;
    }

    atFieldStart = false;

    if (character === delimiter) {
      field += 1;
      atFieldStart = true;
    } else if (character === '\n' || character === '\r') {
      break;
    }
  }

  return quoted;
}
