import { createHash } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { findInvalidUtf8, ManifestByteDecoder } from '../../src/manifest/byte-decoder.js';
import type { ManifestEncoding } from '../../src/manifest/dialect.js';

/** Feeds `chunks` through a decoder and returns its UTF-8 output and the decoder. */
async function decode(chunks: Buffer[], encoding: ManifestEncoding, bomLength = 0) {
  const decoder = new ManifestByteDecoder(encoding, bomLength, false);
  const output: Buffer[] = [];
  decoder.on('data', (chunk: Buffer) => output.push(chunk));
  const ended = new Promise((resolve) => decoder.on('end', resolve));

  for (const chunk of chunks) decoder.write(chunk);
  decoder.end();
  await ended;

  return { text: Buffer.concat(output).toString('utf8'), decoder };
}

/** Splits `bytes` into chunks of `size` bytes. */
function chunked(bytes: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let start = 0; start < bytes.length; start += size)
    chunks.push(bytes.subarray(start, start + size));
  return chunks;
}

describe('ManifestByteDecoder', () => {
  const text = 'id,name\né€🚀,Vénissieux\n';

  it.each([1, 2, 3, 5])(
    'passes UTF-8 through unchanged when chunks of %i bytes split characters',
    async (size) => {
      const { text: output, decoder } = await decode(chunked(Buffer.from(text), size), 'utf-8');

      expect(output).toBe(text);
      expect(decoder.invalidOffsets.takeBelow(Number.MAX_SAFE_INTEGER)).toBe(false);
    },
  );

  it.each([1, 2, 3, 7])(
    'turns UTF-16 LE and BE into UTF-8 when chunks of %i bytes split code units and pairs',
    async (size) => {
      const littleEndian = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
      const bigEndian = Buffer.concat([
        Buffer.from([0xfe, 0xff]),
        Buffer.from(text, 'utf16le').swap16(),
      ]);

      expect((await decode(chunked(littleEndian, size), 'utf-16le', 2)).text).toBe(text);
      expect((await decode(chunked(bigEndian, size), 'utf-16be', 2)).text).toBe(text);
    },
  );

  it('hashes every byte read, byte-order mark included', async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    const { text: output, decoder } = await decode(chunked(bytes, 4), 'utf-8', 3);

    expect(output).toBe(text);
    expect(decoder.sha256()).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it(
    'notes where bytes are invalid UTF-8, in output offsets, and lets them be taken by ' +
      'position',
    async () => {
      const bytes = Buffer.concat([
        Buffer.from('ab\n'),
        Buffer.from([0xe9]),
        Buffer.from('x\ny'),
        Buffer.from([0xc3]),
      ]);
      const { decoder } = await decode(chunked(bytes, 2), 'utf-8');

      expect(decoder.invalidOffsets.takeBelow(3)).toBe(false);
      expect(decoder.invalidOffsets.takeBelow(6)).toBe(true);
      expect(decoder.invalidOffsets.takeBelow(7)).toBe(false);
      expect(decoder.invalidOffsets.takeBelow(8)).toBe(true);
    },
  );

  it('replaces a lone UTF-16 surrogate with U+FFFD and notes it', async () => {
    const units = Buffer.from('a\uD800b\n', 'utf16le');
    const { text: output, decoder } = await decode([units], 'utf-16le');

    expect(output).toBe('a\uFFFDb\n');
    expect(decoder.invalidOffsets.takeBelow(1)).toBe(false);
    expect(decoder.invalidOffsets.takeBelow(2)).toBe(true);
  });
});

describe('findInvalidUtf8', () => {
  it('finds stray continuation bytes, overlong forms, surrogates and cut sequences', () => {
    const bytes = Buffer.from([
      0x41, // A
      0x80, // stray continuation
      0xc0,
      0xaf, // overlong '/'
      0xed,
      0xa0,
      0x80, // UTF-16 surrogate encoded in UTF-8
      0xe2,
      0x82,
      0xac, // € (valid)
      0xf0,
      0x9f, // cut 4-byte sequence
    ]);

    expect(findInvalidUtf8(bytes)).toEqual([1, 2, 3, 4, 5, 6, 10, 11]);
  });
});
