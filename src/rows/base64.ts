/**
 * Strict base64 (RFC 4648 section 4): the standard alphabet, length a multiple of 4, at most two
 * `=` and only at the end, and unused bits zero, so that one byte string has one spelling.
 * Messages describe a value's shape only: these values are keys.
 */

import {
  finishHash,
  HASH_PRIME_HIGH,
  HASH_PRIME_LOW,
  HASH_SEED_HIGH,
  HASH_SEED_LOW,
} from './seen-hashes.js';
import type { TextHash } from './seen-hashes.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** 6-bit value of each ASCII code, or -1. */
const SEXTET = new Int8Array(128).fill(-1);

for (let index = 0; index < ALPHABET.length; index += 1) {
  SEXTET[ALPHABET.charCodeAt(index)] = index;
}

const EQUALS = 0x3d;

/**
 * Decoded size in bytes when `text` is strict base64, otherwise a description of the first
 * problem (position and code point of an alien character, length, padding), never the value.
 * With `hash`, the same pass leaves the text's 64-bit hash there (for repeated-secret checks).
 */
export function checkStrictBase64(text: string, hash?: TextHash): number | string {
  const length = text.length;
  let padding = 0;
  let high = HASH_SEED_HIGH;
  let low = HASH_SEED_LOW;

  if (length > 0 && text.charCodeAt(length - 1) === EQUALS) padding += 1;
  if (length > 1 && text.charCodeAt(length - 2) === EQUALS) padding += 1;

  let quantum = 0;
  const end = length - padding;

  for (let index = 0; index < end; index += 1) {
    const code = text.charCodeAt(index);
    const sextet = code < 128 ? (SEXTET[code] ?? -1) : -1;

    if (sextet === -1) return alienCharacter(text, index, code);

    // Four characters make one 24-bit quantum: hashing quanta is four times fewer steps.
    quantum = (quantum << 6) | sextet;

    if ((index & 3) === 3) {
      high = Math.imul(high ^ quantum, HASH_PRIME_HIGH);
      low = Math.imul(low ^ quantum, HASH_PRIME_LOW);
      low ^= low >>> 15;
      quantum = 0;
    }
  }

  if (hash !== undefined) {
    // The last, partial quantum carries its length so "A" and "AA" differ.
    const tail = quantum | ((end & 3) << 24);
    finishHash(Math.imul(high ^ tail, HASH_PRIME_HIGH), low + padding, hash);
  }

  if (length % 4 !== 0) {
    return `not base64: ${length} characters, which is not a multiple of 4`;
  }

  if (padding > 0 && !hasZeroUnusedBits(text, length - padding - 1, padding)) {
    return (
      `not strict base64: the last character before '=' sets bits that encode nothing ` +
      `(length ${length})`
    );
  }

  return (length / 4) * 3 - padding;
}

function alienCharacter(text: string, index: number, code: number): string {
  const hex = code.toString(16).toUpperCase().padStart(4, '0');
  const hint =
    code === 0x2d || code === 0x5f
      ? ' (base64url alphabet; use + and / instead of - and _)'
      : code === EQUALS
        ? " ('=' is only allowed at the end)"
        : code <= 0x20
          ? ' (whitespace)'
          : '';
  return `not base64: character U+${hex} at position ${index + 1} of ${text.length}${hint}`;
}

/** With one `=` the last sextet's low 2 bits encode nothing; with two, its low 4 bits. */
function hasZeroUnusedBits(text: string, lastIndex: number, padding: number): boolean {
  const sextet = SEXTET[text.charCodeAt(lastIndex)] ?? 0;
  const unusedMask = padding === 1 ? 0b11 : 0b1111;
  return (sextet & unusedMask) === 0;
}
