/**
 * A set of 64-bit string hashes, each with the line that first had it, in typed arrays: 12 bytes
 * per slot at most three quarters full, so a million IDs and two million keys fit in 48 MB and
 * no string is kept. Two different strings share a 64-bit hash with odds near 3e-8 for a million
 * entries; we accept that (the cost would be a false "duplicate of line N" on one row).
 */

/** The two halves of a 64-bit hash; one object is reused per caller, so rows allocate none. */
export interface TextHash {
  high: number;
  low: number;
}

/** Slots to start with (24K entries, 384 KB): small manifests never grow, large ones rarely. */
const INITIAL_CAPACITY = 32 * 1024;

/** The hash's two 32-bit lanes: FNV-1a, and a multiply-xorshift twin with other constants. */
export const HASH_SEED_HIGH = 0x811c9dc5;
export const HASH_SEED_LOW = 0x9747b28c;
export const HASH_PRIME_HIGH = 0x01000193;
export const HASH_PRIME_LOW = 0x5bd1e995;

/** Hashes text (optionally ASCII-case-folded) into `into`; hot loops inline the same steps. */
export function hashText(text: string, foldCase: boolean, into: TextHash): TextHash {
  let high = HASH_SEED_HIGH;
  let low = HASH_SEED_LOW;

  for (let index = 0; index < text.length; index += 1) {
    let code = text.charCodeAt(index);

    if (foldCase && code >= 0x41 && code <= 0x5a) code += 0x20;

    high = Math.imul(high ^ code, HASH_PRIME_HIGH);
    low = Math.imul(low ^ code, HASH_PRIME_LOW);
    low ^= low >>> 15;
  }

  return finishHash(high, low, into);
}

/** Mixes the two lanes into each other, so that each half depends on every character. */
export function finishHash(high: number, low: number, into: TextHash): TextHash {
  into.high = (high ^ (low >>> 7)) >>> 0;
  into.low = (low ^ Math.imul(high, 0x27d4eb2d)) >>> 0;
  return into;
}

/** Most entries per slot before the table doubles: linear probing stays short below it. */
const MAX_LOAD = 0.75;

/** Lines are kept in 28 bits (268 million lines), with the tag in the low 4 bits. */
const MAX_LINE = 2 ** 28 - 1;
const TAG_SLOTS = 16;

/**
 * Remembers hashes with the line that first had each and a small tag (which column, 0 to 15),
 * answering "seen before?". 12 bytes per slot, at most three quarters full.
 */
export class SeenHashes {
  private highs = new Uint32Array(INITIAL_CAPACITY);
  private lows = new Uint32Array(INITIAL_CAPACITY);
  /** `line × 16 + tag` of the first holder; 0 marks an empty slot (lines start at 1). */
  private holders = new Uint32Array(INITIAL_CAPACITY);
  private count = 0;

  /** Entries held. */
  get size(): number {
    return this.count;
  }

  /**
   * Adds the hash for `line` unless present. Returns the earlier line and tag when it was
   * present (the earlier holder is kept), or undefined when it was new.
   */
  claim(hash: TextHash, line: number, tag = 0): { line: number; tag: number } | undefined {
    if (this.count + 1 > this.holders.length * MAX_LOAD) this.grow();

    const slot = this.findSlot(hash.high, hash.low);
    const earlier = this.holders[slot] ?? 0;

    if (earlier !== 0) {
      return { line: Math.floor(earlier / TAG_SLOTS), tag: earlier % TAG_SLOTS };
    }

    this.highs[slot] = hash.high;
    this.lows[slot] = hash.low;
    this.holders[slot] = Math.min(line, MAX_LINE) * TAG_SLOTS + tag;
    this.count += 1;
    return undefined;
  }

  /** Linear probing from the high half: the slot holding this hash, or the empty one for it. */
  private findSlot(high: number, low: number): number {
    const mask = this.holders.length - 1;
    let slot = high & mask;

    while (this.holders[slot] !== 0 && (this.highs[slot] !== high || this.lows[slot] !== low)) {
      slot = (slot + 1) & mask;
    }

    return slot;
  }

  private grow(): void {
    const { highs, lows, holders } = this;
    const capacity = holders.length * 2;
    this.highs = new Uint32Array(capacity);
    this.lows = new Uint32Array(capacity);
    this.holders = new Uint32Array(capacity);

    for (let index = 0; index < holders.length; index += 1) {
      if (holders[index] === 0) continue;

      const slot = this.findSlot(highs[index] ?? 0, lows[index] ?? 0);
      this.highs[slot] = highs[index] ?? 0;
      this.lows[slot] = lows[index] ?? 0;
      this.holders[slot] = holders[index] ?? 0;
    }
  }
}
