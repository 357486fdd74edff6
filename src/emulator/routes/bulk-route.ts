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
}

interface ItemError {
  errorCode: number;
  errorStatus: string;
}

export function runBulk(context: OperationContext): RouteReply {
  const parsed = parseBulkRequest(context);
  if (!parsed.ok) return badRequestReply(parsed.message);

  const { idField } = context.recordKind;
  const errors: Array<Record<string, unknown>> = [];
  for (const item of parsed.items) {
    const error = applyItem(context, parsed.mode, item);
    if (error !== undefined) errors.push({ [idField]: item.id, ...error });
  }


  return jsonReply({ errors, isSuccessful: errors.length === 0 });
}

type ParsedBulk = { ok: true; mode: BulkMode; items: BulkItem[] } | { ok: false; message: string };

/** Everything that fails the whole call, checked before any item is applied. */
export function parseBulkRequest(context: OperationContext): ParsedBulk {
  const { body, recordKind } = context;
  if (!isObject(body)) return { ok: false, message: `Bulk operation: expected a JSON object, found ${describeJson(body)}` };

  const mode = readMode(body['mode'], context.settings.bulkModeIgnoresCase);
  if (mode === undefined) {
    const found = typeof body['mode'] === 'string' ? `"${body['mode'].slice(0, 40)}"` : describeJson(body['mode']);

    return { ok: false, message: `mode: must be one of ${BULK_MODES.join(', ')}, found ${found}` };
  }

  const list = body[recordKind.bulkField];
  if (!Array.isArray(list) || list.length === 0) {
    return { ok: false, message: `${recordKind.bulkField}: required non-empty array, found ${describeJson(list)}` };
  }

  if (list.length > MAX_BULK_ITEMS) {
    return { ok: false, message: `${recordKind.bulkField}: at most ${MAX_BULK_ITEMS} per call, found ${list.length}` };
  }

  return collectItems(list, context, mode);
}

function collectItems(list: unknown[], context: OperationContext, mode: BulkMode): ParsedBulk {
  const { bulkField, idField } = context.recordKind;
  const items: BulkItem[] = [];
  const seen = new Map<string, number>();

  for (const [index, input] of list.entries()) {
    const id = isObject(input) ? input[idField] : undefined;
    if (!isObject(input) || typeof id !== 'string' || id === '') {
      return { ok: false, message: `${bulkField}[${index}].${idField}: required non-empty string, found ${describeJson(id)}` };
    }

    const earlier = seen.get(id.toLowerCase());
    if (earlier !== undefined) {
      return { ok: false, message: `${bulkField}[${index}].${idField}: "${id}" duplicates item ${earlier}; IDs must be unique in one call` };
    }

    seen.set(id.toLowerCase(), index);
    items.push({ id, input });
  }

  return { ok: true, mode, items };
}

function readMode(value: unknown, ignoreCase: boolean): BulkMode | undefined {
  if (typeof value !== 'string') return undefined;

  return BULK_MODES.find((mode) => (ignoreCase ? mode.toLowerCase() === value.toLowerCase() : mode === value));
}

function applyItem(context: OperationContext, mode: BulkMode, item: BulkItem): ItemError | undefined {
  const store = context.state.storeFor(context.recordKind);
  const existing = store.get(item.id);
  const etag = typeof item.input['etag'] === 'string' && item.input['etag'] !== ''
    ? unquoteEtag(item.input['etag'])
    : undefined;

  if (mode === 'delete') return deleteItem(context, item, existing, etag);
  if (mode === 'create') return existing === undefined ? writeItem(context, item, undefined) : alreadyExists();
  if (existing === undefined) return updateOfMissing(context, mode, item, etag);

  if (etag === undefined) {
    // Observed: bulk `update` of existing records without an etag fails each with 409201.
    return mode === 'update' ? alreadyExists() : preconditionFailed(item.id, 'the item carries no etag');
  }

  if (etag !== '*' && etag !== existing.etag) return preconditionFailed(item.id, 'the etag is not the current one');

  return writeItem(context, item, existing);
}

function updateOfMissing(context: OperationContext, mode: BulkMode, item: BulkItem, etag: string | undefined): ItemError | undefined {
  const mayCreate = mode === 'update' && etag === undefined && context.settings.updateMissing === 'create';

  return mayCreate ? writeItem(context, item, undefined) : notFound(context);
}

function deleteItem(context: OperationContext, item: BulkItem, existing: StoredRecord | undefined, etag: string | undefined): ItemError | undefined {
  if (existing === undefined) return notFound(context);
  if (etag !== undefined && etag !== '*' && etag !== existing.etag) {
    return preconditionFailed(item.id, 'the etag is not the current one');
  }

  context.state.storeFor(context.recordKind).delete(item.id);
  if (!context.recordKind.isGroup) context.state.registrations.delete(item.id);

  return undefined;
}

function writeItem(context: OperationContext, item: BulkItem, existing: StoredRecord | undefined): ItemError | undefined {
  const { recordKind, settings, state } = context;
  const normalized = normalizeRecord(item.input, recordKind, settings.records, existing, context.clock);
  if (!normalized.ok) return { errorCode: ERROR_CODES.badRequest, errorStatus: normalized.message };

  state.storeFor(recordKind).put(item.id, normalized.record);
  if (existing === undefined && !recordKind.isGroup) state.counters.countCreate(item.id);

  return undefined;
}

function alreadyExists(): ItemError {
  return { errorCode: ERROR_CODES.enrollmentExists, errorStatus: ERROR_STATUS_TEXT.enrollmentExists };
}

function notFound(context: OperationContext): ItemError {
  return { errorCode: context.recordKind.notFoundCode, errorStatus: context.recordKind.notFoundText };
}

function preconditionFailed(id: string, why: string): ItemError {
  return { errorCode: ERROR_CODES.preconditionFailed, errorStatus: `Precondition failed for "${id}": ${why}.` };
}
