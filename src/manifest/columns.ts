/**
 * The manifest's column catalogue: our column names, the header spellings that reach them, and
 * the per-key twin columns (`tag.<path>`, `desired.<path>`). The README's "The manifest"
 * section lists the same set.
 */

/** Every column a manifest may carry, in our spelling (as the README's "The manifest" lists it). */
export const MANIFEST_COLUMNS = [
  'registrationId',
  'deviceId',
  'attestation',
  'primaryKey',
  'secondaryKey',
  'endorsementKey',
  'storageRootKey',
  'primaryCertificate',
  'secondaryCertificate',
  'primaryCaReference',
  'secondaryCaReference',
  'iotHubHostName',
  'iotHubs',
  'allocationPolicy',
  'webhookUrl',
  'webhookApiVersion',
  'updateHubAssignment',
  'migrateDeviceData',
  'provisioningStatus',
  'iotEdge',
  'tags',
  'desiredProperties',
  'optionalDeviceInformation',
] as const;

export type ManifestColumn = (typeof MANIFEST_COLUMNS)[number];

/** The only column a manifest cannot do without. */
export const REQUIRED_COLUMN: ManifestColumn = 'registrationId';

/** Columns whose values are secrets: messages show their shape, never their value. */
export const SECRET_COLUMNS: ReadonlySet<string> = new Set<ManifestColumn>([
  'primaryKey',
  'secondaryKey',
  'endorsementKey',
  'storageRootKey',
  'primaryCertificate',
  'secondaryCertificate',
]);

/**
 * Extra header spellings, already normalised (see `normalizeHeader`). Our own names are matched
 * without being listed. "Serial" is deliberately absent: a serial number is not always the
 * registration ID, so a manifest that means it says so with `--columns`.
 */
const HEADER_ALIASES: Readonly<Record<string, ManifestColumn>> = {
  attestationtype: 'attestation',
  attestationmechanism: 'attestation',
  primarysymmetrickey: 'primaryKey',
  secondarysymmetrickey: 'secondaryKey',
  ek: 'endorsementKey',
  srk: 'storageRootKey',
  certificate: 'primaryCertificate',
  clientcertificate: 'primaryCertificate',
  primaryclientcertificate: 'primaryCertificate',
  secondaryclientcertificate: 'secondaryCertificate',
  careference: 'primaryCaReference',
  iothub: 'iotHubs',
  linkediothubs: 'iotHubs',
  status: 'provisioningStatus',
  enrollmentstatus: 'provisioningStatus',
  allocation: 'allocationPolicy',
  customallocationwebhookurl: 'webhookUrl',
  customallocationapiversion: 'webhookApiVersion',
  'capabilities.iotedge': 'iotEdge',
  edge: 'iotEdge',
  'initialtwin.tags': 'tags',
  desired: 'desiredProperties',
  'initialtwin.properties.desired': 'desiredProperties',
  deviceinformation: 'optionalDeviceInformation',
};

/** Where a per-key twin column puts its value. */
export type TwinSection = 'tags' | 'desired';

/** Header prefixes (normalised, dot included) of per-key twin columns. */
const TWIN_PREFIXES: readonly (readonly [string, TwinSection])[] = [
  ['tag.', 'tags'],
  ['tags.', 'tags'],
  ['desired.', 'desired'],
  ['desiredproperties.', 'desired'],
];

const COLUMN_BY_NORMALIZED_NAME: ReadonlyMap<string, ManifestColumn> = new Map([
  ...MANIFEST_COLUMNS.map((column) => [normalizeHeader(column), column] as const),
  ...Object.entries(HEADER_ALIASES),
]);

/** Lower case, without spaces, `_` and `-`: "Registration ID" and "registration_id" meet. */
export function normalizeHeader(header: string): string {
  return header.toLowerCase().replace(/[\s_-]+/g, '');
}

/** What a header names: one of our columns, a per-key twin value, or nothing we know. */
export type HeaderMeaning =
  | { kind: 'column'; column: ManifestColumn }
  | { kind: 'twin'; section: TwinSection; path: string[] }
  | { kind: 'unknown' };

/**
 * Reads a header (or a `--columns` target). The twin path after the prefix keeps its case and
 * characters: twin keys are case-sensitive, so only the prefix is normalised.
 */
export function interpretHeader(header: string): HeaderMeaning {
  const trimmed = header.trim();
  const dot = trimmed.indexOf('.');

  if (dot > 0) {
    const prefix = normalizeHeader(trimmed.slice(0, dot + 1));

    for (const [twinPrefix, section] of TWIN_PREFIXES) {
      if (prefix === twinPrefix) {
        return { kind: 'twin', section, path: trimmed.slice(dot + 1).split('.') };
      }
    }
  }

  const column = COLUMN_BY_NORMALIZED_NAME.get(normalizeHeader(trimmed));
  return column === undefined ? { kind: 'unknown' } : { kind: 'column', column };
}

/** Our column whose name is closest to `header` (for "did you mean"), with its edit distance. */
export function closestColumn(header: string): { column: ManifestColumn; distance: number } {
  const normalized = normalizeHeader(header);
  let best: { column: ManifestColumn; distance: number } = {
    column: REQUIRED_COLUMN,
    distance: Number.POSITIVE_INFINITY,
  };

  for (const column of MANIFEST_COLUMNS) {
    const name = normalizeHeader(column);
    // An abbreviation ("regid", "ek") is far in edits but plainly meant: count it as close.
    const distance = isAbbreviationOf(normalized, name) ? 1 : editDistance(normalized, name);

    if (distance < best.distance) {
      best = { column, distance };
    }
  }

  return best;
}

/** `short` keeps the first letter of `name` and the rest of its letters in order. */
function isAbbreviationOf(short: string, name: string): boolean {
  if (short.length < 3 || short.length >= name.length || short[0] !== name[0]) return false;

  let position = 0;

  for (const letter of short) {
    position = name.indexOf(letter, position) + 1;
    if (position === 0) return false;
  }

  return true;
}

/** Levenshtein distance; headers are short, so the two-row table is plenty. */
export function editDistance(left: string, right: string): number {
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);

  for (let row = 1; row <= left.length; row += 1) {
    const current = [row];

    for (let column = 1; column <= right.length; column += 1) {
      const substitution = left[row - 1] === right[column - 1] ? 0 : 1;
      current.push(
        Math.min(
          (previous[column] ?? 0) + 1,
          (current[column - 1] ?? 0) + 1,
          (previous[column - 1] ?? 0) + substitution,
        ),
      );
    }

    previous = current;
  }

  return previous[right.length] ?? 0;
}
