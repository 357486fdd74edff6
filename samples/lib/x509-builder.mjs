/**
 * Self-signed X.509 v3 certificates built with node:crypto and our DER writer, for samples and
 * test fixtures only. EC P-256 (ecdsa-with-SHA256) by default, RSA 2048 on request.
 */
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';

import {
  bitString,
  booleanValue,
  explicit,
  nullValue,
  objectIdentifier,
  octetString,
  sequence,
  set,
  smallInteger,
  time,
  unsignedInteger,
  utf8String,
} from './der-writer.mjs';

const OID = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extendedKeyUsage: '2.5.29.37',
  clientAuthentication: '1.3.6.1.5.5.7.3.2',
};

const YEAR_MS = 365.25 * 24 * 60 * 60 * 1000;

/**
 * Builds a self-signed certificate. Options: commonName (required), organization, notBefore,
 * notAfter (default: one hour ago, and 20 years on), keyType 'ec' | 'rsa', isAuthority.
 * Returns { der, pem, base64, privateKey }.
 */
export function buildSelfSignedCertificate(options) {
  const keyType = options.keyType ?? 'ec';
  const { publicKey, privateKey } =
    keyType === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const algorithm = signatureAlgorithm(keyType);
  const name = distinguishedName(options.commonName, options.organization);
  const notBefore = options.notBefore ?? new Date(Date.now() - 60 * 60 * 1000);
  const notAfter = options.notAfter ?? new Date(notBefore.getTime() + 20 * YEAR_MS);
  const serial = randomBytes(16);
  serial[0] &= 0x7f;

  const toBeSigned = sequence(
    explicit(0, smallInteger(2)),
    unsignedInteger(serial),
    algorithm,
    name,
    sequence(time(notBefore), time(notAfter)),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, extensions(options.isAuthority === true)),
  );
  const signature = sign('sha256', toBeSigned, privateKey);
  const der = sequence(toBeSigned, algorithm, bitString(signature));
  const base64 = der.toString('base64');

  return { der, base64, pem: toPem(base64), privateKey };
}

function signatureAlgorithm(keyType) {
  return keyType === 'rsa'
    ? sequence(objectIdentifier(OID.sha256WithRsa), nullValue())
    : sequence(objectIdentifier(OID.ecdsaWithSha256));
}

function distinguishedName(commonName, organization) {
  const attributes = [];

  if (organization !== undefined) {
    attributes.push(set(sequence(objectIdentifier(OID.organization), utf8String(organization))));
  }

  attributes.push(set(sequence(objectIdentifier(OID.commonName), utf8String(commonName))));
  return sequence(...attributes);
}

function extensions(isAuthority) {
  // keyUsage bits from the most significant: digitalSignature (0), keyCertSign (5), cRLSign (6).
  const keyUsage = isAuthority
    ? bitString(Buffer.from([0x06]), 1)
    : bitString(Buffer.from([0x80]), 7);
  const basicConstraints = isAuthority ? sequence(booleanValue(true)) : sequence();
  const list = [
    extension(OID.basicConstraints, true, basicConstraints),
    extension(OID.keyUsage, true, keyUsage),
  ];

  if (!isAuthority) {
    list.push(
      extension(OID.extendedKeyUsage, false, sequence(objectIdentifier(OID.clientAuthentication))),
    );
  }

  return sequence(...list);
}

function extension(oid, isCritical, value) {
  const parts = [objectIdentifier(oid)];
  if (isCritical) parts.push(booleanValue(true));
  parts.push(octetString(value));
  return sequence(...parts);
}

/** PEM text with 64-character lines and LF line ends. */
export function toPem(base64, label = 'CERTIFICATE') {
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
