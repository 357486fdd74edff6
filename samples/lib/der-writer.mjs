/**
 * A minimal DER writer (ITU-T X.690): just the types an X.509 certificate needs. Each function
 * returns the complete encoding (tag, length, contents) as a Buffer.
 */

/** Definite-length octets: short form below 128, long form otherwise. */
export function encodeLength(length) {
  if (length < 0x80) return Buffer.from([length]);

  const octets = [];

  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) octets.unshift(rest % 256);

  return Buffer.from([0x80 | octets.length, ...octets]);
}

/** One TLV with the given tag byte and contents. */
export function encodeTlv(tag, contents) {
  return Buffer.concat([Buffer.from([tag]), encodeLength(contents.length), contents]);
}

export function sequence(...items) {
  return encodeTlv(0x30, Buffer.concat(items));
}

export function set(...items) {
  return encodeTlv(0x31, Buffer.concat(items));
}

/** A non-negative INTEGER from big-endian magnitude bytes (a 0x00 is added when needed). */
export function unsignedInteger(bytes) {
  let start = 0;

  while (start < bytes.length - 1 && bytes[start] === 0) start += 1;

  const magnitude = bytes.subarray(start);
  const contents = magnitude[0] >= 0x80 ? Buffer.concat([Buffer.from([0]), magnitude]) : magnitude;
  return encodeTlv(0x02, contents);
}

export function smallInteger(value) {
  return unsignedInteger(Buffer.from([value]));
}

export function booleanValue(value) {
  return encodeTlv(0x01, Buffer.from([value ? 0xff : 0x00]));
}

export function nullValue() {
  return Buffer.from([0x05, 0x00]);
}

/** OBJECT IDENTIFIER from dotted text ("2.5.4.3"). */
export function objectIdentifier(dotted) {
  const arcs = dotted.split('.').map(Number);
  const octets = [40 * arcs[0] + arcs[1]];

  for (const arc of arcs.slice(2)) {
    const groups = [arc & 0x7f];

    for (let rest = Math.floor(arc / 128); rest > 0; rest = Math.floor(rest / 128)) {
      groups.unshift(0x80 | (rest & 0x7f));
    }

    octets.push(...groups);
  }

  return encodeTlv(0x06, Buffer.from(octets));
}

export function utf8String(text) {
  return encodeTlv(0x0c, Buffer.from(text, 'utf8'));
}

export function octetString(bytes) {
  return encodeTlv(0x04, bytes);
}

/** BIT STRING with a leading count of unused bits in the last octet. */
export function bitString(bytes, unusedBits = 0) {
  return encodeTlv(0x03, Buffer.concat([Buffer.from([unusedBits]), bytes]));
}

/** UTCTime for years 1950–2049, GeneralizedTime otherwise (RFC 5280 section 4.1.2.5). */
export function time(date) {
  const iso = date.toISOString();
  const digits = iso.slice(0, 19).replace(/[-:T]/g, '');
  const year = date.getUTCFullYear();

  if (year >= 1950 && year <= 2049)
    return encodeTlv(0x17, Buffer.from(`${digits.slice(2)}Z`, 'ascii'));
  return encodeTlv(0x18, Buffer.from(`${digits}Z`, 'ascii'));
}

/** [n] EXPLICIT, constructed, context-specific. */
export function explicit(tagNumber, inner) {
  return encodeTlv(0xa0 | tagNumber, inner);
}
