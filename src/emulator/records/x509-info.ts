/**
 * Reads an enrollment certificate (PEM text or base64 DER, contract 4.5) and computes the
 * `info` block the service returns instead of the certificate (contract 2.4): subject, issuer,
 * both thumbprints, validity, serial and version.
 */
import { X509Certificate } from 'node:crypto';
import type { X509CertificateInfo } from '../../dps/contract/index.js';
import { formatWholeSecondTimestamp } from '../store/timestamps.js';

/** The computed `info`, or what is wrong with the text (its shape, never its content). */
export type CertificateReadResult =
  { ok: true; info: X509CertificateInfo } | { ok: false; problem: string };

const STRICT_BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Parses a PEM or base64 DER certificate and computes its `info` block. */
export function readCertificateInfo(text: string): CertificateReadResult {
  const certificate = parseCertificate(text);
  if (typeof certificate === 'string') return { ok: false, problem: certificate };

  return {
    ok: true,
    info: {
      subjectName: formatDistinguishedName(certificate.subject),
      sha1Thumbprint: certificate.fingerprint.replaceAll(':', ''),
      sha256Thumbprint: certificate.fingerprint256.replaceAll(':', ''),
      issuerName: formatDistinguishedName(certificate.issuer),
      notBeforeUtc: formatWholeSecondTimestamp(new Date(certificate.validFrom)),
      notAfterUtc: formatWholeSecondTimestamp(new Date(certificate.validTo)),
      serialNumber: certificate.serialNumber.toUpperCase(),
      version: readVersion(certificate.raw),
    },
  };
}

function parseCertificate(text: string): X509Certificate | string {
  const trimmed = text.trim();
  const isPem = trimmed.includes('-----BEGIN CERTIFICATE-----');
  const compact = trimmed.replace(/\s+/g, '');

  if (!isPem && (!STRICT_BASE64.test(compact) || compact.length % 4 !== 0)) {
    return `neither PEM nor base64 DER (${trimmed.length} characters)`;
  }

  try {
    return new X509Certificate(isPem ? trimmed : Buffer.from(compact, 'base64'));
  } catch {
    return (
      `${isPem ? 'PEM' : 'base64'} text of ${trimmed.length} characters that does not ` +
      'parse as an X.509 certificate'
    );
  }
}

/**
 * Node lists a name's parts one per line in encoding order; .NET (which the service runs on)
 * prints them most specific first, joined by ", ", e.g. `CN=device-1, O=Contoso, C=US`.
 */
function formatDistinguishedName(lines: string): string {
  return lines
    .split('\n')
    .filter((line) => line !== '')
    .reverse()
    .join(', ');
}

/**
 * The X.509 version: `Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version … } }`;
 * when the explicit [0] tag is absent the certificate is version 1.
 */
function readVersion(der: Buffer): number {
  const tbsOffset = skipHeader(der, 0);
  const firstFieldOffset = skipHeader(der, tbsOffset);
  if (der[firstFieldOffset] !== 0xa0) return 1;

  const integerOffset = skipHeader(der, firstFieldOffset);
  const valueOffset = skipHeader(der, integerOffset);

  return (der[valueOffset] ?? 0) + 1;
}

/** Offset of the content of the DER element that starts at `offset`. */
function skipHeader(der: Buffer, offset: number): number {
  const firstLengthByte = der[offset + 1] ?? 0;
  if (firstLengthByte < 0x80) return offset + 2;

  return offset + 2 + (firstLengthByte & 0x7f);
}
