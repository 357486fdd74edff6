import { describe, expect, it } from 'vitest';

import { hashText, SeenHashes } from '../../src/rows/seen-hashes.js';

describe('SeenHashes', () => {
  it(
    'keeps 300,000 sequential IDs apart (no false duplicate) and finds each again with its ' +
      'line',
    () => {
      const seen = new SeenHashes();
      const hash = { high: 0, low: 0 };
      let falseDuplicates = 0;

      for (let index = 0; index < 300_000; index += 1) {
        if (seen.claim(hashText(`device-${index}`, true, hash), index + 2) !== undefined)
          falseDuplicates += 1;
      }

      expect(falseDuplicates).toBe(0);
      expect(seen.size).toBe(300_000);
      expect(seen.claim(hashText('DEVICE-4711', true, hash), 999_999)).toEqual({
        line: 4713,
        tag: 0,
      });
    },
  );

  it('folds ASCII case only when asked', () => {
    const upper = hashText('Sensor-A01', true, { high: 0, low: 0 });
    const lower = hashText('sensor-a01', true, { high: 0, low: 0 });
    const exact = hashText('Sensor-A01', false, { high: 0, low: 0 });

    expect(upper).toEqual(lower);
    expect(exact).not.toEqual(lower);
  });
});
