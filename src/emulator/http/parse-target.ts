/**
 * Splits a request target into decoded path segments and the api-version, refusing what a
 * service must never act on: `.` or `..` segments, control characters, broken percent-encoding.
 */
import { ERROR_CODES } from '../../dps/contract/index.js';
import { errorReply, type RouteReply } from './route-reply.js';

/** Decoded path segments and api-version, or the 400 reply that refuses the target. */
export type TargetResult =
  | { ok: true; segments: string[]; apiVersion: string | undefined }
  | { ok: false; reply: RouteReply };

const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
const API_VERSION_PREFIX = 'api-version=';

/** Parses `request.url` (origin form) without normalising it, so `..` is seen and refused. */
export function parseTarget(rawTarget: string): TargetResult {
  const questionMark = rawTarget.indexOf('?');
  const path = questionMark === -1 ? rawTarget : rawTarget.slice(0, questionMark);
  const query = questionMark === -1 ? '' : rawTarget.slice(questionMark + 1);

  if (!path.startsWith('/')) return badTarget('the request path must start with "/"');

  const rawSegments = path.slice(1).split('/');
  // A trailing slash is how the Node SDK sends its bulk call: `/enrollments/?api-version=…`.
  if (rawSegments.length > 1 && rawSegments[rawSegments.length - 1] === '') rawSegments.pop();

  const segments: string[] = [];
  for (const [index, raw] of rawSegments.entries()) {
    const decoded = decodeSegment(raw);
    const problem = findSegmentProblem(raw, decoded, index);
    if (problem !== undefined) return badTarget(problem);

    segments.push(decoded!);
  }

  return { ok: true, segments, apiVersion: readApiVersion(query) };
}

function decodeSegment(raw: string): string | undefined {
  if (!raw.includes('%')) return raw;

  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

function findSegmentProblem(
  raw: string,
  decoded: string | undefined,
  index: number,
): string | undefined {
  const where = `path segment ${index + 1}`;
  if (decoded === undefined) return `${where} has broken percent-encoding`;
  if (decoded === '' && index > 0) return `${where} is empty`;
  if (decoded === '.' || decoded === '..' || raw === '.' || raw === '..') {
    return `${where} is "${decoded}"; relative segments are not allowed`;
  }

  if (CONTROL_CHARACTERS.test(decoded)) return `${where} contains a control character`;

  return undefined;
}

/** The first `api-version` parameter, percent-decoded (`+` as space, as forms encode it). */
function readApiVersion(query: string): string | undefined {
  for (const pair of query.split('&')) {
    if (!pair.startsWith(API_VERSION_PREFIX)) continue;

    try {
      return decodeURIComponent(pair.slice(API_VERSION_PREFIX.length).replaceAll('+', ' '));
    } catch {
      return pair.slice(API_VERSION_PREFIX.length);
    }
  }

  return undefined;
}

function badTarget(message: string): TargetResult {
  return { ok: false, reply: errorReply(400, ERROR_CODES.badRequest, `Bad request: ${message}`) };
}
