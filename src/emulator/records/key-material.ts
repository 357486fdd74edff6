/**
 * Checks of secret material: symmetric keys (contract 4.3) and TPM endorsement keys (4.4).
 * Messages describe the shape of a secret, never its value.
 */
import { randomBytes } from 'node:crypto';
import {
  GENERATED_SYMMETRIC_KEY_BYTES,
  MAX_SYMMETRIC_KEY_BYTES,
  MIN_SYMMETRIC_KEY_BYTES,
} from '../../dps/contract/index.js';

const STRICT_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const TPM_ALGORITHM_RSA = 0x0001;
const TPM_ALGORITHM_ECC = 0x0023;

/** How much of a TPM key is checked: nothing, strict base64, or the TPM2B_PUBLIC shape. */
export type TpmCheck = 'none' | 'base64' | 'structure';

/** Decoded bytes of strict base64 text, or undefined when the text is not strict base64. */
export function decodeStrictBase64(text: string): Buffer | undefined {
  if (text.length % 4 !== 0 || !STRICT_BASE64.test(text)) return undefined;

  return Buffer.from(text, 'base64');
}

/** Decoded size of strict base64 text, computed without decoding it. */
function decodedLength(text: string): number | undefined {
  if (text.length % 4 !== 0 || !STRICT_BASE64.test(text)) return undefined;

  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;

  return (text.length / 4) * 3 - padding;
}

/** A problem with a symmetric key, or undefined when it decodes to 16..64 bytes. */
export function findSymmetricKeyProblem(field: string, key: string): string | undefined {
  const length = decodedLength(key);
  if (length === undefined) return notBase64(field, key);

  if (length < MIN_SYMMETRIC_KEY_BYTES || length > MAX_SYMMETRIC_KEY_BYTES) {
    return (
      `${field}: must decode to ${MIN_SYMMETRIC_KEY_BYTES} to ${MAX_SYMMETRIC_KEY_BYTES} ` +
      `bytes, found ${length}`
    );
  }

  return undefined;
}

function notBase64(field: string, key: string): string {
  return `${field}: must be base64, found ${key.length} characters that are not`;
}

/** A fresh key of the size the service generates (64 bytes), base64. */
export function generateSymmetricKey(): string {
  return randomBytes(GENERATED_SYMMETRIC_KEY_BYTES).toString('base64');
}

/**
 * A problem with a TPM key, or undefined. `structure` reads it as a TPM2B_PUBLIC: a two-byte
 * size that matches the rest, then an RSA or ECC type.
 */
export function findTpmKeyProblem(field: string, key: string, check: TpmCheck): string | undefined {
  if (check === 'none') return undefined;

  const bytes = decodeStrictBase64(key);
  if (bytes === undefined) return notBase64(field, key);
  if (check === 'base64') return undefined;

  if (bytes.length < 4 || bytes.readUInt16BE(0) !== bytes.length - 2) {
    const found = bytes.length < 2 ? 'no prefix' : `prefix ${bytes.readUInt16BE(0)}`;

    return (
      `${field}: must be a TPM2B_PUBLIC whose size prefix matches its ` +
      `${bytes.length - 2} remaining bytes, found ${found}`
    );
  }

  const type = bytes.readUInt16BE(2);
  if (type !== TPM_ALGORITHM_RSA && type !== TPM_ALGORITHM_ECC) {
    return (
      `${field}: TPM2B_PUBLIC type must be RSA (0x0001) or ECC (0x0023), ` +
      `found 0x${type.toString(16).padStart(4, '0')}`
    );
  }

  return undefined;
}
