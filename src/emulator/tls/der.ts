/**
 * Just enough ASN.1 DER encoding to write an X.509 certificate (ITU-T X.690): each function
 * returns one complete element (tag, length, content).
 */

export function element(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content]);
}

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);

  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);

  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** SEQUENCE of the given elements. */
export function sequence(...children: Buffer[]): Buffer {
  return element(0x30, Buffer.concat(children));
}

/** SET of the given elements. */
export function set(...children: Buffer[]): Buffer {
  return element(0x31, Buffer.concat(children));
}

/** A non-negative INTEGER from big-endian bytes (a zero byte leads when the top bit is set). */
export function unsignedInteger(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start += 1;
  const trimmed = bytes.subarray(start);

  const needsZero = (trimmed[0]! & 0x80) !== 0;

  return element(0x02, needsZero ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

/** INTEGER for a value 0..255. */
export function smallInteger(value: number): Buffer {
  return unsignedInteger(Buffer.from([value]));
}

/** BOOLEAN TRUE. */
export function booleanTrue(): Buffer {
  return element(0x01, Buffer.from([0xff]));
}

/** OBJECT IDENTIFIER from dotted notation, e.g. `2.5.4.3`. */
export function objectIdentifier(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const bytes: number[] = [parts[0]! * 40 + parts[1]!];

  for (const part of parts.slice(2)) {
    const group: number[] = [part & 0x7f];
    for (let rest = part >>> 7; rest > 0; rest >>>= 7) group.unshift(0x80 | (rest & 0x7f));
    bytes.push(...group);
  }

  return element(0x06, Buffer.from(bytes));
}

/** UTF8String. */
export function utf8String(text: string): Buffer {
  return element(0x0c, Buffer.from(text, 'utf8'));
}

/** OCTET STRING. */
export function octetString(content: Buffer): Buffer {
  return element(0x04, content);
}

/** A BIT STRING holding whole bytes, or `unusedBits` trailing bits unused in the last byte. */
export function bitString(content: Buffer, unusedBits = 0): Buffer {
  return element(0x03, Buffer.concat([Buffer.from([unusedBits]), content]));
}

/** UTCTime for years before 2050, GeneralizedTime after (RFC 5280 4.1.2.5). */
export function time(date: Date): Buffer {
  const iso = date.toISOString();
  const compact = iso.slice(0, 19).replace(/[-:T]/g, '');
  const year = date.getUTCFullYear();

  return year < 2050
    ? element(0x17, Buffer.from(`${compact.slice(2)}Z`))
    : element(0x18, Buffer.from(`${compact}Z`));
}

/** Context-specific constructed tag `[number]`, EXPLICIT. */
export function explicit(number: number, content: Buffer): Buffer {
  return element(0xa0 | number, content);
}
