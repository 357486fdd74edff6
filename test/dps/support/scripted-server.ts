/**
 * A tiny node:http server on 127.0.0.1, port 0, whose every answer a test scripts. It records each
 * request (method, path, headers, body) so tests can assert exactly what went over the wire.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  /** Path without the query string, percent-decoded. */
  pathname: string;
  headers: Record<string, string | string[] | undefined>;
  bodyText: string;
  /** Parsed JSON body, or undefined. */
  body: unknown;
}

/** What the server does with one request. */
export type ScriptedAnswer =
  | { status: number; headers?: Record<string, string>; body?: unknown }
  /** Read the request, then kill the connection without a reply. */
  | { drop: true }
  /** Read the request and never answer (until the server closes). */
  | { hang: true };

export type ScriptHandler = (
  request: RecordedRequest,
  index: number,
) => ScriptedAnswer | Promise<ScriptedAnswer>;

export interface ScriptedServer {
  url: string;
  port: number;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;

  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function writeAnswer(response: ServerResponse, answer: ScriptedAnswer): void {
  if ('drop' in answer) {
    response.socket?.destroy();
    return;
  }

  if ('hang' in answer) return;

  const text = answer.body === undefined ? '' : JSON.stringify(answer.body);
  const headers: Record<string, string> = { ...answer.headers };

  if (text !== '' && headers['content-type'] === undefined) {
    headers['content-type'] = 'application/json; charset=utf-8';
  }

  response.writeHead(answer.status, headers);
  response.end(text);
}

/** Starts the server; pass `tls` (PEM key and certificate) to serve HTTPS. */
export async function startScriptedServer(
  handler: ScriptHandler,
  tls?: { key: string; cert: string },
): Promise<ScriptedServer> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();

  const listener = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const bodyText = await readBody(request);
    const url = request.url ?? '/';
    const recorded: RecordedRequest = {
      method: request.method ?? '',
      url,
      pathname: decodeURIComponent(url.split('?')[0] ?? ''),
      headers: request.headers,
      bodyText,
      body: parseJson(bodyText),
    };

    requests.push(recorded);
    writeAnswer(response, await handler(recorded, requests.length - 1));
  };

  const server = tls
    ? createHttpsServer(tls, (request, response) => void listener(request, response))
    : createServer((request, response) => void listener(request, response));

  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
