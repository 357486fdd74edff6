/**
 * One `.jsonl` object → cells in catalogue order. Keys are our column names (matched like CSV
 * headers, `--columns` applies) or the wire shape of an individual enrollment
 * (`attestation.symmetricKey.primaryKey`, `initialTwin.tags`, …), so a line may be either.
 */
import { interpretHeader, MANIFEST_COLUMNS } from './columns.js';
import type { ManifestColumn } from './columns.js';
import type { ColumnMapping } from './column-mapping.js';
import type { TwinValue } from './manifest-record.js';

/** Wire paths of an individual enrollment and the column each one fills. */
const WIRE_PATHS: ReadonlyMap<string, ManifestColumn> = new Map<string, ManifestColumn>([
  ['attestation.type', 'attestation'],
  ['attestation.symmetricKey.primaryKey', 'primaryKey'],
  ['attestation.symmetricKey.secondaryKey', 'secondaryKey'],
  ['attestation.tpm.endorsementKey', 'endorsementKey'],
  ['attestation.tpm.storageRootKey', 'storageRootKey'],
  ['attestation.x509.clientCertificates.primary.certificate', 'primaryCertificate'],
  ['attestation.x509.clientCertificates.secondary.certificate', 'secondaryCertificate'],
  ['attestation.x509.caReferences.primary', 'primaryCaReference'],
  ['attestation.x509.caReferences.secondary', 'secondaryCaReference'],
  ['initialTwin.tags', 'tags'],
  ['initialTwin.properties.desired', 'desiredProperties'],
  ['capabilities.iotEdge', 'iotEdge'],
  ['reprovisionPolicy.updateHubAssignment', 'updateHubAssignment'],
  ['reprovisionPolicy.migrateDeviceData', 'migrateDeviceData'],
  ['customAllocationDefinition.webhookUrl', 'webhookUrl'],
  ['customAllocationDefinition.apiVersion', 'webhookApiVersion'],
]);

const WIRE_PREFIXES: ReadonlySet<string> = new Set(
  [...WIRE_PATHS.keys()].flatMap((path) =>
    path
      .split('.')
      .slice(0, -1)
      .map((_, index, parts) => parts.slice(0, index + 1).join('.')),
  ),
);

const COLUMN_POSITION: ReadonlyMap<ManifestColumn, number> = new Map(
  MANIFEST_COLUMNS.map((column, index) => [column, index]),
);

export interface FlatFields {
  /** By catalogue position (MANIFEST_COLUMNS order); '' when absent. */
  cells: string[];
  /** Cells that were JSON strings: they keep their text, as a quoted CSV cell does. */
  quoted: boolean[];
  twinValues: TwinValue[];
  /** Keys that name nothing we know (dotted for nested wire keys). */
  unknownKeys: string[];
}

/** Spreads one parsed `.jsonl` object over our columns. */
export function flattenJsonlObject(
  object: Record<string, unknown>,
  mapping: ColumnMapping | undefined,
): FlatFields {
  const fields: FlatFields = {
    cells: MANIFEST_COLUMNS.map(() => ''),
    quoted: MANIFEST_COLUMNS.map(() => false),
    twinValues: [],
    unknownKeys: [],
  };

  for (const [key, value] of Object.entries(object)) {
    visitTopLevel(fields, key, value, mapping);
  }

  return fields;
}

function visitTopLevel(
  fields: FlatFields,
  key: string,
  value: unknown,
  mapping: ColumnMapping | undefined,
): void {
  const mapped = mapping?.targetOf(key);

  if (mapped === null) return;

  const meaning = interpretHeader(mapped ?? key);

  if (isPlainObject(value) && WIRE_PREFIXES.has(key) && mapped === undefined) {
    visitWire(fields, key, value);
  } else if (meaning.kind === 'column') {
    setCell(fields, meaning.column, value);
  } else if (meaning.kind === 'twin') {
    const prefix = meaning.section === 'tags' ? 'tag' : 'desired';
    const name = `${prefix}.${meaning.path.join('.')}`;
    fields.twinValues.push({ section: meaning.section, path: meaning.path, name, value });
  } else {
    fields.unknownKeys.push(key);
  }
}

function visitWire(fields: FlatFields, path: string, object: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(object)) {
    const childPath = `${path}.${key}`;
    const column = WIRE_PATHS.get(childPath);

    if (column !== undefined) {
      setCell(fields, column, value);
    } else if (isPlainObject(value) && WIRE_PREFIXES.has(childPath)) {
      visitWire(fields, childPath, value);
    } else {
      fields.unknownKeys.push(childPath);
    }
  }
}

function setCell(fields: FlatFields, column: ManifestColumn, value: unknown): void {
  const position = COLUMN_POSITION.get(column) ?? -1;

  if (value === null || value === undefined) return;

  if (typeof value === 'string') {
    fields.cells[position] = value;
    fields.quoted[position] = true;
  } else if (column === 'iotHubs' && Array.isArray(value)) {
    fields.cells[position] = value.map(String).join(';');
    fields.quoted[position] = true;
  } else if (typeof value === 'object') {
    fields.cells[position] = JSON.stringify(value);
  } else {
    fields.cells[position] = String(value);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
