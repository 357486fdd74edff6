/**
 * GET, PUT and DELETE of one enrollment or enrollment group, and its attestation mechanism
 * (contract 3.1): PUT without If-Match only creates; If-Match with the current etag (quoted or
 * not) or `*` updates; a stale etag is 412; DELETE answers 204.
 */
import { ERROR_CODES, ERROR_STATUS_TEXT } from '../../dps/contract/index.js';
import { errorReply, jsonReply, NO_CONTENT_REPLY, type RouteReply } from '../http/route-reply.js';
import { describeJson } from '../records/id-rules.js';
import { normalizeRecord, type StoredRecord } from '../records/normalize-record.js';
import { isObject } from '../records/record-rules.js';
import { viewAfterWrite, viewOnRead } from '../records/views.js';
import {
  badRequestReply,
  notFoundReply,
  preconditionFailedReply,
  readIfMatch,
  type OperationContext,
} from './operation-context.js';

/** GET one record: no keys, no certificates; enrollments add `registrationState`. */
export function getRecord(context: OperationContext): RouteReply {
  const id = context.id!;
  const record = context.state.storeFor(context.recordKind).get(id);
  if (record === undefined) return notFoundReply(context.recordKind);

  if (context.recordKind.isGroup) return jsonReply(viewOnRead(record, undefined));

  const registration = context.state.registrations.get(id);
  const registrationState = registration?.state ?? {
    registrationId: record['registrationId'] as string,
    status: 'unassigned' as const,
  };

  return jsonReply(viewOnRead(record, registrationState));
}

/** PUT one record: create without If-Match, update with the current etag or `*`. */
export function putRecord(context: OperationContext): RouteReply {
  const { recordKind, state } = context;
  const id = context.id!;
  const store = state.storeFor(recordKind);
  const existing = store.get(id);

  if (!isObject(context.body)) {
    const found = describeJson(context.body);

    return badRequestReply(`${recordKind.label}: expected a JSON object, found ${found}`);
  }

  const bodyId = context.body[recordKind.idField];
  if (typeof bodyId === 'string' && bodyId.toLowerCase() !== id.toLowerCase()) {
    const message = `${recordKind.idField}: the body names "${bodyId}" but the path names "${id}"`;

    return badRequestReply(message);
  }

  const blocked = checkWritePrecondition(context, existing);
  if (blocked !== undefined) return blocked;

  // The path is the authority on the ID; a body without one takes it from there.
  const input = { ...context.body, [recordKind.idField]: bodyId ?? id };
  const { records } = context.settings;
  const normalized = normalizeRecord(input, recordKind, records, existing, context.clock);
  if (!normalized.ok) return badRequestReply(normalized.message);

  store.put(id, normalized.record);
  if (existing === undefined && !recordKind.isGroup) state.counters.countCreate(id);

  return jsonReply(viewAfterWrite(normalized.record));
}

/** DELETE one record (204), with If-Match checked when given. */
export function deleteRecord(context: OperationContext): RouteReply {
  const { recordKind, state } = context;
  const id = context.id!;
  const store = state.storeFor(recordKind);
  const existing = store.get(id);
  const ifMatch = readIfMatch(context.headers);

  if (existing === undefined) {
    return missingWithIfMatch(context, ifMatch) ?? notFoundReply(recordKind);
  }
  if (ifMatch !== undefined && ifMatch !== '*' && ifMatch !== existing.etag) {
    return preconditionFailedReply(`If-Match does not name the current etag of "${id}"`);
  }

  store.delete(id);
  if (!recordKind.isGroup) state.registrations.delete(id);

  return NO_CONTENT_REPLY;
}

/** The stored attestation with its secrets: the only way to read keys after a create. */
export function getAttestation(context: OperationContext): RouteReply {
  const id = context.id!;
  const record = context.state.storeFor(context.recordKind).get(id);

  return record === undefined ? notFoundReply(context.recordKind) : jsonReply(record.attestation);
}

function checkWritePrecondition(
  context: OperationContext,
  existing: StoredRecord | undefined,
): RouteReply | undefined {
  const ifMatch = readIfMatch(context.headers);
  const id = context.id!;

  if (existing === undefined) return missingWithIfMatch(context, ifMatch);

  if (ifMatch === undefined) {
    return errorReply(409, ERROR_CODES.enrollmentExists, ERROR_STATUS_TEXT.enrollmentExists);
  }

  if (ifMatch !== '*' && ifMatch !== existing.etag) {
    return preconditionFailedReply(`If-Match does not name the current etag of "${id}"`);
  }

  return undefined;
}

/** If-Match on an ID that does not exist: 404 or 412 by switch (unconfirmed, contract 3.1). */
function missingWithIfMatch(
  context: OperationContext,
  ifMatch: string | undefined,
): RouteReply | undefined {
  if (ifMatch === undefined) return undefined;

  return context.settings.ifMatchOnMissing === 'precondition-failed'
    ? preconditionFailedReply(`If-Match was given but "${context.id}" does not exist`)
    : notFoundReply(context.recordKind);
}
