/**
 * The initial twin of a row: `tags` and `desiredProperties` as JSON objects, plus per-key
 * columns (`tag.site`, `desired.telemetry.interval`) merged into them. Unquoted per-key cells
 * that are exactly a JSON number or true/false keep that type; quoted cells stay strings.
 */
import type { TwinCollection } from '../dps/contract/index.js';
import type { ManifestColumn, TwinSection } from '../manifest/index.js';
import { isCellQuoted } from '../manifest/index.js';
import { defineValue } from './fingerprint.js';
import type { RowContext } from './row-context.js';
import { MAX_TWIN_DEPTH, twinKeyProblem } from './twin-key.js';

/** IoT Hub twin size limits in UTF-8 bytes of JSON (contract section 4.6). */
export const MAX_TAGS_BYTES = 8 * 1024;
export const MAX_DESIRED_BYTES = 32 * 1024;

/** JSON's own spelling of a number: what round-trips through Number() unchanged. */
const NUMBER_TEXT = /^-?(?:0|[1-9]\d*)(?:\.\d+)?$/;

export interface TwinParts {
  tags?: TwinCollection;
  desired?: TwinCollection;
}

/** Builds the twin parts of a row, recording issues on the context. */
export function buildTwinParts(context: RowContext): TwinParts {
  const tags = parseJsonObject(context, 'tags');
  const desired = parseJsonObject(context, 'desiredProperties');
  const parts: Record<TwinSection, TwinCollection | undefined> = { tags, desired };

  mergeCsvColumns(context, parts);
  mergeTypedValues(context, parts);
  checkSize(context, 'tags', parts.tags, MAX_TAGS_BYTES);
  checkSize(context, 'desiredProperties', parts.desired, MAX_DESIRED_BYTES);

  return {
    ...(parts.tags === undefined ? {} : { tags: parts.tags }),
    ...(parts.desired === undefined ? {} : { desired: parts.desired }),
  };
}

/** A JSON-object cell (`tags`, `desiredProperties`, `optionalDeviceInformation`), checked. */
export function parseJsonObject(
  context: RowContext,
  column: ManifestColumn,
): TwinCollection | undefined {
  const text = context.value(column);

  if (text === undefined) return undefined;

  let parsed: unknown;

  try {
    parsed = JSON.parse(text);
  } catch (error) {
    context.fail(column, 'twin-json', `not JSON (${(error as Error).message})`);
    return undefined;
  }

  if (!isPlainObject(parsed)) {
    context.fail(column, 'twin-json', `found ${describeJsonKind(parsed)}; expected a JSON object`);
    return undefined;
  }

  const problem = keysProblem(parsed, 1);

  if (problem !== undefined) {
    context.fail(column, problem.rule, problem.found);
    return undefined;
  }

  return parsed;
}

function mergeCsvColumns(
  context: RowContext,
  parts: Record<TwinSection, TwinCollection | undefined>,
): void {
  for (const column of context.record.layout.twinColumns) {
    const text = context.cellValue(column.cellIndex, column.name);

    if (text === undefined) continue;

    const value = isCellQuoted(context.record, column.cellIndex) ? text : inferScalar(text);
    const root = (parts[column.section] ??= {});

    if (!setPath(root, column.path, value)) {
      context.failAt(
        column.cellIndex,
        column.name,
        'twin-key-conflict',
        conflictText(column.section),
      );
    }
  }
}

function mergeTypedValues(
  context: RowContext,
  parts: Record<TwinSection, TwinCollection | undefined>,
): void {
  for (const entry of context.record.twinValues ?? []) {
    if (entry.value === null || entry.value === undefined) continue;

    const problem = isPlainObject(entry.value)
      ? keysProblem(entry.value, entry.path.length + 1)
      : undefined;

    if (problem !== undefined) {
      context.failAt(-1, entry.name, problem.rule, problem.found);
      continue;
    }

    const root = (parts[entry.section] ??= {});

    if (!setPath(root, entry.path, entry.value)) {
      context.failAt(-1, entry.name, 'twin-key-conflict', conflictText(entry.section));
    }
  }
}

function conflictText(section: TwinSection): string {
  const column = section === 'tags' ? 'tags' : 'desiredProperties';
  return `the ${column} column already sets this key (or a value on its path)`;
}

/** `30` → 30, `true` → true, `007` and `1e3` stay text: only unambiguous spellings convert. */
export function inferScalar(text: string): unknown {
  if (text.length <= 5) {
    const lower = text.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }

  if (NUMBER_TEXT.test(text)) {
    const number = Number(text);
    if (String(number) === text) return number;
  }

  return text;
}

/** Sets `value` at `path`, creating objects on the way; false when something is in the way. */
function setPath(root: TwinCollection, path: readonly string[], value: unknown): boolean {
  let node: Record<string, unknown> = root;

  for (let index = 0; index < path.length - 1; index += 1) {
    const key = path[index] ?? '';

    if (!Object.hasOwn(node, key)) defineValue(node, key, {});

    const next = node[key];

    if (!isPlainObject(next)) return false;

    node = next;
  }

  const leaf = path[path.length - 1] ?? '';

  if (Object.hasOwn(node, leaf)) return false;

  defineValue(node, leaf, value);
  return true;
}

/** The first twin-key problem in `value` (at `depth`), noting key order in `keyOrder`. */
function keysProblem(
  value: Record<string, unknown>,
  depth: number,
): { rule: string; found: string } | undefined {
  if (depth > MAX_TWIN_DEPTH) {
    return { rule: 'twin-depth', found: `objects nest deeper than ${MAX_TWIN_DEPTH} levels` };
  }

  for (const key in value) {
    const problem = twinKeyProblem(key);

    if (problem !== undefined) {
      return {
        rule: 'twin-key',
        found: `${problem}; twin keys may not hold . $ spaces or control characters`,
      };
    }

    const childProblem = childKeysProblem(value[key], depth);

    if (childProblem !== undefined) return childProblem;
  }

  return undefined;
}

function childKeysProblem(
  child: unknown,
  depth: number,
): { rule: string; found: string } | undefined {
  if (isPlainObject(child)) return keysProblem(child, depth + 1);

  if (Array.isArray(child)) {
    for (const item of child) {
      const problem = childKeysProblem(item, depth);
      if (problem !== undefined) return problem;
    }
  }

  return undefined;
}

function checkSize(
  context: RowContext,
  column: ManifestColumn,
  value: TwinCollection | undefined,
  limit: number,
): void {
  if (value === undefined || context.worstCaseJsonBytes() <= limit) return;

  const bytes = Buffer.byteLength(JSON.stringify(value));

  if (bytes > limit) {
    context.fail(
      column,
      'twin-size',
      `${bytes} bytes of JSON; at most ${limit} (${limit / 1024} KB)`,
    );
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeJsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'a JSON array';
  if (value === null) return 'null';
  return `a JSON ${typeof value}`;
}
