/**
 * Packs send items into bulk calls: at most 10 items and at most 96 KB of JSON body per call,
 * one mode per call. A call is handed out only when it is full (10 items, or the next item would
 * not fit), so while rows keep coming every call carries as many rows as the limits allow;
 * `flush()` hands out the remainder at the end of the stream.
 */
import { MAX_BULK_ITEMS, MAX_MESSAGE_BYTES } from '../dps/contract/index.js';
import type { BulkMode } from '../dps/contract/index.js';
import type { Batch, SendItem } from './batch.js';
import { measureEnrollmentBytes, measureEnvelopeBytes } from './batch-size.js';

/** Limits of a Batcher; the defaults are the service's. */
export interface BatcherOptions {
  /** Most items per call. @default 10 (MAX_BULK_ITEMS) */
  maxItems?: number;
  /** Most body bytes per call. @default 98304 (MAX_MESSAGE_BYTES, 96 KB) */
  maxBytes?: number;
  /** Id of the first batch handed out; later ones count up by one. @default 1 */
  firstId?: number;
}

/** Accumulates items of one bulk mode and hands out full batches. */
export class Batcher {
  readonly mode: BulkMode;
  private readonly maxItems: number;
  private readonly maxBytes: number;
  private readonly envelopeBytes: number;
  private nextId: number;
  private items: SendItem[] = [];
  private bodyBytes: number;

  constructor(mode: BulkMode, options: BatcherOptions = {}) {
    this.mode = mode;
    this.maxItems = options.maxItems ?? MAX_BULK_ITEMS;
    this.maxBytes = options.maxBytes ?? MAX_MESSAGE_BYTES;
    this.nextId = options.firstId ?? 1;
    this.envelopeBytes = measureEnvelopeBytes(mode);
    this.bodyBytes = this.envelopeBytes;
  }

  /**
   * Adds one item. Returns the batch that became complete, if any: either the open batch, full
   * after this item, or the open batch closed early because this item would push it past the
   * byte limit (the item then opens the next batch). An item too large for any call on its own
   * travels alone; the dispatcher refuses to send it and fails that row.
   */
  add(item: SendItem): Batch | undefined {
    const itemBytes = measureEnrollmentBytes(item.enrollment);
    const separatorBytes = this.items.length > 0 ? 1 : 0;
    let completed: Batch | undefined;

    if (this.items.length > 0 && this.bodyBytes + separatorBytes + itemBytes > this.maxBytes) {
      completed = this.close();
    }

    this.bodyBytes += (this.items.length > 0 ? 1 : 0) + itemBytes;
    this.items.push(item);

    if (completed === undefined && this.items.length >= this.maxItems) {
      return this.close();
    }

    return completed;
  }

  /** Hands out the open batch, if it holds anything; call it once the input has ended. */
  flush(): Batch | undefined {
    return this.items.length > 0 ? this.close() : undefined;
  }

  /** Items waiting in the open batch. */
  get pendingCount(): number {
    return this.items.length;
  }

  private close(): Batch {
    const batch: Batch = { id: this.nextId, mode: this.mode, items: this.items };

    this.nextId += 1;
    this.items = [];
    this.bodyBytes = this.envelopeBytes;

    return batch;
  }
}
