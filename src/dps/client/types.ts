/**
 * What the REST client promises its callers. Every call ends in a value: the service's reply
 * (any status), or a transport error that says whether the request may have reached the service.
 * Nothing here ever carries a request body or an Authorization header.
 */
import type { BulkMode, IndividualEnrollment } from '../contract/index.js';

/**
 * Why no reply arrived:
 * - `timeout`: the per-request timeout ran out (connecting, waiting for headers, or reading);
 * - `connection-refused` / `dns` / `unreachable`: the connection never opened;
 * - `connection-reset` / `connection-closed`: the socket died during the exchange;
 * - `tls`: the TLS handshake failed (certificate, protocol); retrying will not help;
 * - `response-too-large`: the body passed MAX_RESPONSE_BYTES and was dropped;
 * - `client-closed`: the client was closed before the request could start;
 * - `network`: any other socket-level failure.
 */
export type TransportErrorCode =
  | 'timeout'
  | 'connection-refused'
  | 'dns'
  | 'unreachable'
  | 'connection-reset'
  | 'connection-closed'
  | 'tls'
  | 'response-too-large'
  | 'client-closed'
  | 'network';

/** A complete HTTP answer from the service, whatever its status. */
export interface DpsReply {
  kind: 'reply';
  status: number;
  /** Response headers, names lower-cased, repeated values joined with ", ". */
  headers: Record<string, string>;
  /** Parsed JSON when the body is JSON, the raw text otherwise, undefined when empty. */
  body: unknown;
  /** Wall time from the call to the end of the body, in milliseconds. */
  durationMs: number;
  /** Generation of the credential the request carried (see DpsClient.credentialGeneration). */
  credentialGeneration: number;
}

/** No complete reply: the request failed below HTTP. */
export interface DpsTransportError {
  kind: 'transport-error';
  code: TransportErrorCode;
  /**
   * True when the request may have reached the service (it was being written, or written, when
   * the failure came): the service may then have applied it. False only when it certainly did not
   * leave this process (connection never opened, client closed, TLS refused).
   */
  sentRequest: boolean;
  /** Short technical text (error code and message); never a body or a header value. */
  detail: string;
  durationMs: number;
  credentialGeneration: number;
}

/** How every client call ends: a reply of any status, or a transport error. */
export type DpsAnswer = DpsReply | DpsTransportError;

/** The service API for individual enrollments, one method per route (contract section 1). */
export interface DpsClient {
  /** POST /enrollments: one bulk call of at most 10 enrollments, all in one mode. */
  bulk(mode: BulkMode, enrollments: readonly IndividualEnrollment[]): Promise<DpsAnswer>;
  /** GET /enrollments/{id}. */
  get(registrationId: string): Promise<DpsAnswer>;
  /** PUT /enrollments/{id}, with If-Match when an etag is given. */
  put(enrollment: IndividualEnrollment, ifMatch?: string): Promise<DpsAnswer>;
  /** DELETE /enrollments/{id}, with If-Match when an etag is given. */
  delete(registrationId: string, ifMatch?: string): Promise<DpsAnswer>;
  /** POST /enrollments/{id}/attestationmechanism: the only route that returns symmetric keys. */
  attestationMechanism(registrationId: string): Promise<DpsAnswer>;
  /** POST /enrollments/query; a page size of 0 or less sends no `x-ms-max-item-count`. */
  query(query: string, pageSize?: number, continuation?: string): Promise<DpsAnswer>;
  /**
   * Replaces the credential now (after a 401 mid-run). Returns false when there is nothing to
   * renew (a static bearer token), so the caller knows a retry cannot help.
   */
  renewCredential(): boolean;
  /** Counts up each time a new token is issued; answers carry the one they used. */
  readonly credentialGeneration: number;
  /**
   * Closes the keep-alive connections once the requests in flight have ended, cutting any still
   * running after CLOSE_GRACE_MS (2 s).
   */
  close(): Promise<void>;
}

/** Options of createDpsClient. */
export interface DpsClientOptions {
  /** Whole-request timeout (connect, headers and body), in milliseconds. */
  requestTimeoutMs: number;
  /** Keep-alive connections to the endpoint; at least the calls in flight. */
  connections: number;
  /** User-Agent header. @default "dps-bulk/<package version>" */
  userAgent?: string;
  /** How long close() waits for requests in flight before cutting them, in milliseconds.
   * @default 2000 (CLOSE_GRACE_MS) */
  closeGraceMs?: number;
  /** Clock for SAS expiry, in milliseconds since the epoch. @default Date.now */
  now?: () => number;
}
