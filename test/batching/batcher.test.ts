import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { Batcher, measureBatchBytes, measureEnrollmentBytes } from '../../src/batching/index.js';
import type { Batch, SendItem } from '../../src/batching/index.js';
import { MAX_BULK_ITEMS, MAX_MESSAGE_BYTES } from '../../src/dps/contract/index.js';

function makeItem(index: number, padding = 0): SendItem {
  return {
    line: index + 2,
    registrationId: `device-${index}`,
    enrollment: {
      registrationId: `device-${index}`,
      attestation: { type: 'symmetricKey' },
      initialTwin: { tags: { note: 'x'.repeat(padding) } },
    },
    fingerprint: `fingerprint-${index}`,
  };
}

function packAll(items: SendItem[], batcher = new Batcher('create')): Batch[] {
  const batches: Batch[] = [];

  for (const item of items) {
    const batch = batcher.add(item);
    if (batch) batches.push(batch);
  }

  const last = batcher.flush();
  if (last) batches.push(last);

  return batches;
}

describe('Batcher', () => {
  it('packs 23 items into calls of 10, 10 and 3', () => {
    const items = Array.from({ length: 23 }, (_, index) => makeItem(index));

    const batches = packAll(items);

    expect(batches.map((batch) => batch.items.length)).toEqual([10, 10, 3]);
    expect(batches.map((batch) => batch.id)).toEqual([1, 2, 3]);
    expect(batches.every((batch) => batch.mode === 'create')).toBe(true);
  });

  it('hands out nothing until a call is full, then the full call', () => {
    const batcher = new Batcher('delete');

    for (let index = 0; index < 9; index += 1) {
      expect(batcher.add(makeItem(index))).toBeUndefined();
    }

    expect(batcher.pendingCount).toBe(9);
    expect(batcher.add(makeItem(9))?.items).toHaveLength(10);
    expect(batcher.flush()).toBeUndefined();
  });

  it('closes a call early when the next item would pass 96 KB', () => {
    const items = Array.from({ length: 5 }, (_, index) => makeItem(index, 30_000));

    const batches = packAll(items);

    expect(batches.map((batch) => batch.items.length)).toEqual([3, 2]);
    expect(measureBatchBytes(batches[0]!)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
  });

  it('sends an item too large for any call alone, never merged with others', () => {
    const items = [makeItem(0), makeItem(1, MAX_MESSAGE_BYTES), makeItem(2)];

    const batches = packAll(items);

    expect(batches.map((batch) => batch.items.map((item) => item.line))).toEqual([[2], [3], [4]]);
  });

  it('measures exactly the body the client serializes', () => {
    const batches = packAll(Array.from({ length: 7 }, (_, index) => makeItem(index, index * 3)));
    const batch = batches[0]!;
    const body = JSON.stringify({
      mode: batch.mode,
      enrollments: batch.items.map((item) => item.enrollment),
    });

    expect(measureBatchBytes(batch)).toBe(Buffer.byteLength(body));
  });

  it('puts every item in exactly one call within both limits, fullest first (property)', () => {
    const paddings = fc.array(fc.oneof(fc.nat(200), fc.nat(40_000)), { maxLength: 60 });

    const modes = fc.constantFrom('create', 'update', 'delete' as const);

    fc.assert(
      fc.property(paddings, modes, (sizes, mode) => {
        const items = sizes.map((padding, index) => makeItem(index, padding));

        const batches = packAll(items, new Batcher(mode));
        const sent = batches.flatMap((batch) => batch.items);

        expect(sent).toEqual(items);

        for (const [index, batch] of batches.entries()) {
          expect(batch.mode).toBe(mode);
          expect(batch.items.length).toBeGreaterThan(0);
          expect(batch.items.length).toBeLessThanOrEqual(MAX_BULK_ITEMS);
          expect(measureBatchBytes(batch)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);

          const next = batches[index + 1];
          if (next && batch.items.length < MAX_BULK_ITEMS) {
            // Closed early only because the next item did not fit.
            const grown = { ...batch, items: [...batch.items, next.items[0]!] };
            expect(measureBatchBytes(grown)).toBeGreaterThan(MAX_MESSAGE_BYTES);
          }
        }
      }),
    );
  });

  it('counts multi-byte characters as UTF-8 bytes', () => {
    const item = makeItem(0);
    item.enrollment.initialTwin = { tags: { site: 'é' } };

    expect(measureEnrollmentBytes(item.enrollment)).toBe(
      Buffer.byteLength(JSON.stringify(item.enrollment), 'utf8'),
    );
    const characters = JSON.stringify(item.enrollment).length;
    expect(measureEnrollmentBytes(item.enrollment)).toBe(characters + 1);
  });
});
