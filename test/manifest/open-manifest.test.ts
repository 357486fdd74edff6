import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { ManifestError, openManifest } from '../../src/manifest/index.js';
import { writeManifest } from '../rows/support/inline-manifest.js';
import { fixture, readAll } from './support/read-all.js';

/** The ManifestError message that opening `content` as a manifest throws. */
async function openingError(
  content: string | Buffer,
  extra: { delimiter?: string; columnsPath?: string } = {},
) {
  const path = writeManifest(content);
  const failure = await openManifest({ path, ...extra }).then(
    () => undefined,
    (error: unknown) => error,
  );

  expect(failure).toBeInstanceOf(ManifestError);
  return (failure as ManifestError).message.replace(/^manifest-\d+\.csv/, 'm.csv');
}

describe('openManifest: what stops a run before any row', () => {
  it('refuses an empty file, and a first line that is blank', async () => {
    expect(await openingError('')).toBe(
      'm.csv: manifest-empty: the file is empty; a header line is required',
    );
    expect(await openingError('\uFEFF')).toBe(
      'm.csv: manifest-empty: the file is empty; a header line is required',
    );
    expect(await openingError('\nregistrationId\nx\n')).toBe(
      'm.csv:1 header: header-missing: line 1 is blank; the first line must be the header ' +
        '(registrationId and the other column names)',
    );
  });

  it('refuses a file that cannot be read, naming the system error', async () => {
    await expect(openManifest({ path: fixture('no-such-file.csv') })).rejects.toThrow(
      /^no-such-file\.csv: manifest-unreadable: cannot read .*no-such-file\.csv \(ENOENT\)$/,
    );
  });

  it('refuses UTF-32 and UTF-16 without a byte-order mark', async () => {
    expect(await openingError(Buffer.from([0xff, 0xfe, 0, 0, 0x72, 0, 0, 0]))).toContain(
      'encoding-unsupported: the byte-order mark says UTF-32',
    );
    expect(await openingError(Buffer.from('registrationId\nabc\n', 'utf16le'))).toContain(
      'encoding-unsupported: the file looks like UTF-16 without a byte-order mark',
    );
  });

  it('refuses a header with bytes that are not UTF-8', async () => {
    const header = Buffer.concat([
      Buffer.from('registrationId,d'),
      Buffer.from([0xe9]),
      Buffer.from('p\nx,y\n'),
    ]);

    expect(await openingError(header)).toBe(
      'm.csv:1 header: encoding-unsupported: the header holds bytes that are not valid UTF-8 ' +
        '(a Windows-1252 export?); save the manifest as "CSV UTF-8"',
    );
  });

  it('refuses two headers for one column', async () => {
    expect(await openingError('Registration ID,registration_id\nx,y\n')).toBe(
      "m.csv:1:2 registrationId: column-duplicate: headers 'Registration ID' (column 1) and " +
        "'registration_id' (column 2) both map to registrationId; rename or drop one",
    );
  });

  it('refuses twin column headers that break the twin key rules or overlap', async () => {
    expect(await openingError('registrationId,tag.$meta\nx,y\n')).toContain(
      'm.csv:1:2 tag.$meta: twin-column-invalid: header \'tag.$meta\' gives key "$meta" has ' +
        "'$' (U+0024) at position 1",
    );
    expect(await openingError('registrationId,desired.a,desired.a.b\nx,1,2\n')).toBe(
      'm.csv:1:3 desired.a.b: twin-column-invalid: desired.a (column 2) already sets a ' +
        'value at that path',
    );
    expect(await openingError(`registrationId,tag.${'k.'.repeat(10)}k\nx,1\n`)).toContain(
      'twin-column-invalid: the path is 11 levels deep; twins allow at most 10',
    );
  });

  it('refuses a --delimiter that is not one character or a known name', async () => {
    expect(await openingError('registrationId\nx\n', { delimiter: '::' })).toContain(
      'delimiter-invalid: --delimiter must be one character other than a quote or a line break, ' +
        'or one of comma, semicolon, tab, pipe; got "::"',
    );
  });

  it('refuses a --columns file that is not a JSON object of known columns', async () => {
    const notJson = writeManifest('{"Serial": ', 'broken-mapping.json');
    const unknownTarget = writeManifest('{"Serial": "regId"}', 'unknown-mapping.json');

    expect(await openingError('Serial\nx\n', { columnsPath: notJson })).toMatch(
      /^broken-mapping\.json: column-mapping-invalid: not JSON \(/,
    );
    expect(await openingError('Serial\nx\n', { columnsPath: unknownTarget })).toBe(
      'unknown-mapping.json: column-mapping-invalid: "Serial" maps to "regId", which is not ' +
        'a manifest column ' +
        '(did you mean registrationId?)',
    );
  });
});

describe('openManifest: reading', () => {
  it(
    'computes the sha256 of the file bytes while streaming, and also when records were not ' +
      'all read',
    async () => {
      const path = fixture('semicolon-bom-crlf.csv');
      const expected = createHash('sha256').update(readFileSync(path)).digest('hex');
      const streamed = await readAll({ path });
      const interrupted = await openManifest({ path });

      expect(streamed.opened.sha256()).toBe(expected);
      expect(interrupted.sha256()).toBe(expected);
    },
  );

  it('lets records be iterated only once', async () => {
    const { opened } = await readAll({ path: fixture('excel-utf8-bom.csv') });

    expect(() => opened.records[Symbol.asyncIterator]()).toThrow(
      'manifest records can be iterated only once',
    );
  });

  it('reads a one-column manifest (a delete list) with the comma assumed', async () => {
    const { opened, records } = await readAll({
      path: writeManifest('registrationId\ngone-1\ngone-2'),
    });

    expect(opened.dialect).toEqual({
      format: 'csv',
      delimiter: ',',
      encoding: 'utf-8',
      bom: false,
      lineEnding: 'LF',
    });
    expect(records.map((record) => [record.line, record.cells])).toEqual([
      [2, ['gone-1']],
      [3, ['gone-2']],
    ]);
  });

  it('reads a file that is only a header as zero records', async () => {
    const { opened, records } = await readAll({ path: writeManifest('registrationId,primaryKey') });

    expect(records).toEqual([]);
    expect(opened.dialect.lineEnding).toBeUndefined();
  });

  it(
    'numbers records by the physical line they start on, across quoted line breaks of ' +
      'every kind',
    async () => {
      const text =
        'registrationId,tags\r\n' +
        'a,"{""x"":\r\n1}"\r\n' +
        '\r\n' +
        'b,"line\nbreak"\r\n' +
        'c,"cr\ronly"\r\n' +
        'd,\r\n';
      const { records } = await readAll({ path: writeManifest(text) });

      expect(records.map((record) => [record.line, record.cells[0]])).toEqual([
        [2, 'a'],
        [5, 'b'],
        [7, 'c'],
        [9, 'd'],
      ]);
    },
  );

  it(
    'accepts headers in any case and with spaces, underscores or dashes, and known ' + 'aliases',
    async () => {
      const { opened, records } = await readAll({
        path: writeManifest(
          'REGISTRATION_ID,Attestation Type,primary-key,EK,Certificate,Status\nx,tpm,,,,\n',
        ),
      });
      const { cellIndex } = records[0]!.layout;

      expect(opened.warnings).toEqual([]);
      expect([
        cellIndex.registrationId,
        cellIndex.attestation,
        cellIndex.primaryKey,
        cellIndex.endorsementKey,
        cellIndex.primaryCertificate,
        cellIndex.provisioningStatus,
      ]).toEqual([0, 1, 2, 3, 4, 5]);
    },
  );

  it(
    'warns about --columns entries that match no header, and ignores columns mapped to ' + 'null',
    async () => {
      const mapping = writeManifest(
        '{"Serial": "registrationId", "Notes": null, "Batch": "tag.batch"}',
        'mapping.json',
      );
      const { opened } = await readAll({
        path: writeManifest('Serial,Notes\nx,y\n'),
        columnsPath: mapping,
      });

      expect(opened.warnings).toEqual([
        'mapping.json Batch: column-mapping-unused: no header of manifest-' +
          opened.path.split('manifest-')[1] +
          " is 'Batch'",
      ]);
    },
  );

  it('reads classic Mac files whose lines end in CR alone', async () => {
    const { opened, records } = await readAll({
      path: writeManifest('registrationId,tags\rmac-1,\r"mac-2",\rmac-3,'),
    });

    expect(opened.dialect.lineEnding).toBe('CR');
    expect(records.map((record) => [record.line, record.cells[0]])).toEqual([
      [2, 'mac-1'],
      [3, 'mac-2'],
      [4, 'mac-3'],
    ]);
  });

  it('stops with a ManifestError naming the line of a record over 1 MB', async () => {
    const path = writeManifest(`registrationId,tags\nsmall,\nhuge,"${'x'.repeat(1_100_000)}"\n`);
    const opened = await openManifest({ path });
    const lines: number[] = [];

    await expect(
      (async () => {
        for await (const record of opened.records) lines.push(record.line);
      })(),
    ).rejects.toThrow(
      /:3 row: record-too-large: the record starting on line 3 is over 1 MB; is a quote left open\?$/,
    );
    expect(lines).toEqual([2]);
  });
});
