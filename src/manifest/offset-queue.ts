/** Byte offsets in ascending order, consumed from the front as records pass them. */
export class OffsetQueue {
  private readonly offsets: number[] = [];
  private head = 0;

  /** Adds an offset; offsets must arrive in ascending order. */
  add(offset: number): void {
    this.offsets.push(offset);
  }

  /** Removes every offset below `limit`; true when there was at least one. */
  takeBelow(limit: number): boolean {
    const start = this.head;

    while (this.head < this.offsets.length && (this.offsets[this.head] ?? limit) < limit) {
      this.head += 1;
    }

    this.compact();
    return this.head > start;
  }

  /** Keeps memory bounded by dropping consumed offsets once they are the bulk of the array. */
  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.offsets.length) {
      this.offsets.splice(0, this.head);
      this.head = 0;
    }
  }
}
