/**
 * ID grammars the service enforces (contract 4.1, 4.2). Messages name the field, the rule and
 * what was found.
 */
import { MAX_REGISTRATION_ID_LENGTH } from '../../dps/contract/index.js';

const ID_CHARACTERS = /^[A-Za-z0-9._:-]+$/;
const ID_CHARACTER = /[A-Za-z0-9._:-]/;
const ALPHANUMERIC = /[A-Za-z0-9]/;
/** IoT Hub device IDs: ASCII letters, digits and `- . % _ * ? ! ( ) , : = @ $ '`. */
const DEVICE_ID_CHARACTERS = /^[A-Za-z0-9\-.%_*?!(),:=@$']+$/;
const MAX_DEVICE_ID_LENGTH = 128;

/**
 * `docs`: any of `[A-Za-z0-9._:-]`, the last one a letter, digit or `-` (DPS concepts page).
 * `spec`: the same characters, first and last a letter or digit (REST spec 2021-10-01).
 */
export type IdRule = 'docs' | 'spec';

/** A problem with a registration or enrollment group ID, or undefined when it is valid. */
export function findIdProblem(field: string, id: unknown, rule: IdRule): string | undefined {
  if (typeof id !== 'string') return `${field}: required string, found ${describeJson(id)}`;

  if (id.length === 0 || id.length > MAX_REGISTRATION_ID_LENGTH) {
    return (
      `${field}: must be 1 to ${MAX_REGISTRATION_ID_LENGTH} characters, ` + `found ${id.length}`
    );
  }

  // One regex on the whole ID first; the character-by-character search only runs on a failure.
  const badCharacter = ID_CHARACTERS.test(id)
    ? undefined
    : [...id].find((character) => !ID_CHARACTER.test(character));
  if (badCharacter !== undefined) {
    return (
      `${field}: only letters, digits and - . _ : are allowed, ` +
      `found ${describeCharacter(badCharacter)}`
    );
  }

  const last = id[id.length - 1]!;
  if (rule === 'docs' && !(ALPHANUMERIC.test(last) || last === '-')) {
    return `${field}: must end with a letter, a digit or -, found "${last}"`;
  }

  if (rule === 'spec' && !(ALPHANUMERIC.test(id[0]!) && ALPHANUMERIC.test(last))) {
    return `${field}: must start and end with a letter or digit, found "${id[0]}…${last}"`;
  }

  return undefined;
}

/** A problem with an IoT Hub device ID, or undefined when it is valid. */
export function findDeviceIdProblem(deviceId: string): string | undefined {
  if (deviceId.length === 0 || deviceId.length > MAX_DEVICE_ID_LENGTH) {
    return `deviceId: must be 1 to ${MAX_DEVICE_ID_LENGTH} characters, found ${deviceId.length}`;
  }

  const badCharacter = [...deviceId].find((character) => !DEVICE_ID_CHARACTERS.test(character));
  if (badCharacter !== undefined) {
    return (
      `deviceId: only letters, digits and - . % _ * ? ! ( ) , : = @ $ ' are allowed, ` +
      `found ${describeCharacter(badCharacter)}`
    );
  }

  return undefined;
}

/** "a string", "null", "a number", "an array", "an object"… for messages. */
export function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';

  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function describeCharacter(character: string): string {
  const codePoint = character.codePointAt(0)!;
  const hex = `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;

  return codePoint < 0x20 || codePoint === 0x7f ? hex : `"${character}" (${hex})`;
}
