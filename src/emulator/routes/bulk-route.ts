/**
 * The bulk call (contract 3.2): at most 10 records, one mode. Whole-call problems (shape, more
 * than 10, a duplicate ID) are a 400 and nothing is applied; per-item problems come back in a
 * 200 reply as `errors[]` while the other items are applied.
 */
import { ERROR_CODES, ERROR_STATUS_TEXT, MAX_BULK_ITEMS } from '../../dps/contract/index.js';
import type { BulkMode } from '../../dps/contract/index.js';
import { jsonReply, type RouteReply } from '../http/route-reply.js';
import { describeJson } from '../records/id-rules.js';
import { normalizeRecord, type StoredRecord } from '../records/normalize-record.js';
import { isObject } from '../records/record-rules.js';
import { unquoteEtag } from '../store/timestamps.js';
import { badRequestReply, type OperationContext } from './operation-context.js';

const BULK_MODES: readonly BulkMode[] = ['create', 'update', 'updateIfMatchETag', 'delete'];

interface BulkItem {
  id: string;
  input: Record<string, unknown>;
  /** The item's `etag`, unquoted; undefined when it carries none. */
  etag: string | undefined;
}

interface ItemError {
  errorCode: number;
  errorStatus: string;
}

type ParsedBulk = { ok: true; mode: BulkMode; items: BulkItem[] } | { ok: false; message: string };

/** `POST /enrollments` or `/enrollmentGroups`: one bulk call. */
export function runBulk(context: OperationContext): RouteReply {
  const parsed = parseBulkRequest(context);
  if (!parsed.ok) return badRequestReply(parsed.message);

  const { idField } = context.recordKind;
  const errors: Array<Record<string, unknown>> = [];
  for (const item of parsed.items) {
    const error = applyItem(context, parsed.mode, item);
    if (error !== undefined) errors.push({ [idField]: item.id, ...error });
  }

  // Key order as observed from the service: errors first.
  return jsonReply({ errors, isSuccessful: errors.length === 0 });
}

/** Everything that fails the whole call, checked before any item is applied. */
function parseBulkRequest(context: OperationContext): ParsedBulk {
  const { body, recordKind } = context;
  if (!isObject(body)) {
    return refuse(`Bulk operation: expected a JSON object, found ${describeJson(body)}`);
  }

  const mode = readMode(body['mode'], context.settings.bulkModeIgnoresCase);
  if (mode === undefined) {
    const given = body['mode'];
    const found = typeof given === 'string' ? `"${given.slice(0, 40)}"` : describeJson(given);

    return refuse(`mode: must be one of ${BULK_MODES.join(', ')}, found ${found}`);
  }

  const list = body[recordKind.bulkField];
  if (!Array.isArray(list) || list.length === 0) {
    return refuse(`${recordKind.bulkField}: required non-empty array, found ${describeJson(list)}`);
  }

  if (list.length > MAX_BULK_ITEMS) {
    return refuse(
      `${recordKind.bulkField}: at most ${MAX_BULK_ITEMS} per call, found ${list.length}`,
    );
  }

  return collectItems(list, context, mode);
}

function collectItems(list: unknown[], context: OperationContext, mode: BulkMode): ParsedBulk {
  const { bulkField, idField } = context.recordKind;
  const items: BulkItem[] = [];
  const seen = new Map<string, number>();

  for (const [index, input] of list.entries()) {
    const where = `${bulkField}[${index}].${idField}`;
    const id = isObject(input) ? input[idField] : undefined;
    if (!isObject(input) || typeof id !== 'string' || id === '') {
      return refuse(`${where}: required non-empty string, found ${describeJson(id)}`);
    }

    // A duplicate fails the whole call (contract 3.2), IDs compared without case.
    const earlier = seen.get(id.toLowerCase());
    if (earlier !== undefined) {
      return refuse(`${where}: "${id}" duplicates item ${earlier}; IDs must be unique in one call`);
    }

    seen.set(id.toLowerCase(), index);
    items.push({ id, input, etag: readItemEtag(input['etag']) });
  }

  return { ok: true, mode, items };
}

function readMode(value: unknown, ignoreCase: boolean): BulkMode | undefined {
  if (typeof value !== 'string') return undefined;

  const wanted = ignoreCase ? value.toLowerCase() : value;

  return BULK_MODES.find((mode) => (ignoreCase ? mode.toLowerCase() : mode) === wanted);
}

function readItemEtag(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? unquoteEtag(value) : undefined;
}

/**
 * One item, by mode. `update` behaves like PUT with If-Match set to the item's etag: without
 * one, an existing record answers 409201 (observed); a stale one answers 412.
 * `updateIfMatchETag` insists on an etag (412 without one).
 */
function applyItem(
  context: OperationContext,
  mode: BulkMode,
  item: BulkItem,
): ItemError | undefined {
  const existing = context.state.storeFor(context.recordKind).get(item.id);

  if (mode === 'delete') return deleteItem(context, item, existing);
  if (mode === 'create') {
    return existing === undefined ? writeItem(context, item, undefined) : alreadyExists();
  }

  if (existing === undefined) return updateOfMissing(context, mode, item);
  if (item.etag === undefined) {
    return mode === 'update' ? alreadyExists() : preconditionFailed(item.id, 'it carries no etag');
  }

  if (item.etag !== '*' && item.etag !== existing.etag) {
    return preconditionFailed(item.id, 'the etag is not the current one');
  }

  return writeItem(context, item, existing);
}

/** Bulk update of a missing ID: 404201, or a create when the switch says so (no etag only). */
function updateOfMissing(
  context: OperationContext,
  mode: BulkMode,
  item: BulkItem,
): ItemError | undefined {
  const mayCreate =
    mode === 'update' && item.etag === undefined && context.settings.updateMissing === 'create';

  return mayCreate ? writeItem(context, item, undefined) : notFound(context);
}

function deleteItem(
  context: OperationContext,
  item: BulkItem,
  existing: StoredRecord | undefined,
): ItemError | undefined {
  if (existing === undefined) return notFound(context);
  if (item.etag !== undefined && item.etag !== '*' && item.etag !== existing.etag) {
    return preconditionFailed(item.id, 'the etag is not the current one');
  }

  context.state.storeFor(context.recordKind).delete(item.id);
  if (!context.recordKind.isGroup) context.state.registrations.delete(item.id);

  return undefined;
}

function writeItem(
  context: OperationContext,
  item: BulkItem,
  existing: StoredRecord | undefined,
): ItemError | undefined {
  const { recordKind, settings, state, clock } = context;
  const normalized = normalizeRecord(item.input, recordKind, settings.records, existing, clock);
  if (!normalized.ok) return { errorCode: ERROR_CODES.badRequest, errorStatus: normalized.message };

  state.storeFor(recordKind).put(item.id, normalized.record);
  if (existing === undefined && !recordKind.isGroup) state.counters.countCreate(item.id);

  return undefined;
}

function alreadyExists(): ItemError {
  return {
    errorCode: ERROR_CODES.enrollmentExists,
    errorStatus: ERROR_STATUS_TEXT.enrollmentExists,
  };
}

function notFound(context: OperationContext): ItemError {
  return {
    errorCode: context.recordKind.notFoundCode,
    errorStatus: context.recordKind.notFoundText,
  };
}

function preconditionFailed(id: string, why: string): ItemError {
  return {
    errorCode: ERROR_CODES.preconditionFailed,
    errorStatus: `Precondition failed for "${id}": ${why}.`,
  };
}

function refuse(message: string): ParsedBulk {
  return { ok: false, message };
}
