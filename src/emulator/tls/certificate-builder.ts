/**
 * Writes small X.509 v3 certificates with node:crypto keys (ECDSA P-256, SHA-256), no OpenSSL
 * binary needed: a CA for the emulator's HTTPS, a loopback server certificate it signs, and
 * device certificates for tests of X.509 enrollments.
 */
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import {
  bitString,
  booleanTrue,
  explicit,
  objectIdentifier,
  octetString,
  sequence,
  set,
  smallInteger,
  time,
  unsignedInteger,
  utf8String,
  element,
} from './der.js';

const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const COMMON_NAME = '2.5.4.3';
const BASIC_CONSTRAINTS = '2.5.29.19';
const KEY_USAGE = '2.5.29.15';
const SUBJECT_ALTERNATIVE_NAME = '2.5.29.17';
const EXTENDED_KEY_USAGE = '2.5.29.37';
const SERVER_AUTHENTICATION = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTHENTICATION = '1.3.6.1.5.5.7.3.2';
const DAY_MS = 86_400_000;

/** An EC P-256 key pair from node:crypto. */
export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** What to put in a certificate and who signs it. */
export interface CertificateRequest {
  commonName: string;
  /** The certificate's own keys. */
  subjectKeys: KeyPair;
  /** Signer: its name and private key; self-signed when absent. */
  issuer?: { commonName: string; privateKey: KeyObject };
  isAuthority?: boolean;
  /** DNS names and IPv4/IPv6 addresses for subjectAltName. */
  dnsNames?: string[];
  ipAddresses?: string[];
  usage?: 'server' | 'client';
  notBefore?: Date;
  notAfter?: Date;
}

/** A fresh EC P-256 key pair. */
export function generateKeyPair(): KeyPair {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
}

/** The certificate as PEM text. */
export function buildCertificate(request: CertificateRequest): string {
  const notBefore = request.notBefore ?? new Date(Date.now() - DAY_MS);
  const notAfter = request.notAfter ?? new Date(Date.now() + 365 * DAY_MS);
  const algorithm = sequence(objectIdentifier(ECDSA_WITH_SHA256));
  const issuerName = request.issuer?.commonName ?? request.commonName;
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f;

  const toBeSigned = sequence(
    explicit(0, smallInteger(2)),
    unsignedInteger(serial),
    algorithm,
    distinguishedName(issuerName),
    sequence(time(notBefore), time(notAfter)),
    distinguishedName(request.commonName),
    request.subjectKeys.publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, sequence(...extensions(request))),
  );
  const signingKey = request.issuer?.privateKey ?? request.subjectKeys.privateKey;
  const signature = sign('sha256', toBeSigned, signingKey);
  const der = sequence(toBeSigned, algorithm, bitString(signature));

  return toPem(der);
}

function distinguishedName(commonName: string): Buffer {
  return sequence(set(sequence(objectIdentifier(COMMON_NAME), utf8String(commonName))));
}

function extensions(request: CertificateRequest): Buffer[] {
  const list = [
    extension(BASIC_CONSTRAINTS, true, request.isAuthority ? sequence(booleanTrue()) : sequence()),
    // keyUsage bits: digitalSignature (0x80); an authority adds keyCertSign and cRLSign (0x06).
    extension(
      KEY_USAGE,
      true,
      request.isAuthority ? bitString(Buffer.from([0x86]), 1) : bitString(Buffer.from([0x80]), 7),
    ),
  ];

  const names = [
    ...(request.dnsNames ?? []).map((name) => element(0x82, Buffer.from(name, 'ascii'))),
    ...(request.ipAddresses ?? []).map((address) => element(0x87, encodeAddress(address))),
  ];
  if (names.length > 0) list.push(extension(SUBJECT_ALTERNATIVE_NAME, false, sequence(...names)));

  if (request.usage !== undefined) {
    const purpose = request.usage === 'server' ? SERVER_AUTHENTICATION : CLIENT_AUTHENTICATION;
    list.push(extension(EXTENDED_KEY_USAGE, false, sequence(objectIdentifier(purpose))));
  }

  return list;
}

function extension(identifier: string, isCritical: boolean, value: Buffer): Buffer {
  return isCritical
    ? sequence(objectIdentifier(identifier), booleanTrue(), octetString(value))
    : sequence(objectIdentifier(identifier), octetString(value));
}

function encodeAddress(address: string): Buffer {
  if (!address.includes(':')) return Buffer.from(address.split('.').map(Number));

  // IPv6: expand "::" and write eight 16-bit groups.
  const [head = '', tail = ''] = address.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === '' ? [] : tail.split(':');
  const groups = address.includes('::')
    ? [...headGroups, ...zeroGroups(8 - headGroups.length - tailGroups.length), ...tailGroups]
    : headGroups;
  const bytes = Buffer.alloc(16);
  groups.forEach((group, index) => bytes.writeUInt16BE(parseInt(group, 16), index * 2));

  return bytes;
}

function zeroGroups(count: number): string[] {
  return Array.from({ length: count }, () => '0');
}

function toPem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];

  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}
