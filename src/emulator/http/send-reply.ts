/**
 * Writes a route reply: JSON with `application/json; charset=utf-8` and a length, as the
 * service answers (contract 6). Kept small because every request passes through it.
 */
import type { ServerResponse } from 'node:http';
import type { RouteReply } from './route-reply.js';

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
const TRANSPORT_SECURITY = 'max-age=31536000; includeSubDomains';

/** Writes a reply unless the connection is gone or an answer already went out. */
export function sendReply(response: ServerResponse, reply: RouteReply, isTls: boolean): void {
  if (response.destroyed || response.headersSent) return;

  const headers: Record<string, string | number> = { ...reply.headers };
  if (isTls) headers['strict-transport-security'] = TRANSPORT_SECURITY;

  if (reply.body === undefined) {
    response.writeHead(reply.status, headers);
    response.end();

    return;
  }

  // A string body goes out in one write with the head; a Buffer would take a second one.
  const payload = JSON.stringify(reply.body);
  headers['content-type'] = JSON_CONTENT_TYPE;
  headers['content-length'] = Buffer.byteLength(payload);
  response.writeHead(reply.status, headers);
  response.end(payload);
}
