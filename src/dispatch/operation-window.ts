/**
 * Counts operations started over a sliding window, in fixed slots, so the adaptive governor can
 * tell the rate it actually sends at from the rate it merely allows. Memory is constant.
 */
export class OperationWindow {
  readonly #slotMs: number;
  readonly #slotIds: number[];
  readonly #counts: number[];
  #firstAtMs: number | undefined;

  /** `windowMs` long, cut into `slots` equal slots. */
  constructor(
    readonly windowMs: number,
    slots = 20,
  ) {
    this.#slotMs = windowMs / slots;
    this.#slotIds = new Array<number>(slots).fill(-1);
    this.#counts = new Array<number>(slots).fill(0);
  }

  /** Notes one operation started at `nowMs`. */
  record(nowMs: number): void {
    const slotId = Math.floor(nowMs / this.#slotMs);
    const index = slotId % this.#counts.length;

    if (this.#slotIds[index] !== slotId) {
      this.#slotIds[index] = slotId;
      this.#counts[index] = 0;
    }

    this.#counts[index] = (this.#counts[index] ?? 0) + 1;
    this.#firstAtMs ??= nowMs;
  }

  /** Operations per minute over the window (or over the time since the first one, if shorter). */
  operationsPerMinute(nowMs: number): number {
    if (this.#firstAtMs === undefined) return 0;

    const currentSlot = Math.floor(nowMs / this.#slotMs);
    const oldestSlot = currentSlot - this.#counts.length + 1;
    let count = 0;

    for (const [index, slotId] of this.#slotIds.entries()) {
      if (slotId >= oldestSlot && slotId <= currentSlot) count += this.#counts[index] ?? 0;
    }

    const elapsedMs = Math.min(this.windowMs, Math.max(this.#slotMs, nowMs - this.#firstAtMs));
    return (count * 60_000) / elapsedMs;
  }
}
