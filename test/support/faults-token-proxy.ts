/**
 * A loopback proxy in front of an emulator that can make SAS tokens expire mid-run. The emulator
 * signs tokens against the real clock, and a test cannot move that clock in another process;
 * the proxy instead refuses (401, as the service does) every token whose expiry (`se`) is at or
 * before a cutoff the test sets, and forwards everything else untouched. A client that renews
 * its token then signs a later expiry and gets through; one that cannot, stays refused.
 */
import {
  createServer,
  request as forward,
  Agent,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';

import { parseSasToken } from '../../src/dps/contract/index.js';

const EXPIRED_BODY = JSON.stringify({
  errorCode: 401002,
  message: 'Unauthorized: the token has expired (injected by the test proxy)',
});

/** The proxy's figures: what it forwarded and what it refused. */
export interface TokenProxyCounts {
  forwarded: number;
  refused: number;
  /** Distinct token expiries seen, in order: one more per renewal. */
  expiries: number[];
}

export class TokenExpiryProxy {
  readonly #target: URL;
  readonly #server: Server;
  readonly #agent = new Agent({ keepAlive: true });
  readonly counts: TokenProxyCounts = { forwarded: 0, refused: 0, expiries: [] };
  #cutoffSeconds = Number.NEGATIVE_INFINITY;
  endpoint = '';

  private constructor(targetEndpoint: string) {
    this.#target = new URL(targetEndpoint);
    this.#server = createServer((request, response) => this.#handle(request, response));
  }

  /** Starts a proxy to `targetEndpoint` on a free loopback port. */
  static async start(targetEndpoint: string): Promise<TokenExpiryProxy> {
    const proxy = new TokenExpiryProxy(targetEndpoint);
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    const address = proxy.#server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    proxy.endpoint = `http://127.0.0.1:${port}`;

    return proxy;
  }

  /** From now on, tokens expiring at or before the latest expiry seen so far are refused. */
  expireTokensSeenSoFar(): void {
    this.#cutoffSeconds = Math.max(...this.counts.expiries);
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    this.#agent.destroy();
    await closed;
  }

  #handle(request: IncomingMessage, response: ServerResponse): void {
    const expiry = parseSasToken(request.headers.authorization ?? '')?.expirySeconds;
    if (expiry !== undefined && !this.counts.expiries.includes(expiry))
      this.counts.expiries.push(expiry);

    if (expiry !== undefined && expiry <= this.#cutoffSeconds) {
      this.counts.refused += 1;
      request.resume();
      response.writeHead(401, { 'content-type': 'application/json', 'x-ms-error-code': '401002' });
      response.end(EXPIRED_BODY);

      return;
    }

    this.counts.forwarded += 1;
    const upstream = forward(
      {
        host: this.#target.hostname,
        port: this.#target.port,
        method: request.method,
        path: request.url,
        headers: request.headers,
        agent: this.#agent,
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', () => response.destroy());
    request.pipe(upstream);
  }
}
