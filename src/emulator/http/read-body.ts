/**
 * Reads a request body up to a byte limit. A declared or actual size over the limit ends in
 * 413 and a closed connection, so a client cannot make the emulator buffer gigabytes.
 */
import type { IncomingMessage } from 'node:http';
import { ERROR_CODES } from '../../dps/contract/index.js';
import { errorReply, type RouteReply } from './route-reply.js';

/** The body's bytes, a 413 reply (the connection then closes), or nothing when the client left. */
export type BodyResult =
  { kind: 'body'; bytes: Buffer } | { kind: 'too-large'; reply: RouteReply } | { kind: 'aborted' };

const EMPTY = Buffer.alloc(0);

/** Reads the whole body, refusing more than `maxBytes` (declared or sent). */
export function readBody(request: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > maxBytes) return Promise.resolve(tooLarge(maxBytes, `${declared} declared`));

  if (declared === 0 && request.headers['transfer-encoding'] === undefined) {
    // Nothing to read; resume so the request still ends and frees its socket for the next one.
    request.resume();

    return Promise.resolve({ kind: 'body', bytes: EMPTY });
  }

  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;

    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        request.removeAllListeners('data');
        request.pause();
        resolve(tooLarge(maxBytes, `more than ${maxBytes} sent`));

        return;
      }

      chunks.push(chunk);
    });
    request.on('end', () => {
      const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      resolve({ kind: 'body', bytes });
    });
    request.on('error', () => resolve({ kind: 'aborted' }));
    request.on('aborted', () => resolve({ kind: 'aborted' }));
  });
}

function tooLarge(maxBytes: number, found: string): BodyResult {
  const message = `Request body too large: the limit is ${maxBytes} bytes, ${found}`;

  return {
    kind: 'too-large',
    reply: errorReply(413, ERROR_CODES.payloadTooLarge, message, { connection: 'close' }),
  };
}
