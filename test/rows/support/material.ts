/** Keys, endorsement keys and certificates made for tests (never real ones). */
import { randomBytes } from 'node:crypto';

import { buildSelfSignedCertificate } from '../../../samples/lib/x509-builder.mjs';
import type { CertificateOptions } from '../../../samples/lib/x509-builder.mjs';
import { eccTpmPublic, rsaTpmPublic } from '../../../samples/lib/tpm-public-builder.mjs';

export { buildSelfSignedCertificate, eccTpmPublic, rsaTpmPublic };

/** A base64 symmetric key of `bytes` random bytes. */
export function symmetricKey(bytes = 32): string {
  return randomBytes(bytes).toString('base64');
}

/** An RSA 2048 endorsement key (random modulus: the structure is what is checked). */
export function rsaEndorsementKey(): Buffer {
  // A top bit set makes the modulus a full 2048 bits, as a real key's is.
  const modulus = Buffer.concat([
    Buffer.from([0x80 | randomBytes(1).readUInt8(0)]),
    randomBytes(255),
  ]);
  return rsaTpmPublic(modulus, 'ek');
}

/** An ECC P-256 endorsement key (random coordinates: the structure is what is checked). */
export function eccEndorsementKey(): Buffer {
  return eccTpmPublic(randomBytes(32), randomBytes(32), 'ek');
}

/** A certificate, base64 DER, valid from an hour ago for 20 years unless told otherwise. */
export function certificateBase64(
  commonName: string,
  options: Partial<CertificateOptions> = {},
): string {
  return buildSelfSignedCertificate({ commonName, ...options }).base64;
}
