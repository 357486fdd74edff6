/**
 * TPM endorsement keys for generated manifests: a TPM2B_PUBLIC in the shape of the TCG default
 * RSA 2048 EK template (the structure every Microsoft sample EK decodes to), with a random
 * modulus so that no two rows share a key.
 */

/** TPM_ALG_RSA, TPM_ALG_SHA256, TPM_ALG_AES, TPM_ALG_CFB and TPM_ALG_NULL (TPM 2.0 part 2). */
const ALGORITHM_RSA = 0x0001;
const ALGORITHM_SHA256 = 0x000b;
const ALGORITHM_AES = 0x0006;
const ALGORITHM_CFB = 0x0043;
const ALGORITHM_NULL = 0x0010;

/** fixedTPM, fixedParent, sensitiveDataOrigin, adminWithPolicy, restricted, decrypt. */
const EK_OBJECT_ATTRIBUTES = 0x000300b2;

/** The EK template's authPolicy: PolicySecret(TPM_RH_ENDORSEMENT), published by the TCG. */
const EK_AUTH_POLICY_HEX = '837197674484b3f81a90cc8d46a5d724fd52d76e06520b64f2a1da1b331469aa';

const RSA_KEY_BITS = 2048;
const RSA_MODULUS_BYTES = RSA_KEY_BITS / 8;

/** Bytes of the TPMT_PUBLIC that follows the 2-byte size prefix. */
// type, nameAlg, attributes, authPolicy, symmetric, scheme, keyBits, exponent, unique.
export const ENDORSEMENT_KEY_BODY_BYTES =
  2 + 2 + 4 + (2 + 32) + 6 + 2 + 2 + 4 + (2 + RSA_MODULUS_BYTES);

/** Random bytes one endorsement key consumes (its modulus). */
export const ENDORSEMENT_KEY_RANDOM_BYTES = RSA_MODULUS_BYTES;

/**
 * Builds one base64 TPM2B_PUBLIC (316 bytes, 424 base64 characters) whose modulus is `modulus`,
 * which must hold exactly 256 bytes.
 */
export function buildEndorsementKey(modulus: Buffer): string {
  if (modulus.length !== RSA_MODULUS_BYTES) {
    throw new RangeError(
      `endorsement key: modulus must be ${RSA_MODULUS_BYTES} bytes, got ${modulus.length}`,
    );
  }

  const structure = Buffer.alloc(2 + ENDORSEMENT_KEY_BODY_BYTES);
  let offset = structure.writeUInt16BE(ENDORSEMENT_KEY_BODY_BYTES, 0);
  offset = structure.writeUInt16BE(ALGORITHM_RSA, offset);
  offset = structure.writeUInt16BE(ALGORITHM_SHA256, offset);
  offset = structure.writeUInt32BE(EK_OBJECT_ATTRIBUTES, offset);
  offset = structure.writeUInt16BE(32, offset);
  offset += structure.write(EK_AUTH_POLICY_HEX, offset, 'hex');

  // TPMS_RSA_PARMS: AES-128-CFB as the symmetric part, no scheme, 2048 bits, default exponent.
  offset = structure.writeUInt16BE(ALGORITHM_AES, offset);
  offset = structure.writeUInt16BE(128, offset);
  offset = structure.writeUInt16BE(ALGORITHM_CFB, offset);
  offset = structure.writeUInt16BE(ALGORITHM_NULL, offset);
  offset = structure.writeUInt16BE(RSA_KEY_BITS, offset);
  offset = structure.writeUInt32BE(0, offset);

  offset = structure.writeUInt16BE(RSA_MODULUS_BYTES, offset);
  modulus.copy(structure, offset);

  // A real modulus has its top bit set; a random one need not, so force it.
  structure[offset] = (structure[offset] ?? 0) | 0x80;
  return structure.toString('base64');
}
