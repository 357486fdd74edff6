/**
 * An in-memory table of records keyed by lower-cased ID (IDs are case-insensitive, contract
 * 4.1). Each record keeps the sequence number it was created with, and an array ordered by
 * that number lets a query page resume after the last record it returned in O(log n), even
 * while records come and go between pages.
 */

interface Entry<Value> {
  key: string;
  sequence: number;
  value: Value;
  isDeleted: boolean;
}

/** One page of a query over the store. */
export interface StorePage<Value> {
  values: Value[];
  /** Sequence of the last record returned, to resume after; absent when nothing is left. */
  resumeAfter?: number;
}

/** A change, as the state file journals it. Keys are lower-cased IDs. */
export type StoreChange<Value> =
  { kind: 'put'; key: string; value: Value } | { kind: 'delete'; key: string } | { kind: 'clear' };

/** One table: case-insensitive IDs, creation order for paging, a change listener. */
export class RecordStore<Value> {
  /** Told of every change; the state file listens here. */
  onChange: ((change: StoreChange<Value>) => void) | undefined;
  readonly #entries = new Map<string, Entry<Value>>();
  #ordered: Array<Entry<Value>> = [];
  #deletedInOrder = 0;
  #nextSequence = 1;

  get size(): number {
    return this.#entries.size;
  }

  get(id: string): Value | undefined {
    return this.#entries.get(id.toLowerCase())?.value;
  }

  /** Creates the record, or replaces its value keeping its place in query order. */
  put(id: string, value: Value): void {
    const key = id.toLowerCase();
    const existing = this.#entries.get(key);

    if (existing !== undefined) {
      existing.value = value;
    } else {
      const entry: Entry<Value> = { key, sequence: this.#nextSequence, value, isDeleted: false };
      this.#nextSequence += 1;
      this.#entries.set(key, entry);
      this.#ordered.push(entry);
    }

    this.onChange?.({ kind: 'put', key, value });
  }

  /** Removes the record; true when it existed. */
  delete(id: string): boolean {
    const entry = this.#entries.get(id.toLowerCase());
    if (entry === undefined) return false;

    this.#entries.delete(entry.key);
    entry.isDeleted = true;
    this.#deletedInOrder += 1;
    this.#compactWhenSparse();
    this.onChange?.({ kind: 'delete', key: entry.key });

    return true;
  }

  clear(): void {
    this.#entries.clear();
    this.#ordered = [];
    this.#deletedInOrder = 0;
    this.onChange?.({ kind: 'clear' });
  }

  /** Every record as [lower-cased key, value], in creation order. */
  entries(): Array<[string, Value]> {
    return this.#ordered
      .filter((entry) => !entry.isDeleted)
      .map((entry) => [entry.key, entry.value]);
  }

  /** Every value, in creation order. */
  values(): Value[] {
    return this.#ordered.filter((entry) => !entry.isDeleted).map((entry) => entry.value);
  }

  /**
   * Up to `limit` values (0 = all) created after sequence `after` (0 = from the start), only
   * those `accept` lets through when it is given.
   */
  page(after: number, limit: number, accept?: (value: Value) => boolean): StorePage<Value> {
    const values: Value[] = [];
    let index = this.#firstIndexAfter(after);
    let lastSequence = after;

    for (; index < this.#ordered.length; index += 1) {
      const entry = this.#ordered[index]!;
      if (entry.isDeleted || (accept !== undefined && !accept(entry.value))) continue;
      if (limit > 0 && values.length === limit) break;

      values.push(entry.value);
      lastSequence = entry.sequence;
    }

    // The loop only stops early on an accepted record it had no room for.
    const hasMore = index < this.#ordered.length;

    return hasMore ? { values, resumeAfter: lastSequence } : { values };
  }

  #firstIndexAfter(sequence: number): number {
    let low = 0;
    let high = this.#ordered.length;

    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.#ordered[middle]!.sequence <= sequence) low = middle + 1;
      else high = middle;
    }

    return low;
  }

  #compactWhenSparse(): void {
    // Tombstones keep deletes O(1); sweep them once they are half the array.
    if (this.#deletedInOrder * 2 < this.#ordered.length) return;

    this.#ordered = this.#ordered.filter((entry) => !entry.isDeleted);
    this.#deletedInOrder = 0;
  }
}
