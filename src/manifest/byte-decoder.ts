/**
 * The first stage of reading: hashes the file's bytes (sha256), drops the byte-order mark, turns
 * UTF-16 into UTF-8, and notes where bytes are invalid in the file's encoding. Its output is
 * always UTF-8; invalid input reaches the parser as U+FFFD, and `invalidOffsets` says where.
 */
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';

import type { ManifestEncoding } from './dialect.js';
import { OffsetQueue } from './offset-queue.js';

const REPLACEMENT_CHARACTER = '\uFFFD';
const ANY_SURROGATE = /[\uD800-\uDFFF]/;

/** Hashes, strips the byte-order mark, and yields UTF-8 with invalid input located. */
export class ManifestByteDecoder extends Transform {
  /** Offsets, in the UTF-8 output, of input that was invalid; the record reader consumes them. */
  readonly invalidOffsets = new OffsetQueue();
  private readonly hash: Hash = createHash('sha256');
  private readonly encoding: ManifestEncoding;
  private readonly retainOutput: boolean;
  private bomBytesLeft: number;
  private carry: Buffer | undefined;
  private outputBytes = 0;
  private digest: string | undefined;
  /** Output chunks not yet behind the reader, with their start offsets, for `textBetween`. */
  private readonly retained: { start: number; bytes: Buffer }[] = [];

  /** `retainOutput`: keep output chunks until `release`d, for `textBetween` (CSV only). */
  constructor(encoding: ManifestEncoding, bomLength: number, retainOutput: boolean) {
    super();
    this.encoding = encoding;
    this.bomBytesLeft = bomLength;
    this.retainOutput = retainOutput;
  }

  /** sha256 (hex) of every byte read; only meaningful once the input has ended. */
  sha256(): string {
    this.digest ??= this.hash.digest('hex');
    return this.digest;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.pushOutput(this.decode(this.withoutBom(chunk), false));
    callback();
  }

  override _flush(callback: TransformCallback): void {
    this.pushOutput(this.decode(Buffer.alloc(0), true));
    callback();
  }

  /**
   * The UTF-8 text of output bytes `start..end`. Only bytes at or after the last `release` are
   * kept; the CSV reader asks for a record's bytes while it parses that record.
   */
  textBetween(start: number, end: number): string {
    const parts: Buffer[] = [];

    for (const chunk of this.retained) {
      const chunkEnd = chunk.start + chunk.bytes.length;

      if (chunkEnd <= start || chunk.start >= end) continue;

      parts.push(
        chunk.bytes.subarray(
          Math.max(0, start - chunk.start),
          Math.min(chunk.bytes.length, end - chunk.start),
        ),
      );
    }

    return (parts.length === 1 ? (parts[0] ?? Buffer.alloc(0)) : Buffer.concat(parts)).toString(
      'utf8',
    );
  }

  /** Forgets output chunks that end at or before `offset`. */
  release(offset: number): void {
    while (this.retained.length > 0) {
      const first = this.retained[0];

      if (first === undefined || first.start + first.bytes.length > offset) break;

      this.retained.shift();
    }
  }

  private pushOutput(output: Buffer): void {
    if (output.length === 0) return;

    if (this.retainOutput) this.retained.push({ start: this.outputBytes, bytes: output });
    this.outputBytes += output.length;
    this.push(output);
  }

  private withoutBom(chunk: Buffer): Buffer {
    if (this.bomBytesLeft === 0) return chunk;

    const skipped = Math.min(this.bomBytesLeft, chunk.length);
    this.bomBytesLeft -= skipped;
    return chunk.subarray(skipped);
  }

  private decode(chunk: Buffer, isLast: boolean): Buffer {
    const bytes = this.carry === undefined ? chunk : Buffer.concat([this.carry, chunk]);
    this.carry = undefined;

    return this.encoding === 'utf-8'
      ? this.checkUtf8(bytes, isLast)
      : this.fromUtf16(bytes, isLast);
  }

  /** UTF-8 passes through; a sequence cut by the chunk boundary waits for the next chunk. */
  private checkUtf8(bytes: Buffer, isLast: boolean): Buffer {
    const tail = isLast ? 0 : incompleteUtf8TailLength(bytes);
    const complete = tail === 0 ? bytes : bytes.subarray(0, bytes.length - tail);

    if (tail > 0) this.carry = Buffer.from(bytes.subarray(bytes.length - tail));

    if (!isUtf8(complete)) {
      for (const offset of findInvalidUtf8(complete))
        this.invalidOffsets.add(this.outputBytes + offset);
    }

    return complete;
  }

  /** UTF-16 becomes UTF-8; a lone surrogate or an odd last byte becomes U+FFFD, noted. */
  private fromUtf16(bytes: Buffer, isLast: boolean): Buffer {
    let usable = bytes.length - (bytes.length % 2);

    if (!isLast && usable >= 2 && this.isHighSurrogateAt(bytes, usable - 2)) usable -= 2;
    if (usable < bytes.length) this.carry = Buffer.from(bytes.subarray(usable));

    const units = bytes.subarray(0, usable);
    const littleEndian = this.encoding === 'utf-16le' ? units : Buffer.from(units).swap16();
    let text = littleEndian.toString('utf16le');

    if (ANY_SURROGATE.test(text)) text = this.replaceLoneSurrogates(text);

    if (isLast && this.carry !== undefined) {
      this.carry = undefined;
      this.invalidOffsets.add(this.outputBytes + Buffer.byteLength(text));
      text += REPLACEMENT_CHARACTER;
    }

    return Buffer.from(text, 'utf8');
  }

  private isHighSurrogateAt(bytes: Buffer, position: number): boolean {
    const unit =
      this.encoding === 'utf-16le' ? bytes.readUInt16LE(position) : bytes.readUInt16BE(position);
    return unit >= 0xd800 && unit <= 0xdbff;
  }

  private replaceLoneSurrogates(text: string): string {
    let result = '';
    let copiedUpTo = 0;

    for (let position = 0; position < text.length; position += 1) {
      const code = text.charCodeAt(position);
      const next = text.charCodeAt(position + 1);

      if (code >= 0xd800 && code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        position += 1;
      } else if (code >= 0xd800 && code <= 0xdfff) {
        result += text.slice(copiedUpTo, position);
        this.invalidOffsets.add(this.outputBytes + Buffer.byteLength(result));
        result += REPLACEMENT_CHARACTER;
        copiedUpTo = position + 1;
      }
    }

    return result + text.slice(copiedUpTo);
  }
}

/** Bytes at the end that start a UTF-8 sequence the buffer does not finish. */
export function incompleteUtf8TailLength(bytes: Buffer): number {
  const lookBack = Math.min(3, bytes.length);

  for (let back = 1; back <= lookBack; back += 1) {
    const byte = bytes[bytes.length - back] ?? 0;

    if ((byte & 0xc0) === 0x80) continue;

    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? back : 0;
  }

  return 0;
}

/** Offsets of bytes that start no valid UTF-8 sequence (overlong forms and surrogates too). */
export function findInvalidUtf8(bytes: Buffer): number[] {
  const offsets: number[] = [];
  let position = 0;

  while (position < bytes.length) {
    const length = validSequenceLength(bytes, position);

    if (length === 0) {
      offsets.push(position);
      position += 1;
    } else {
      position += length;
    }
  }

  return offsets;
}

function validSequenceLength(bytes: Buffer, position: number): number {
  const lead = bytes[position] ?? 0;

  if (lead < 0x80) return 1;

  const [length, smallest] =
    lead >= 0xc2 && lead <= 0xdf
      ? [2, 0x80]
      : lead >= 0xe0 && lead <= 0xef
        ? [3, 0x800]
        : lead >= 0xf0 && lead <= 0xf4
          ? [4, 0x10000]
          : [0, 0];

  if (length === 0 || position + length > bytes.length) return 0;

  let code = lead & (0x7f >> length);

  for (let index = 1; index < length; index += 1) {
    const byte = bytes[position + index] ?? 0;
    if ((byte & 0xc0) !== 0x80) return 0;
    code = (code << 6) | (byte & 0x3f);
  }

  const isSurrogate = code >= 0xd800 && code <= 0xdfff;
  return code < smallest || code > 0x10ffff || isSurrogate ? 0 : length;
}
