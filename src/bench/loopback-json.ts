/**
 * GET a JSON document from a server the bench started on loopback (the emulator's stats).
 * Refuses any other host: the bench never talks to anything but its own children.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);
const REQUEST_TIMEOUT_MS = 10_000;

/** Throws unless `url` points at a loopback address. */
export function assertLoopback(url: URL): void {
  if (!LOOPBACK_HOSTS.has(url.hostname)) {
    throw new Error(`bench: refusing to contact ${url.host}: only loopback addresses are allowed`);
  }
}

/** Fetches and parses `url` (http or https; `caCertificate` is trusted for https). */
export function getLoopbackJson(url: URL, caCertificate?: string): Promise<unknown> {
  assertLoopback(url);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;

  return new Promise((resolve, reject) => {
    const options = {
      method: 'GET',
      timeout: REQUEST_TIMEOUT_MS,
      ...(caCertificate !== undefined ? { ca: caCertificate } : {}),
    };
    const request = send(url, options, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => {
        if (response.statusCode !== 200) {
          reject(new Error(`bench: GET ${url.pathname} answered ${response.statusCode}`));
          return;
        }

        resolve(JSON.parse(body) as unknown);
      });
    });

    request.on('timeout', () => request.destroy(new Error(`bench: GET ${url.pathname} timed out`)));
    request.on('error', reject);
    request.end();
  });
}
