/**
 * IoT Hub's rules for twin keys (contract section 4.6): no `.`, `$`, space or control
 * character, at most 1 KB of UTF-8, and objects at most 10 levels deep.
 */

/** Deepest nesting of twin objects; a key directly under `tags` is at depth 1. */
export const MAX_TWIN_DEPTH = 10;

/** Longest twin key, in UTF-8 bytes. */
export const MAX_TWIN_KEY_BYTES = 1024;

/** Why `key` cannot be a twin key, or undefined when it can. */
export function twinKeyProblem(key: string): string | undefined {
  if (key.length === 0) return 'an empty key';

  for (let position = 0; position < key.length; position += 1) {
    const code = key.charCodeAt(position);

    if (code === 0x2e || code === 0x24 || code === 0x20 || code < 0x20 || code === 0x7f) {
      const character = describeKeyCharacter(code);
      return `key ${JSON.stringify(key)} has ${character} at position ${position + 1}`;
    }
  }

  if (key.length * 3 > MAX_TWIN_KEY_BYTES && Buffer.byteLength(key) > MAX_TWIN_KEY_BYTES) {
    return `a key of ${Buffer.byteLength(key)} bytes (at most ${MAX_TWIN_KEY_BYTES})`;
  }

  return undefined;
}

function describeKeyCharacter(code: number): string {
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return code > 0x20 && code < 0x7f ? `'${String.fromCharCode(code)}' (${hex})` : hex;
}
