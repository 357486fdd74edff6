/**
 * An HTTPS agent for the official SDK in the peer benchmark. The SDK takes its host from the
 * connection string's HostName and always dials port 443; the emulator's HostName is
 * `127.0.0.1:<port>`, which Node would try to resolve as a DNS name. This agent dials the
 * emulator's loopback address and port instead, trusts its CA, and keeps connections alive as
 * Node 20's global agent does.
 */
import { Agent, type AgentOptions, type RequestOptions } from 'node:https';
import type { Duplex } from 'node:stream';

export interface LoopbackTarget {
  /** Loopback address to dial: `127.0.0.1` or `::1`. */
  host: string;
  port: number;
  /** PEM of the CA that signed the emulator's certificate. */
  caCertificate: string;
}

/** Node 20's global agent keeps connections alive; so does this one, to be fair to the SDK. */
const KEEP_ALIVE_OPTIONS: AgentOptions = { keepAlive: true, keepAliveMsecs: 1_000 };

export class LoopbackAgent extends Agent {
  private readonly target: LoopbackTarget;

  constructor(target: LoopbackTarget) {
    super({ ...KEEP_ALIVE_OPTIONS, ca: target.caCertificate });
    this.target = target;
  }

  override createConnection(
    options: RequestOptions,
    callback?: (error: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    // Only the address changes; the CA check and the certificate's IP name check still apply.
    const loopbackOptions: RequestOptions = {
      ...options,
      host: this.target.host,
      port: this.target.port,
      ca: this.target.caCertificate,
    };
    delete loopbackOptions.servername;
    return super.createConnection(loopbackOptions, callback);
  }
}
