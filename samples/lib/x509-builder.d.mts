import type { KeyObject } from 'node:crypto';

export interface CertificateOptions {
  commonName: string;
  organization?: string;
  notBefore?: Date;
  notAfter?: Date;
  keyType?: 'ec' | 'rsa';
  isAuthority?: boolean;
}

export interface BuiltCertificate {
  der: Buffer;
  base64: string;
  pem: string;
  privateKey: KeyObject;
}

export function buildSelfSignedCertificate(options: CertificateOptions): BuiltCertificate;
export function toPem(base64: string, label?: string): string;
