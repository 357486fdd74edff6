/**
 * Registration ID and device ID rules (contract sections 4.1 and 4.2), and the spreadsheet-damage
 * check for ID-like cells. One pass over the characters both checks and, for registration IDs,
 * hashes the case-folded ID for the duplicate check.
 */
import { MAX_REGISTRATION_ID_LENGTH } from '../dps/contract/index.js';
import {
  finishHash,
  HASH_PRIME_HIGH,
  HASH_PRIME_LOW,
  HASH_SEED_HIGH,
  HASH_SEED_LOW,
} from './seen-hashes.js';
import type { TextHash } from './seen-hashes.js';

/** Longest IoT Hub device ID, in characters. */
export const MAX_DEVICE_ID_LENGTH = 128;

const LETTER_OR_DIGIT = 1;
const SEPARATOR = 2;

/** Registration IDs: letters and digits anywhere, `- . _ :` inside. */
const REGISTRATION_ID_CLASS = characterClasses('-._:');

/** Device IDs (IoT Hub): letters, digits and `- . % _ * ? ! ( ) , : = @ $ '`. */
const DEVICE_ID_CLASS = characterClasses("-.%_*?!(),:=@$'");

function characterClasses(separators: string): Uint8Array {
  const classes = new Uint8Array(128);

  for (let code = 0; code < 128; code += 1) {
    const character = String.fromCharCode(code);
    if (/[A-Za-z0-9]/.test(character)) classes[code] = LETTER_OR_DIGIT;
    else if (separators.includes(character)) classes[code] = SEPARATOR;
  }

  return classes;
}

/** Excel turns long digit strings into this: `8.96529E+19`. */
const SCIENTIFIC_NOTATION = /^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$/;

export interface IdentifierProblem {
  rule: string;
  found: string;
}

/** `'@' (U+0040)` when the character is visible; only `U+00A0` for spaces and controls. */
export function describeCharacter(code: number): string {
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  const isVisible = (code > 0x20 && code < 0x7f) || (code > 0xa0 && !isWhitespace(code));

  return isVisible ? `'${String.fromCodePoint(code)}' (${hex})` : hex;
}

function isWhitespace(code: number): boolean {
  return (
    code === 0x20 ||
    (code >= 0x09 && code <= 0x0d) ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/** A spreadsheet that took an ID for a number leaves scientific notation behind. */
export function spreadsheetDamage(value: string): IdentifierProblem | undefined {
  if (value.length > 32 || !SCIENTIFIC_NOTATION.test(value)) return undefined;

  return {
    rule: 'spreadsheet-number',
    found:
      `'${value}' looks like a number a spreadsheet turned into scientific notation; ` +
      'format the column as Text before exporting (the original digits are lost)',
  };
}

/**
 * Checks a registration ID and, when it passes, leaves its case-folded hash in `hash` (the
 * same value `hashText(value, true, …)` gives). Returns the first problem, or undefined.
 */
export function checkRegistrationId(value: string, hash: TextHash): IdentifierProblem | undefined {
  const damage = spreadsheetDamage(value);

  if (damage !== undefined) return damage;

  const problem = checkCharacters(value, REGISTRATION_ID_CLASS, 'registration-id', hash);

  if (problem !== undefined) return problem;

  if (value.length > MAX_REGISTRATION_ID_LENGTH) {
    return {
      rule: 'registration-id-length',
      found: `${value.length} characters; at most ${MAX_REGISTRATION_ID_LENGTH}`,
    };
  }

  return edgeProblem(value);
}

/** Checks a device ID against IoT Hub's rule. */
export function checkDeviceId(value: string): IdentifierProblem | undefined {
  const damage = spreadsheetDamage(value);

  if (damage !== undefined) return damage;

  const problem = checkCharacters(value, DEVICE_ID_CLASS, 'device-id');

  if (problem !== undefined) return problem;

  if (value.length > MAX_DEVICE_ID_LENGTH) {
    return {
      rule: 'device-id-length',
      found: `${value.length} characters; at most ${MAX_DEVICE_ID_LENGTH}`,
    };
  }

  return undefined;
}

/** The first character outside `classes`; with `hash`, hashes the case-folded text meanwhile. */
function checkCharacters(
  value: string,
  classes: Uint8Array,
  prefix: string,
  hash?: TextHash,
): IdentifierProblem | undefined {
  let high = HASH_SEED_HIGH;
  let low = HASH_SEED_LOW;

  for (let index = 0; index < value.length; index += 1) {
    const code = value.charCodeAt(index);

    if (code < 128 && classes[code] !== 0) {
      const folded = code >= 0x41 && code <= 0x5a ? code + 0x20 : code;
      high = Math.imul(high ^ folded, HASH_PRIME_HIGH);
      low = Math.imul(low ^ folded, HASH_PRIME_LOW);
      low ^= low >>> 15;
      continue;
    }

    const point = value.codePointAt(index) ?? code;
    const kind =
      code >= 128 ? 'is not ASCII' : isWhitespace(code) ? 'is whitespace' : 'is not allowed';
    return {
      rule: `${prefix}-charset`,
      found: `character ${describeCharacter(point)} at position ${index + 1} ${kind}`,
    };
  }

  if (hash !== undefined) finishHash(high, low, hash);
  return undefined;
}

function edgeProblem(value: string): IdentifierProblem | undefined {
  const first = value.charCodeAt(0);
  const last = value.charCodeAt(value.length - 1);

  if (REGISTRATION_ID_CLASS[first] !== LETTER_OR_DIGIT) {
    return {
      rule: 'registration-id-edge',
      found: `first character ${describeCharacter(first)} must be a letter or a digit`,
    };
  }

  if (REGISTRATION_ID_CLASS[last] !== LETTER_OR_DIGIT) {
    return {
      rule: 'registration-id-edge',
      found: `last character ${describeCharacter(last)} must be a letter or a digit`,
    };
  }

  return undefined;
}

/** True when the ID has an ASCII upper-case letter. */
export function hasUpperCase(value: string): boolean {
  for (let index = 0; index < value.length; index += 1) {
    const code = value.charCodeAt(index);
    if (code >= 0x41 && code <= 0x5a) return true;
  }

  return false;
}
