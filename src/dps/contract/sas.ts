/**
 * Shared access signatures for the DPS service API (contract section 5.1).
 * The token is `SharedAccessSignature sr=<resource>&sig=<signature>&se=<expiry>&skn=<policy>`,
 * where the signature is HMAC-SHA256, keyed with the base64-decoded policy key, over
 * `encodeURIComponent(resource) + "\n" + expiry`. The resource is the DPS host name.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface ConnectionString {
  hostName: string;
  sharedAccessKeyName: string;
  /** Base64 policy key. A secret: never log it. */
  sharedAccessKey: string;
}

export class ConnectionStringError extends Error {
  override name = 'ConnectionStringError';
}

/**
 * Parses `HostName=…;SharedAccessKeyName=…;SharedAccessKey=…`, with the part names matched
 * case-insensitively and in any order. Messages name the missing part, never the key.
 */
export function parseConnectionString(text: string): ConnectionString {
  const parts = new Map<string, string>();

  for (const segment of text.trim().split(';')) {
    if (segment.trim() === '') continue;
    const equals = segment.indexOf('=');
    if (equals <= 0) {
      throw new ConnectionStringError('connection string: every part must be Name=Value');
    }
    parts.set(segment.slice(0, equals).trim().toLowerCase(), segment.slice(equals + 1).trim());
  }

  const hostName = parts.get('hostname');
  const sharedAccessKeyName = parts.get('sharedaccesskeyname');
  const sharedAccessKey = parts.get('sharedaccesskey');
  const missing = [
    hostName ? null : 'HostName',
    sharedAccessKeyName ? null : 'SharedAccessKeyName',
    sharedAccessKey ? null : 'SharedAccessKey',
  ].filter((name): name is string => name !== null);

  if (missing.length > 0) {
    throw new ConnectionStringError(`connection string: missing ${missing.join(', ')}`);
  }

  return {
    hostName: hostName!,
    sharedAccessKeyName: sharedAccessKeyName!,
    sharedAccessKey: sharedAccessKey!,
  };
}

/** Formats a connection string; used by the emulator to print the one clients should use. */
export function formatConnectionString(connection: ConnectionString): string {
  return (
    `HostName=${connection.hostName};SharedAccessKeyName=${connection.sharedAccessKeyName};` +
    `SharedAccessKey=${connection.sharedAccessKey}`
  );
}

/** Base64 HMAC-SHA256 of `encodeURIComponent(resource)\nexpiry` under the decoded key. */
export function computeSasSignature(
  resource: string,
  expirySeconds: number,
  base64Key: string,
): string {
  const stringToSign = `${encodeURIComponent(resource)}\n${expirySeconds}`;
  return createHmac('sha256', Buffer.from(base64Key, 'base64'))
    .update(stringToSign)
    .digest('base64');
}

export interface SasTokenInput {
  resource: string;
  policyName: string;
  base64Key: string;
  /** Unix time in seconds at which the token stops being valid. */
  expirySeconds: number;
}

/** Builds the Authorization header value, fields in the C# and Java SDKs' order (sr sig se skn). */
export function createSasToken(input: SasTokenInput): string {
  const signature = computeSasSignature(input.resource, input.expirySeconds, input.base64Key);
  return (
    `SharedAccessSignature sr=${encodeURIComponent(input.resource)}` +
    `&sig=${encodeURIComponent(signature)}&se=${input.expirySeconds}` +
    `&skn=${encodeURIComponent(input.policyName)}`
  );
}

export interface ParsedSasToken {
  resource: string;
  signature: string;
  expirySeconds: number;
  policyName: string;
}

/**
 * Parses a SharedAccessSignature header value: fields in any order, values percent-decoded.
 * Returns null when it is not a SAS token or a field is missing.
 */
export function parseSasToken(header: string): ParsedSasToken | null {
  const prefix = 'SharedAccessSignature ';
  if (!header.startsWith(prefix)) return null;

  const fields = new Map<string, string>();
  for (const pair of header.slice(prefix.length).trim().split('&')) {
    const equals = pair.indexOf('=');
    if (equals <= 0) return null;
    try {
      fields.set(pair.slice(0, equals), decodeURIComponent(pair.slice(equals + 1)));
    } catch {
      return null;
    }
  }

  const resource = fields.get('sr');
  const signature = fields.get('sig');
  const expiry = fields.get('se');
  const policyName = fields.get('skn');
  if (!resource || !signature || !expiry || !policyName || !/^\d+$/.test(expiry)) return null;

  return { resource, signature, expirySeconds: Number(expiry), policyName };
}

/**
 * True when the signature matches the resource and expiry under the key. SDKs differ in whether
 * they sign the host as-is or lower-cased (contract 5.1), so both forms are accepted.
 */
export function isSasSignatureValid(token: ParsedSasToken, base64Key: string): boolean {
  const given = Buffer.from(token.signature, 'base64');
  const candidates = new Set([token.resource, token.resource.toLowerCase()]);

  for (const resource of candidates) {
    const expected = Buffer.from(
      computeSasSignature(resource, token.expirySeconds, base64Key),
      'base64',
    );
    if (expected.length === given.length && timingSafeEqual(expected, given)) return true;
  }

  return false;
}
