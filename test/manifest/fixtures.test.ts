import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { ManifestError } from '../../src/manifest/index.js';
import { checkAll, fixture, messagesOf, outcomeOf, readAll } from './support/read-all.js';

describe('manifest fixtures (one per spreadsheet pitfall)', () => {
  it(
    'reads an Excel "CSV UTF-8" file with a byte-order mark: the first column is ' +
      'registrationId',
    async () => {
      const { opened, rows } = await checkAll({ path: fixture('excel-utf8-bom.csv') });

      expect(opened.dialect).toEqual({
        format: 'csv',
        delimiter: ',',
        encoding: 'utf-8',
        bom: true,
        lineEnding: 'LF',
      });
      expect(rows.map((row) => row.registrationId)).toEqual(['excel-0001', 'excel-0002']);
      expect(
        rows.every((row) => row.kind === 'valid' && !row.registrationId.includes('\uFEFF')),
      ).toBe(true);
    },
  );

  it(
    'reads a ;-separated file with a byte-order mark, CRLF and "Registration ID" headers ' +
      'into four columns',
    async () => {
      const { opened, records, rows } = await checkAll({ path: fixture('semicolon-bom-crlf.csv') });

      expect(opened.dialect).toMatchObject({ delimiter: ';', bom: true, lineEnding: 'CRLF' });
      expect(opened.warnings).toEqual([]);
      expect(records.map((record) => record.cells.length)).toEqual([4, 4]);
      expect(rows.map((row) => [row.line, row.kind])).toEqual([
        [2, 'valid'],
        [3, 'valid'],
      ]);
      expect(rows[0]?.kind === 'valid' && rows[0].enrollment.attestation.type).toBe('symmetricKey');
    },
  );

  it('reads Excel "Unicode text": UTF-16 LE with a byte-order mark, tab-separated', async () => {
    const { opened, rows } = await checkAll({ path: fixture('unicode-text-utf16le.csv') });

    expect(opened.dialect).toMatchObject({ encoding: 'utf-16le', bom: true, delimiter: '\t' });
    expect(rows.map(outcomeOf)).toEqual(['valid', 'valid']);
    const tags = rows.map((row) =>
      row.kind === 'valid' ? row.enrollment.initialTwin?.tags : undefined,
    );
    expect(tags).toEqual([{ site: 'Vénissieux' }, { emoji: '🚀' }]);
  });

  it('reads UTF-16 BE with a byte-order mark and finds the pipe delimiter', async () => {
    const { opened, rows } = await checkAll({ path: fixture('utf16be-bom.csv') });

    expect(opened.dialect).toMatchObject({ encoding: 'utf-16be', delimiter: '|' });
    expect(rows.map((row) => [row.registrationId, row.kind])).toEqual([
      ['big-endian-0001', 'valid'],
    ]);
  });

  it('splits iotHubs on ; inside a pipe-separated file', async () => {
    const { rows } = await checkAll({ path: fixture('pipe-delimited.csv') });
    const row = rows[0];

    expect(row?.kind === 'valid' && row.enrollment.iotHubs).toEqual([
      'hub-a.azure-devices.net',
      'hub-b.azure-devices.net',
    ]);
  });

  it(
    'stops before any row when the header holds two candidate delimiters, and says to use ' +
      '--delimiter',
    async () => {
      const opening = readAll({ path: fixture('ambiguous-delimiter.csv') });

      await expect(opening).rejects.toThrow(ManifestError);
      await expect(opening).rejects.toThrow(
        'ambiguous-delimiter.csv:1 header: delimiter-ambiguous: the header line holds 1 × ' +
          'comma (,), ' +
          '2 × semicolon (;); say which one separates columns with --delimiter',
      );
    },
  );

  it('reads the ambiguous file once --delimiter names the delimiter', async () => {
    const { records } = await readAll({
      path: fixture('ambiguous-delimiter.csv'),
      delimiter: 'semicolon',
    });

    expect(records[0]?.cells).toEqual(['x', 'a, b', 'z']);
  });

  it(
    'marks IDs that a spreadsheet turned into scientific notation, with a hint about ' + 'Excel',
    async () => {
      const { rows } = await checkAll({ path: fixture('scientific-notation.csv') });

      expect(rows.map(outcomeOf)).toEqual(['spreadsheet-number', 'spreadsheet-number']);
      expect(messagesOf(rows[0]!)[0]).toBe(
        "scientific-notation.csv:2:1 registrationId: spreadsheet-number: '8.96529E+19' looks " +
          'like a ' +
          'number a spreadsheet turned into scientific notation; ' +
          'format the column as Text before ' +
          'exporting (the original digits are lost)',
      );
      expect(messagesOf(rows[1]!)[0]).toContain(
        'scientific-notation.csv:3:2 deviceId: spreadsheet-number:',
      );
    },
  );

  it(
    'takes a quoted PEM certificate across several lines as one record and accepts ' + 'it',
    async () => {
      const path = fixture('pem-multiline.csv');
      const { rows } = await checkAll({ path });
      const text = readFileSync(path, 'utf8');
      const secondRowLine = text.slice(0, text.indexOf('pem-device-0002')).split('\n').length;

      expect(secondRowLine).toBeGreaterThan(10);
      expect(rows.map((row) => [row.line, row.kind])).toEqual([
        [2, 'valid'],
        [secondRowLine, 'valid'],
      ]);
      const certificate =
        rows[0]?.kind === 'valid' ? rows[0].enrollment.attestation.x509 : undefined;
      expect(certificate?.clientCertificates?.primary?.certificate).toMatch(
        /^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----$/,
      );
    },
  );

  it(
    'reads certificates from .pem and .der files in the manifest folder, and refuses paths ' +
      'that leave it',
    async () => {
      const { rows } = await checkAll({ path: fixture('certificate-files/with-files.csv') });

      expect(rows.map(outcomeOf)).toEqual([
        'valid',
        'valid',
        'x509-certificate-file',
        'x509-certificate-file',
      ]);
      expect(messagesOf(rows[2]!)[0]).toBe(
        'with-files.csv:4:3 primaryCertificate: x509-certificate-file: cannot read ' +
          'certs/missing.pem (ENOENT)',
      );
      expect(messagesOf(rows[3]!)[0]).toBe(
        'with-files.csv:5:3 primaryCertificate: x509-certificate-file: path ../outside.pem ' +
          "leaves the manifest's folder",
      );
      const der = rows[1]?.kind === 'valid' ? rows[1].enrollment.attestation.x509 : undefined;
      expect(der?.clientCertificates?.primary?.certificate).toMatch(/^MII[A-Za-z0-9+/]+=*$/);
    },
  );

  it(
    'skips empty lines, lines of only delimiters and blank lines, and keeps physical line ' +
      'numbers',
    async () => {
      const { rows } = await checkAll({ path: fixture('blank-lines.csv') });

      expect(rows.map((row) => [row.line, row.registrationId, row.kind])).toEqual([
        [2, 'blank-0001', 'valid'],
        [6, 'blank-0002', 'valid'],
      ]);
    },
  );

  it('warns once per unknown column, suggesting the closest name, and ignores it', async () => {
    const { opened, records } = await readAll({ path: fixture('unknown-columns.csv') });

    expect(opened.warnings).toEqual([
      'unknown-columns.csv:1:2 Colour: unknown-column: not a manifest column; ignored',
      'unknown-columns.csv:1:4 primaryKy: unknown-column: not a manifest column; ignored ' +
        '(did you mean primaryKey?)',
      'unknown-columns.csv:1:5 Notes: unknown-column: not a manifest column; ignored',
    ]);
    expect(records).toHaveLength(1);
  });

  it(
    'stops before any row when registrationId is missing, naming the closest header ' + 'found',
    async () => {
      await expect(readAll({ path: fixture('missing-registration-id.csv') })).rejects.toThrow(
        'missing-registration-id.csv:1 registrationId: column-missing: no header maps to ' +
          'registrationId; ' +
          "the closest header is 'Registation ID' (column 1); rename it or map it with --columns",
      );
    },
  );

  it(
    'maps a manifest\'s own headers with --columns ("Serial" → registrationId, "Plant" → ' +
      'tag.plant)',
    async () => {
      const { opened, rows } = await checkAll({
        path: fixture('serial-mapping.csv'),
        columnsPath: fixture('serial-mapping.json'),
      });
      const row = rows[0];

      expect(opened.warnings).toEqual([]);
      expect(row?.registrationId).toBe('SN-0001');
      expect(row?.kind === 'valid' && row.enrollment.initialTwin).toEqual({
        tags: { plant: 'lyon' },
      });
    },
  );

  it(
    'builds the initial twin from tag.<name> and desired.<path> columns, keeping types ' +
      'unless quoted',
    async () => {
      const { rows } = await checkAll({ path: fixture('twin-columns.csv') });
      const row = rows[0];

      expect(row?.kind).toBe('valid');
      expect(row?.kind === 'valid' && row.enrollment.initialTwin).toEqual({
        tags: { site: 'plant-3', zip: '02134', active: true },
        properties: { desired: { telemetry: { interval: 30 } } },
      });
    },
  );

  it(
    'names the code point and position of non-ASCII characters and whitespace in ' + 'IDs',
    async () => {
      const { rows } = await checkAll({ path: fixture('non-ascii-ids.csv') });

      expect(rows.map((row) => messagesOf(row)[0])).toEqual([
        "non-ascii-ids.csv:2:1 registrationId: registration-id-charset: character 'é' " +
          '(U+00E9) at position 13 is not ASCII',
        'non-ascii-ids.csv:3:1 registrationId: registration-id-charset: character U+0020 at ' +
          'position 5 is whitespace',
        'non-ascii-ids.csv:4:1 registrationId: registration-id-charset: character U+00A0 at ' +
          'position 5 is not ASCII',
      ]);
    },
  );

  it(
    'marks a row with bytes that are not UTF-8 invalid, naming its line and cell, and ' +
      'reads on',
    async () => {
      const { rows } = await checkAll({ path: fixture('windows-1252.csv') });

      expect(rows.map((row) => [row.line, outcomeOf(row)])).toEqual([
        [2, 'encoding-invalid'],
        [3, 'valid'],
      ]);
      expect(messagesOf(rows[0]!)[0]).toBe(
        'windows-1252.csv:2:3 tags: encoding-invalid: bytes that are not valid UTF-8 ' +
          '(a Windows-1252 export? save the manifest as "CSV UTF-8")',
      );
    },
  );

  it(
    'ends reading with a ManifestError naming the line where a quote is never closed, ' +
      'after the rows before it',
    async () => {
      const opened = await (
        await import('../../src/manifest/index.js')
      ).openManifest({
        path: fixture('unclosed-quote.csv'),
      });
      const lines: number[] = [];
      let failure: unknown;

      try {
        for await (const record of opened.records) lines.push(record.line);
      } catch (error) {
        failure = error;
      }

      expect(lines).toEqual([2]);
      expect(failure).toBeInstanceOf(ManifestError);
      expect((failure as ManifestError).message).toBe(
        'unclosed-quote.csv:3 row: quote-not-closed: a quote opened in the record starting on ' +
          'line 3 ' +
          'is never closed, so the rest of the file would be one cell',
      );
      expect((failure as ManifestError).line).toBe(3);
    },
  );

  it(
    'finds duplicate IDs case-insensitively: the later copy is a duplicate of the first ' + 'line',
    async () => {
      const { rows } = await checkAll({ path: fixture('duplicates.csv') });

      expect(rows.map(outcomeOf)).toEqual(['valid', 'valid', 'registration-id-duplicate']);
      expect(messagesOf(rows[2]!)[0]).toBe(
        'duplicates.csv:4:1 registrationId: registration-id-duplicate: ' +
          "'sensor-a01' is a duplicate " +
          'of line 2 (IDs compare case-insensitively)',
      );
    },
  );

  it(
    'trims whitespace around unquoted values with a warning, and keeps it inside ' + 'quotes',
    async () => {
      const { rows } = await checkAll({ path: fixture('whitespace.csv') });

      expect(rows.map((row) => [row.registrationId, outcomeOf(row)])).toEqual([
        ['spaced-0001', 'valid'],
        ['spaced-0002', 'registration-id-charset'],
      ]);
      expect(rows[0]?.warnings.map((warning) => warning.message)).toEqual([
        'whitespace.csv:2:1 registrationId: whitespace-trimmed: whitespace around the value ' +
          'was removed',
        'whitespace.csv:2:2 attestation: whitespace-trimmed: ' +
          'whitespace around the value was removed',
      ]);
    },
  );

  it('marks records whose field count differs from the header', async () => {
    const { rows } = await checkAll({ path: fixture('field-count.csv') });

    expect(rows.map((row) => messagesOf(row)[0])).toEqual([
      'field-count.csv:2 row: field-count: found 4 fields; the header has 3 (an unquoted ' +
        'delimiter inside a value?)',
      'field-count.csv:3 row: field-count: found 2 fields; the header has 3',
    ]);
  });

  it(
    'reads .jsonl in our column names or the wire shape; a line that is not an object is ' +
      'an invalid row',
    async () => {
      const { opened, rows } = await checkAll({ path: fixture('enrollments.jsonl') });

      expect(rows.map((row) => [row.line, outcomeOf(row)])).toEqual([
        [1, 'valid'],
        [3, 'valid'],
        [4, 'jsonl-syntax'],
        [5, 'jsonl-syntax'],
      ]);
      expect(rows[0]?.kind === 'valid' && rows[0].enrollment.initialTwin).toEqual({
        tags: { site: 'lyon', line: 4 },
      });
      expect(rows[1]?.kind === 'valid' && rows[1].enrollment).toMatchObject({
        attestation: { type: 'tpm' },
        capabilities: { iotEdge: true },
        initialTwin: { tags: { site: 'porto' }, properties: { desired: { interval: 30 } } },
        provisioningStatus: 'enabled',
      });
      expect(messagesOf(rows[3]!)[0]).toBe(
        'enrollments.jsonl:5 row: jsonl-syntax: expected a JSON object, found an array',
      );
      expect(opened.warnings).toEqual([
        'enrollments.jsonl:3 etag: unknown-column: not a manifest field; ignored',
      ]);
    },
  );
});
