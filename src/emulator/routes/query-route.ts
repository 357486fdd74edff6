/**
 * Query with paging (contract 2.6): `x-ms-max-item-count` sets the page size, an opaque
 * `x-ms-continuation` resumes, and `x-ms-item-type` is always sent. Only `SELECT *` (with or
 * without `FROM …`) is understood; the service's filter language is not imitated.
 */
import type { QueryItemType } from '../../dps/contract/index.js';
import { jsonReply, type RouteReply } from '../http/route-reply.js';
import { describeJson } from '../records/id-rules.js';
import { isObject } from '../records/record-rules.js';
import { viewInQuery } from '../records/views.js';
import type { StorePage } from '../store/record-store.js';
import { badRequestReply, type OperationContext } from './operation-context.js';

const SELECT_ALL = /^\s*(select\s+\*(\s+from\s+[A-Za-z_]+)?|\*)\s*$/i;
const MAX_PAGE_SIZE = 10_000;

/** `POST /enrollments/query` or `/enrollmentGroups/query`: one page. */
export function queryRecords(context: OperationContext): RouteReply {
  const paging = readPaging(context, context.recordKind.itemType);
  if (!paging.ok) return paging.reply;

  const problem = findQueryProblem(context.body);
  if (problem !== undefined) return badRequestReply(problem);

  const store = context.state.storeFor(context.recordKind);
  const page = store.page(paging.after, paging.pageSize);

  return pageReply(page.values.map(viewInQuery), page, paging, context.recordKind.itemType);
}

/** Registration records of the devices that registered through one enrollment group. */
export function queryRegistrations(context: OperationContext): RouteReply {
  const paging = readPaging(context, 'DeviceRegistration');
  if (!paging.ok) return paging.reply;

  const groupId = context.id!.toLowerCase();
  const page = context.state.registrations.page(
    paging.after,
    paging.pageSize,
    (registration) => registration.enrollmentGroupId?.toLowerCase() === groupId,
  );

  const states = page.values.map((registration) => registration.state);

  return pageReply(states, page, paging, 'DeviceRegistration');
}

interface PageRequest {
  ok: true;
  /** Sequence to resume after; 0 from the start. */
  after: number;
  pageSize: number;
  /** The `x-ms-max-item-count` the client sent, if any (echoed back). */
  requestedSize: string | undefined;
}

type Paging = PageRequest | { ok: false; reply: RouteReply };

function readPaging(context: OperationContext, itemType: QueryItemType): Paging {
  const requested = readHeader(context.headers['x-ms-max-item-count']);
  let pageSize = context.settings.defaultPageSize;

  if (requested !== undefined) {
    pageSize = Number(requested);
    if (!/^\d+$/.test(requested.trim()) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      const found = requested.slice(0, 40);
      const rule = `must be a whole number 1..${MAX_PAGE_SIZE}`;
      const message = `x-ms-max-item-count: ${rule}, found "${found}"`;

      return { ok: false, reply: badRequestReply(message) };
    }
  }

  const token = readHeader(context.headers['x-ms-continuation']);
  const after = token === undefined ? 0 : decodeContinuation(token, itemType);
  if (after === undefined) {
    const message = 'x-ms-continuation: not a token this emulator issued for this query';

    return { ok: false, reply: badRequestReply(message) };
  }

  return { ok: true, after, pageSize, requestedSize: requested };
}

function findQueryProblem(body: unknown): string | undefined {
  if (!isObject(body)) {
    return `Query specification: expected a JSON object, found ${describeJson(body)}`;
  }

  const query = body['query'];
  if (typeof query !== 'string') return `query: required string, found ${describeJson(query)}`;
  if (!SELECT_ALL.test(query)) {
    const found = query.slice(0, 80);

    const rule = 'the emulator only understands "SELECT *" (optionally "FROM …")';

    return `query: ${rule}, found "${found}"`;
  }

  return undefined;
}

function pageReply(
  items: unknown[],
  page: StorePage<unknown>,
  paging: PageRequest,
  itemType: QueryItemType,
): RouteReply {
  const headers: Record<string, string> = {
    'x-ms-item-type': itemType,
    'x-content-type-options': 'nosniff',
  };
  if (paging.requestedSize !== undefined) {
    headers['x-ms-max-item-count'] = String(paging.pageSize);
  }

  if (page.resumeAfter !== undefined) {
    headers['x-ms-continuation'] = encodeContinuation(page.resumeAfter, itemType);
  }

  return jsonReply(items, headers);
}

/** Opaque to clients: base64 of a small JSON naming the item type and where to resume. */
function encodeContinuation(after: number, itemType: QueryItemType): string {
  return Buffer.from(JSON.stringify({ type: itemType, after })).toString('base64');
}

function decodeContinuation(token: string, itemType: QueryItemType): number | undefined {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    if (!isObject(decoded) || decoded['type'] !== itemType) return undefined;

    const after = decoded['after'];

    return typeof after === 'number' && Number.isInteger(after) && after >= 0 ? after : undefined;
  } catch {
    return undefined;
  }
}

function readHeader(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;

  return text === undefined || text.trim() === '' ? undefined : text;
}
