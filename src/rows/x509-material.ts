/**
 * X.509 client certificates from a cell: PEM text, base64 DER, or a path to a .pem/.cer/.crt/.der
 * file inside the manifest's folder. Parsed with node:crypto; what we send is the PEM block (line
 * breaks normalised) or compact base64 DER. Messages give the shape, never the certificate.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync, realpathSync } from 'node:fs';
import { extname, isAbsolute, relative, resolve } from 'node:path';

import { checkStrictBase64 } from './base64.js';

const CERTIFICATE_FILE_EXTENSIONS: ReadonlySet<string> = new Set(['.pem', '.cer', '.crt', '.der']);
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
const WHITESPACE = /\s+/g;

/** A certificate read from a cell, ready to check and send. */
export interface LoadedCertificate {
  certificate: X509Certificate;
  /** What goes on the wire: one PEM block or base64 DER. */
  wireText: string;
  /** Certificates after the first in a PEM cell or file (they are not sent). */
  extraCertificates: number;
}

/** A certificate, or why the cell does not hold one (rule and shape). */
export type CertificateLoad = LoadedCertificate | { rule: string; found: string };

/** Reads the cell's certificate; `directory` is the manifest's folder. */
export function loadCertificate(value: string, directory: string): CertificateLoad {
  if (value.includes('-----BEGIN')) return fromPem(value, `PEM text of ${value.length} characters`);

  if (CERTIFICATE_FILE_EXTENSIONS.has(extname(value).toLowerCase()) && !value.includes('\n')) {
    return fromFile(value, directory);
  }

  return fromBase64(value.replace(WHITESPACE, ''));
}

function fromPem(text: string, shape: string): CertificateLoad {
  const blocks = [...text.matchAll(PEM_BLOCK)];
  const labels = blocks.map((block) => block[1] ?? '');

  if (labels.some((label) => label.includes('PRIVATE KEY'))) {
    return {
      rule: 'x509-private-key',
      found: `${shape} holds a PRIVATE KEY block; never put private keys in a manifest`,
    };
  }

  const certificates = blocks.filter((block) => block[1] === 'CERTIFICATE');
  const first = certificates[0];

  if (first === undefined) {
    const found = labels.length === 0 ? 'no complete PEM block' : `blocks ${labels.join(', ')}`;
    return { rule: 'x509-certificate-parse', found: `${shape} has ${found}, no CERTIFICATE` };
  }

  const wireText = first[0].replace(/\r\n?/g, '\n').trim();
  return parse(wireText, shape, certificates.length - 1);
}

function fromBase64(text: string): CertificateLoad {
  const decoded = checkStrictBase64(text);

  if (typeof decoded === 'string') {
    return { rule: 'x509-certificate-parse', found: `neither PEM nor base64 DER: ${decoded}` };
  }

  return parse(text, `base64 DER of ${decoded} bytes`, 0, Buffer.from(text, 'base64'));
}

function parse(wireText: string, shape: string, extra: number, der?: Buffer): CertificateLoad {
  try {
    const certificate = new X509Certificate(der ?? wireText);
    return { certificate, wireText, extraCertificates: extra };
  } catch {
    return {
      rule: 'x509-certificate-parse',
      found: `${shape} does not parse as an X.509 certificate`,
    };
  }
}

function fromFile(path: string, directory: string): CertificateLoad {
  const target = resolve(directory, path);

  if (!isInside(directory, target)) {
    return { rule: 'x509-certificate-file', found: `path ${path} leaves the manifest's folder` };
  }

  let bytes: Buffer;

  try {
    if (!isInside(realpathSync(directory), realpathSync(target))) {
      return {
        rule: 'x509-certificate-file',
        found: `path ${path} links outside the manifest's folder`,
      };
    }

    bytes = readFileSync(target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    return { rule: 'x509-certificate-file', found: `cannot read ${path} (${code})` };
  }

  const text = bytes.toString('latin1');

  if (text.includes('-----BEGIN')) return fromPem(text, `file ${path} (${bytes.length} bytes)`);

  return parse(bytes.toString('base64'), `file ${path} (${bytes.length} bytes of DER)`, 0, bytes);
}

function isInside(directory: string, target: string): boolean {
  const path = relative(directory, target);
  return path.length > 0 && !path.startsWith('..') && !isAbsolute(path);
}

export interface CertificateFindings {
  expiredOn?: string;
  notValidBefore?: string;
  commonNameDiffers: boolean;
  isCertificateAuthority: boolean;
}

/** Validity against `now` and the subject CN against the registration ID. */
export function inspectCertificate(
  certificate: X509Certificate,
  registrationId: string,
  now: Date,
): CertificateFindings {
  const validTo = Date.parse(certificate.validTo);
  const validFrom = Date.parse(certificate.validFrom);
  const commonName = /^CN=(.*)$/m.exec(certificate.subject)?.[1];

  return {
    ...(validTo < now.getTime() ? { expiredOn: new Date(validTo).toISOString() } : {}),
    ...(validFrom > now.getTime() ? { notValidBefore: new Date(validFrom).toISOString() } : {}),
    commonNameDiffers: commonName?.toLowerCase() !== registrationId.toLowerCase(),
    isCertificateAuthority: certificate.ca,
  };
}
