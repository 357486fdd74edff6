/**
 * Property: any manifest built from random valid rows, written in any supported dialect (CSV
 * with any delimiter, encoding, byte-order mark, line ending and quoting; or JSON Lines), reads
 * back to the same enrollments, on the lines the rows were written on.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import type { IndividualEnrollment } from '../../src/dps/contract/index.js';
import { checkAll } from '../manifest/support/read-all.js';
import { writeManifest } from './support/inline-manifest.js';
import {
  buildSelfSignedCertificate,
  eccEndorsementKey,
  rsaEndorsementKey,
} from './support/material.js';

const CERTIFICATES = ['pool-a', 'pool-b'].map((name) =>
  buildSelfSignedCertificate({ commonName: name }),
);
const ENDORSEMENT_KEYS = [rsaEndorsementKey(), eccEndorsementKey()].map((key) =>
  key.toString('base64'),
);

const COLUMNS = [
  'registrationId',
  'deviceId',
  'attestation',
  'primaryKey',
  'secondaryKey',
  'endorsementKey',
  'primaryCertificate',
  'iotHubs',
  'provisioningStatus',
  'tags',
  'tag.zone',
] as const;

type Column = (typeof COLUMNS)[number];

interface RowSpec {
  registrationId: string;
  deviceId?: string;
  attestation:
    | { kind: 'symmetricKey'; primaryKey?: string; secondaryKey?: string }
    | { kind: 'tpm'; endorsementKey: string }
    | { kind: 'x509'; certificate: string };
  iotHubs?: string[];
  provisioningStatus?: 'enabled' | 'disabled';
  tags?: Record<string, string | number | boolean>;
  zone?: string | number;
}

const alphanumeric = fc.constantFrom(
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
);
const idInner = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-._:');

const registrationId = fc
  .tuple(alphanumeric, fc.array(idInner, { maxLength: 20 }), alphanumeric)
  .map(([first, inner, last]) => `${first}${inner.join('')}${last}`)
  .filter((id) => !/^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$/.test(id));

const key = fc
  .integer({ min: 16, max: 64 })
  .chain((size) =>
    fc
      .uint8Array({ minLength: size, maxLength: size })
      .map((bytes) => Buffer.from(bytes).toString('base64')),
  );

const hostLabel = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/);
const hub = hostLabel.map((label) => `${label}.azure-devices.net`);
const twinKey = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_-]{0,8}$/);
const twinText = fc.string({ maxLength: 12 }).filter((text) => !/[\u0000-\u001f]/.test(text));
const twinValue = fc.oneof(twinText, fc.integer({ min: -1000, max: 1000 }), fc.boolean());

const attestation: fc.Arbitrary<RowSpec['attestation']> = fc.oneof(
  fc.record(
    { kind: fc.constant('symmetricKey' as const), primaryKey: key, secondaryKey: key },
    { requiredKeys: ['kind'] },
  ),
  fc.record({
    kind: fc.constant('tpm' as const),
    endorsementKey: fc.constantFrom(...ENDORSEMENT_KEYS),
  }),
  fc.record({
    kind: fc.constant('x509' as const),
    certificate: fc.constantFrom(
      ...CERTIFICATES.flatMap((built) => [built.pem.trimEnd(), built.base64]),
    ),
  }),
);

const row: fc.Arbitrary<Omit<RowSpec, 'registrationId'>> = fc.record(
  {
    deviceId: fc
      .stringMatching(/^[A-Za-z0-9][A-Za-z0-9\-.%_*?!(),:=@$']{0,15}$/)
      .filter((id) => !/^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$/.test(id)),
    attestation,
    iotHubs: fc.array(hub, { minLength: 1, maxLength: 3 }),
    provisioningStatus: fc.constantFrom('enabled' as const, 'disabled' as const),
    tags: fc.dictionary(
      twinKey.filter((name) => name !== 'zone'),
      twinValue,
      { maxKeys: 3 },
    ),
    zone: fc.oneof(
      twinText.filter((text) => text.length > 0),
      fc.integer({ min: 0, max: 99 }),
    ),
  },
  { requiredKeys: ['attestation'] },
);

const rows = fc
  .uniqueArray(registrationId, { minLength: 1, maxLength: 8, selector: (id) => id.toLowerCase() })
  .chain((ids) =>
    fc.tuple(...ids.map((id) => row.map((spec) => ({ ...spec, registrationId: id }) as RowSpec))),
  );

interface CsvDialect {
  format: 'csv';
  delimiter: ',' | ';' | '\t' | '|';
  encoding: 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be';
  lineEnding: '\n' | '\r\n';
  quoteEverything: boolean;
}

const dialect: fc.Arbitrary<CsvDialect | { format: 'jsonl' }> = fc.oneof(
  fc.record({
    format: fc.constant('csv' as const),
    delimiter: fc.constantFrom(',' as const, ';' as const, '\t' as const, '|' as const),
    encoding: fc.constantFrom(
      'utf-8' as const,
      'utf-8-bom' as const,
      'utf-16le' as const,
      'utf-16be' as const,
    ),
    lineEnding: fc.constantFrom('\n' as const, '\r\n' as const),
    quoteEverything: fc.boolean(),
  }),
  fc.constant({ format: 'jsonl' as const }),
);

/** What the row checker must produce for a spec. */
function expectedEnrollment(spec: RowSpec): IndividualEnrollment {
  const enrollment: IndividualEnrollment = {
    registrationId: spec.registrationId,
    attestation: { type: spec.attestation.kind },
  };
  const { attestation } = spec;

  if (attestation.kind === 'symmetricKey') {
    enrollment.attestation.symmetricKey = {
      ...(attestation.primaryKey === undefined ? {} : { primaryKey: attestation.primaryKey }),
      ...(attestation.secondaryKey === undefined ? {} : { secondaryKey: attestation.secondaryKey }),
    };
  } else if (attestation.kind === 'tpm') {
    enrollment.attestation.tpm = { endorsementKey: attestation.endorsementKey };
  } else {
    enrollment.attestation.x509 = {
      clientCertificates: { primary: { certificate: attestation.certificate } },
    };
  }

  if (spec.deviceId !== undefined) enrollment.deviceId = spec.deviceId;
  if (spec.iotHubs !== undefined) enrollment.iotHubs = spec.iotHubs;
  if (spec.provisioningStatus !== undefined)
    enrollment.provisioningStatus = spec.provisioningStatus;

  const tags = { ...(spec.tags ?? {}), ...(spec.zone === undefined ? {} : { zone: spec.zone }) };
  if (spec.tags !== undefined || spec.zone !== undefined) enrollment.initialTwin = { tags };

  return enrollment;
}

/** The cells of a spec, as text, by column. */
function cellsOf(spec: RowSpec): Record<Column, string> {
  const { attestation } = spec;
  return {
    registrationId: spec.registrationId,
    deviceId: spec.deviceId ?? '',
    attestation: attestation.kind,
    primaryKey: attestation.kind === 'symmetricKey' ? (attestation.primaryKey ?? '') : '',
    secondaryKey: attestation.kind === 'symmetricKey' ? (attestation.secondaryKey ?? '') : '',
    endorsementKey: attestation.kind === 'tpm' ? attestation.endorsementKey : '',
    primaryCertificate: attestation.kind === 'x509' ? attestation.certificate : '',
    iotHubs: spec.iotHubs?.join(';') ?? '',
    provisioningStatus: spec.provisioningStatus ?? '',
    tags: spec.tags === undefined ? '' : JSON.stringify(spec.tags),
    'tag.zone': spec.zone === undefined ? '' : String(spec.zone),
  };
}

function csvText(specs: readonly RowSpec[], format: CsvDialect): { text: string; lines: number[] } {
  const needsQuotes = (value: string) =>
    /["\r\n]/.test(value) || value.includes(format.delimiter) || value !== value.trim();
  const quote = (value: string, policy: 'text' | 'number' | 'any') =>
    policy === 'text' || (policy === 'any' && (format.quoteEverything || needsQuotes(value)))
      ? `"${value.replace(/"/g, '""')}"`
      : value;
  const lines = [COLUMNS.join(format.delimiter)];
  const starts: number[] = [];
  let line = 2;

  for (const spec of specs) {
    const cells = cellsOf(spec);
    // Quoting is how CSV says "text": a text zone is always quoted, a number zone never.
    const zonePolicy =
      typeof spec.zone === 'string' ? 'text' : typeof spec.zone === 'number' ? 'number' : 'any';
    const record = COLUMNS.map((column) =>
      quote(cells[column], column === 'tag.zone' ? zonePolicy : 'any'),
    );
    const text = record.join(format.delimiter).replace(/\r?\n/g, format.lineEnding);
    starts.push(line);
    line += text.split(format.lineEnding).length;
    lines.push(text);
  }

  return { text: `${lines.join(format.lineEnding)}${format.lineEnding}`, lines: starts };
}

function encode(text: string, encoding: CsvDialect['encoding']): Buffer {
  if (encoding === 'utf-8') return Buffer.from(text, 'utf8');
  if (encoding === 'utf-8-bom') return Buffer.from(`\uFEFF${text}`, 'utf8');

  const littleEndian = Buffer.from(`\uFEFF${text}`, 'utf16le');
  return encoding === 'utf-16le' ? littleEndian : littleEndian.swap16();
}

function jsonlText(specs: readonly RowSpec[]): string {
  return specs
    .map((spec) => {
      const cells = cellsOf(spec);
      const object: Record<string, unknown> = {};

      for (const column of COLUMNS) if (cells[column] !== '') object[column] = cells[column];

      if (spec.tags !== undefined) object.tags = spec.tags;
      if (spec.iotHubs !== undefined) object.iotHubs = spec.iotHubs;
      if (spec.zone !== undefined) object['tag.zone'] = spec.zone;
      return JSON.stringify(object);
    })
    .join('\n');
}

describe('dialect round trip (property)', () => {
  it(
    'reads random valid rows written in any supported dialect back to the same ' + 'enrollments',
    async () => {
      await fc.assert(
        fc.asyncProperty(rows, dialect, async (specs, format) => {
          const written =
            format.format === 'jsonl'
              ? {
                  path: writeManifest(
                    jsonlText(specs),
                    `roundtrip-${Math.random().toString(36).slice(2)}.jsonl`,
                  ),
                  lines: specs.map((_, index) => index + 1),
                }
              : (() => {
                  const { text, lines } = csvText(specs, format);
                  return { path: writeManifest(encode(text, format.encoding)), lines };
                })();
          const { rows: checked } = await checkAll({ path: written.path });

          expect(checked.map((checkedRow) => checkedRow.kind)).toEqual(specs.map(() => 'valid'));
          expect(checked.map((checkedRow) => checkedRow.line)).toEqual(written.lines);
          expect(
            checked.map((checkedRow) =>
              checkedRow.kind === 'valid' ? checkedRow.enrollment : undefined,
            ),
          ).toEqual(specs.map(expectedEnrollment));
        }),
        { numRuns: 80 },
      );
    },
  );
});
