/**
 * TPM2B_PUBLIC structures (TPM 2.0 Library, Part 2) for samples and fixtures: endorsement keys
 * in the shape of the TCG EK Credential Profile's default templates (RSA 2048, ECC NIST P-256)
 * and storage root keys, around real public keys made by node:crypto.
 */
import { generateKeyPairSync } from 'node:crypto';

const TPM_ALG_RSA = 0x0001;
const TPM_ALG_ECC = 0x0023;
const TPM_ALG_SHA256 = 0x000b;
const TPM_ALG_AES = 0x0006;
const TPM_ALG_CFB = 0x0043;
const TPM_ALG_NULL = 0x0010;
const TPM_ECC_NIST_P256 = 0x0003;

/** fixedTPM, fixedParent, sensitiveDataOrigin, adminWithPolicy, restricted, decrypt. */
const EK_ATTRIBUTES = 0x000300b2;

/** fixedTPM, fixedParent, sensitiveDataOrigin, userWithAuth, noDA, restricted, decrypt. */
const SRK_ATTRIBUTES = 0x00030472;

/** The EK templates' authPolicy: PolicySecret(TPM_RH_ENDORSEMENT), a public constant. */
const EK_AUTH_POLICY = Buffer.from(
  '837197674484b3f81a90cc8d46a5d724fd52d76e06520b64f2a1da1b331469aa',
  'hex',
);

function uint16(value) {
  const bytes = Buffer.alloc(2);
  bytes.writeUInt16BE(value);
  return bytes;
}

function uint32(value) {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value);
  return bytes;
}

function sized(bytes) {
  return Buffer.concat([uint16(bytes.length), bytes]);
}

/** AES-128-CFB: the symmetric definition of restricted decryption keys. */
function aes128Cfb() {
  return Buffer.concat([uint16(TPM_ALG_AES), uint16(128), uint16(TPM_ALG_CFB)]);
}

function publicArea(type, attributes, authPolicy, parametersAndUnique) {
  const area = Buffer.concat([
    uint16(type),
    uint16(TPM_ALG_SHA256),
    uint32(attributes),
    sized(authPolicy),
    parametersAndUnique,
  ]);
  return sized(area);
}

/** TPM2B_PUBLIC of an RSA 2048 key with `modulus` (256 bytes). */
export function rsaTpmPublic(modulus, role = 'ek') {
  const parameters = Buffer.concat([
    aes128Cfb(),
    uint16(TPM_ALG_NULL),
    uint16(modulus.length * 8),
    uint32(0),
    sized(modulus),
  ]);
  return role === 'ek'
    ? publicArea(TPM_ALG_RSA, EK_ATTRIBUTES, EK_AUTH_POLICY, parameters)
    : publicArea(TPM_ALG_RSA, SRK_ATTRIBUTES, Buffer.alloc(0), parameters);
}

/** TPM2B_PUBLIC of an ECC NIST P-256 key with point (x, y), 32 bytes each. */
export function eccTpmPublic(x, y, role = 'ek') {
  const parameters = Buffer.concat([
    aes128Cfb(),
    uint16(TPM_ALG_NULL),
    uint16(TPM_ECC_NIST_P256),
    uint16(TPM_ALG_NULL),
    sized(x),
    sized(y),
  ]);
  return role === 'ek'
    ? publicArea(TPM_ALG_ECC, EK_ATTRIBUTES, EK_AUTH_POLICY, parameters)
    : publicArea(TPM_ALG_ECC, SRK_ATTRIBUTES, Buffer.alloc(0), parameters);
}

/** A fresh key pair's TPM2B_PUBLIC, base64: kind 'rsa' or 'ecc', role 'ek' or 'srk'. */
export function newTpmPublicBase64(kind, role = 'ek') {
  if (kind === 'rsa') {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const modulus = Buffer.from(publicKey.export({ format: 'jwk' }).n, 'base64url');
    return rsaTpmPublic(modulus, role).toString('base64');
  }

  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const jwk = publicKey.export({ format: 'jwk' });
  return eccTpmPublic(
    Buffer.from(jwk.x, 'base64url'),
    Buffer.from(jwk.y, 'base64url'),
    role,
  ).toString('base64');
}
