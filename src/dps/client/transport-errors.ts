/**
 * Turns an undici or socket error into a transport error code, and decides whether the request
 * may have reached the service. The rule: once undici has put the request on a connected socket
 * (our handler saw onRequestStart), any later failure is ambiguous, because the bytes may have
 * been read and applied before the connection died. Before that point nothing left this process.
 */
import type { TransportErrorCode } from './types.js';

const CONNECT_PHASE_CODES: Record<string, TransportErrorCode> = {
  ECONNREFUSED: 'connection-refused',
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  EADDRNOTAVAIL: 'unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
};

const EXCHANGE_PHASE_CODES: Record<string, TransportErrorCode> = {
  ECONNRESET: 'connection-reset',
  EPIPE: 'connection-reset',
  UND_ERR_SOCKET: 'connection-closed',
  UND_ERR_CLOSED: 'connection-closed',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  ETIMEDOUT: 'timeout',
};

const CLOSED_CLIENT_CODES = new Set(['UND_ERR_DESTROYED', 'UND_ERR_CLOSED_CLIENT']);

/** The part of a failure the client reports: a code, the ambiguity, and a short detail. */
export interface ClassifiedTransportError {
  code: TransportErrorCode;
  sentRequest: boolean;
  detail: string;
}

function errorCodeOf(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    return String((error as { code: unknown }).code);
  }

  return '';
}

function isTlsFailure(code: string, error: unknown): boolean {
  if (code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_')) return true;
  if (/CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/.test(code)) return true;

  return error instanceof Error && /SSL routines|certificate/i.test(error.message);
}

/**
 * Classifies a failure. `started` says whether the request had been put on a socket; the codes
 * of the connection phase override it (a connect timeout never sent anything).
 */
export function classifyTransportError(error: unknown, started: boolean): ClassifiedTransportError {
  const code = errorCodeOf(error);
  const message = error instanceof Error ? error.message : String(error);
  const detail = code ? `${code}: ${message}` : message;

  if (CLOSED_CLIENT_CODES.has(code)) return { code: 'client-closed', sentRequest: false, detail };

  if (isTlsFailure(code, error)) return { code: 'tls', sentRequest: false, detail };

  const connectCode = CONNECT_PHASE_CODES[code];
  if (connectCode) return { code: connectCode, sentRequest: false, detail };

  return { code: EXCHANGE_PHASE_CODES[code] ?? 'network', sentRequest: started, detail };
}
