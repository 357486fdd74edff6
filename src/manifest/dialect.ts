/**
 * Finding a manifest's dialect from its first bytes: the encoding (from the byte-order mark),
 * the header line, its line ending and the delimiter. Nothing here reads past the header.
 */
import { open } from 'node:fs/promises';

import { ManifestError } from './manifest-error.js';

export type ManifestEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';
export type LineEnding = 'LF' | 'CRLF' | 'CR';

/** Delimiters we detect, in the order messages list them. */
export const DELIMITER_CANDIDATES = [',', ';', '\t', '|'] as const;

/** Bytes read first to find the header; most headers end far sooner. */
const HEAD_BYTES = 64 * 1024;

/** A header line longer than this is not a header (probably a file without line breaks). */
export const MAX_HEADER_BYTES = 1024 * 1024;

/** In a file without a byte-order mark, this share of NUL bytes in one lane means UTF-16. */
const UTF16_NUL_SHARE = 0.25;

const DELIMITER_NAMES: Readonly<Record<string, string>> = {
  comma: ',',
  semicolon: ';',
  tab: '\t',
  '\\t': '\t',
  pipe: '|',
};

export interface EncodingGuess {
  encoding: ManifestEncoding;
  /** Length of the byte-order mark, 0 when there is none. */
  bomLength: number;
}

export interface ManifestHead {
  bytes: Buffer;
  /** The head holds the whole file. */
  isWholeFile: boolean;
}

/** Reads the first bytes of the file, enough for the header line (up to MAX_HEADER_BYTES). */
export async function readManifestHead(path: string): Promise<ManifestHead> {
  const handle = await open(path, 'r');

  try {
    let buffer = Buffer.alloc(HEAD_BYTES);
    let filled = 0;

    for (;;) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      filled += bytesRead;

      if (bytesRead === 0) return { bytes: buffer.subarray(0, filled), isWholeFile: true };
      if (hasLineBreak(buffer, filled) || filled >= MAX_HEADER_BYTES) break;

      if (filled === buffer.length) {
        buffer = Buffer.concat([buffer, Buffer.alloc(buffer.length)]);
      }
    }

    return { bytes: buffer.subarray(0, filled), isWholeFile: false };
  } finally {
    await handle.close();
  }
}

function hasLineBreak(buffer: Buffer, length: number): boolean {
  const view = buffer.subarray(0, length);
  return view.includes(0x0a) || view.includes(0x0d);
}

/** The encoding from the byte-order mark; UTF-8 when there is none. */
export function detectEncoding(head: Buffer, fileName: string): EncodingGuess {
  if (startsWith(head, [0xef, 0xbb, 0xbf])) return { encoding: 'utf-8', bomLength: 3 };

  if (startsWith(head, [0xff, 0xfe, 0x00, 0x00]) || startsWith(head, [0x00, 0x00, 0xfe, 0xff])) {
    throw new ManifestError(
      'encoding-unsupported',
      `${fileName}: encoding-unsupported: the byte-order mark says UTF-32; ` +
        'save the manifest as UTF-8 or UTF-16',
    );
  }

  if (startsWith(head, [0xff, 0xfe])) return { encoding: 'utf-16le', bomLength: 2 };
  if (startsWith(head, [0xfe, 0xff])) return { encoding: 'utf-16be', bomLength: 2 };

  if (looksLikeUtf16(head)) {
    throw new ManifestError(
      'encoding-unsupported',
      `${fileName}: encoding-unsupported: the file looks like UTF-16 without a byte-order mark ` +
        '(every other byte is 0); save it as UTF-8, or as UTF-16 with a byte-order mark',
    );
  }

  return { encoding: 'utf-8', bomLength: 0 };
}

function startsWith(buffer: Buffer, bytes: readonly number[]): boolean {
  return buffer.length >= bytes.length && bytes.every((byte, index) => buffer[index] === byte);
}

function looksLikeUtf16(head: Buffer): boolean {
  const sample = head.subarray(0, 1024);
  const pairs = Math.floor(sample.length / 2);
  let evenNuls = 0;
  let oddNuls = 0;

  for (let index = 0; index + 1 < sample.length; index += 2) {
    if (sample[index] === 0) evenNuls += 1;
    if (sample[index + 1] === 0) oddNuls += 1;
  }

  return pairs >= 2 && Math.max(evenNuls, oddNuls) / pairs >= UTF16_NUL_SHARE;
}

/** The head as text, byte-order mark removed (a split character at the end is dropped). */
export function decodeHead(head: Buffer, guess: EncodingGuess): string {
  const body = head.subarray(guess.bomLength);

  if (guess.encoding === 'utf-8') return body.toString('utf8');

  const even = body.subarray(0, body.length - (body.length % 2));
  const littleEndian = guess.encoding === 'utf-16le' ? even : Buffer.from(even).swap16();
  return littleEndian.toString('utf16le');
}

export interface HeaderLine {
  text: string;
  /** Undefined when the header is the whole file. */
  lineEnding: LineEnding | undefined;
}

/** The first line of the text, where a line break inside quotes does not end it. */
export function findHeaderLine(text: string): HeaderLine {
  let inQuotes = false;

  for (let position = 0; position < text.length; position += 1) {
    const character = text[position];

    if (character === '"') {
      inQuotes = !inQuotes;
    } else if (!inQuotes && (character === '\n' || character === '\r')) {
      return { text: text.slice(0, position), lineEnding: lineEndingAt(text, position) };
    }
  }

  return { text, lineEnding: undefined };
}

function lineEndingAt(text: string, position: number): LineEnding {
  if (text[position] === '\n') return 'LF';
  return text[position + 1] === '\n' ? 'CRLF' : 'CR';
}

/**
 * The delimiter of the header line: the one candidate that occurs outside quotes. None means a
 * one-column manifest (comma assumed); more than one is ambiguous and must be said explicitly.
 */
export function detectDelimiter(headerLine: string, fileName: string): string {
  const counts = countOutsideQuotes(headerLine);
  const found = DELIMITER_CANDIDATES.filter((candidate) => (counts.get(candidate) ?? 0) > 0);

  if (found.length <= 1) return found[0] ?? ',';

  const listing = found
    .map((candidate) => `${counts.get(candidate)} × ${describeDelimiter(candidate)}`)
    .join(', ');
  throw new ManifestError(
    'delimiter-ambiguous',
    `${fileName}:1 header: delimiter-ambiguous: the header line holds ${listing}; ` +
      'say which one separates columns with --delimiter',
    { line: 1 },
  );
}

function countOutsideQuotes(line: string): Map<string, number> {
  const counts = new Map<string, number>();
  let inQuotes = false;

  for (const character of line) {
    if (character === '"') inQuotes = !inQuotes;
    else if (!inQuotes) counts.set(character, (counts.get(character) ?? 0) + 1);
  }

  return counts;
}

/** Reads a `--delimiter` value: one character, or a name (`comma`, `semicolon`, `tab`, `pipe`). */
export function parseDelimiterOption(value: string, fileName: string): string {
  const delimiter = DELIMITER_NAMES[value.toLowerCase()] ?? value;

  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new ManifestError(
      'delimiter-invalid',
      `${fileName}: delimiter-invalid: --delimiter must be one character other than a quote or ` +
        `a line break, or one of comma, semicolon, tab, pipe; got ${JSON.stringify(value)}`,
    );
  }

  return delimiter;
}

/** `','` → `comma (,)`, for messages. */
export function describeDelimiter(delimiter: string): string {
  const name = Object.entries(DELIMITER_NAMES).find(([, value]) => value === delimiter)?.[0];
  const shown = delimiter === '\t' ? '\\t' : delimiter;
  return name === undefined ? `'${shown}'` : `${name} (${shown})`;
}
