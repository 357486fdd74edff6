/**
 * Structure check of a TPM key given as base64 TPM2B_PUBLIC (TPM 2.0 Library, Part 2: the
 * 2-byte size, then TPMT_PUBLIC: type, nameAlg, objectAttributes, authPolicy, parameters,
 * unique). We read it field by field so a problem names the field and offset; the values are
 * public keys, so their first bytes may appear in messages.
 */

export const TPM_ALG_RSA = 0x0001;
export const TPM_ALG_ECC = 0x0023;
const TPM_ALG_NULL = 0x0010;
const TPM_ALG_ECDAA = 0x001a;

/** Curve sizes in bytes, by TPM_ECC_CURVE id (NIST P-192..P-521, BN P-256/638, SM2). */
const CURVE_BYTES: ReadonlyMap<number, number> = new Map([
  [0x0001, 24],
  [0x0002, 28],
  [0x0003, 32],
  [0x0004, 48],
  [0x0005, 66],
  [0x0010, 32],
  [0x0011, 80],
  [0x0020, 32],
]);

/** Bytes shown at the start of a structure in messages. */
const SHOWN_BYTES = 6;

export interface TpmPublicSummary {
  type: 'RSA' | 'ECC';
  /** RSA modulus bits or ECC curve size in bits. */
  keyBits: number;
}

/** Reads big-endian fields and fails with the field's name when the bytes run out. */
class StructureReader {
  offset = 2;

  constructor(private readonly bytes: Buffer) {}

  uint16(field: string): number {
    this.need(2, field);
    this.offset += 2;
    return this.bytes.readUInt16BE(this.offset - 2);
  }

  uint32(field: string): number {
    this.need(4, field);
    this.offset += 4;
    return this.bytes.readUInt32BE(this.offset - 4);
  }

  /** A TPM2B: 2-byte size, then that many bytes. Returns the size. */
  sized(field: string): number {
    const size = this.uint16(`${field} size`);
    this.need(size, field);
    this.offset += size;
    return size;
  }

  private need(count: number, field: string): void {
    if (this.offset + count > this.bytes.length) {
      throw new StructureProblem(`${field} at offset ${this.offset} runs past the end`);
    }
  }
}

class StructureProblem extends Error {}

/** What is wrong with the TPM2B_PUBLIC in `bytes`, or its summary when it is sound. */
export function checkTpmPublic(bytes: Buffer): TpmPublicSummary | string {
  if (bytes.length < 4) return `too short for a TPM2B_PUBLIC (${describeShape(bytes)})`;

  const declared = bytes.readUInt16BE(0);

  if (declared !== bytes.length - 2) {
    const follow = bytes.length - 2;
    const shape = describeShape(bytes);
    return `TPM2B_PUBLIC size prefix says ${declared} bytes but ${follow} follow (${shape})`;
  }

  try {
    const summary = readPublicArea(new StructureReader(bytes), bytes.length);
    return typeof summary === 'string' ? `${summary} (${describeShape(bytes)})` : summary;
  } catch (error) {
    if (error instanceof StructureProblem) return `${error.message} (${describeShape(bytes)})`;
    throw error;
  }
}

function readPublicArea(reader: StructureReader, total: number): TpmPublicSummary | string {
  const type = reader.uint16('type');

  if (type !== TPM_ALG_RSA && type !== TPM_ALG_ECC) {
    const hex = type.toString(16).padStart(4, '0');
    return `type 0x${hex} is not RSA (0x0001) or ECC (0x0023)`;
  }

  reader.uint16('nameAlg');
  reader.uint32('objectAttributes');
  reader.sized('authPolicy');
  readSymmetric(reader);
  readScheme(reader, 'scheme');

  const summary = type === TPM_ALG_RSA ? readRsaParts(reader) : readEccParts(reader);

  if (typeof summary === 'string') return summary;

  if (reader.offset !== total) {
    return `${total - reader.offset} bytes follow the end of the structure`;
  }

  return summary;
}

function readSymmetric(reader: StructureReader): void {
  if (reader.uint16('symmetric.algorithm') === TPM_ALG_NULL) return;

  reader.uint16('symmetric.keyBits');
  reader.uint16('symmetric.mode');
}

function readScheme(reader: StructureReader, field: string): void {
  const scheme = reader.uint16(field);

  if (scheme === TPM_ALG_NULL) return;

  reader.uint16(`${field}.hashAlg`);
  if (scheme === TPM_ALG_ECDAA) reader.uint16(`${field}.count`);
}

function readRsaParts(reader: StructureReader): TpmPublicSummary | string {
  const keyBits = reader.uint16('keyBits');
  reader.uint32('exponent');
  const modulusBytes = reader.sized('unique (RSA modulus)');

  if (modulusBytes * 8 !== keyBits) {
    return `RSA modulus has ${modulusBytes * 8} bits but keyBits says ${keyBits}`;
  }

  return { type: 'RSA', keyBits };
}

function readEccParts(reader: StructureReader): TpmPublicSummary | string {
  const curve = reader.uint16('curveID');
  readScheme(reader, 'kdf');
  const xBytes = reader.sized('unique.x');
  const yBytes = reader.sized('unique.y');
  const curveBytes = CURVE_BYTES.get(curve);

  if (curveBytes === undefined) {
    return `ECC curveID 0x${curve.toString(16).padStart(4, '0')} is unknown`;
  }

  if (xBytes > curveBytes || yBytes > curveBytes || xBytes === 0 || yBytes === 0) {
    return `ECC point of ${xBytes}+${yBytes} bytes does not fit a ${curveBytes * 8}-bit curve`;
  }

  return { type: 'ECC', keyBits: curveBytes * 8 };
}

/** "decoded 312 bytes, starts 01 3a 00 01 00 0b": the shape messages may show. */
function describeShape(bytes: Buffer): string {
  const start = [...bytes.subarray(0, SHOWN_BYTES)]
    .map((byte) => byte.toString(16).padStart(2, '0'))
    .join(' ');
  return `decoded ${bytes.length} bytes, starts ${start}`;
}
