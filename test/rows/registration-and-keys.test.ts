import { describe, expect, it } from 'vitest';

import { messagesOf, outcomeOf } from '../manifest/support/read-all.js';
import { checkCsv, csvLine, csvText } from './support/inline-manifest.js';
import { symmetricKey } from './support/material.js';

/** Checks one symmetric-key row with this ID and returns it. */
async function checkId(registrationId: string) {
  const { rows } = await checkCsv(
    `registrationId,primaryKey\n${csvLine([registrationId, symmetricKey()])}\n`,
  );
  return rows[0]!;
}

describe('registration ID rules', () => {
  const cases: [string, string, string | undefined][] = [
    [
      'meter@site12',
      'registration-id-charset',
      "character '@' (U+0040) at position 6 is not allowed",
    ],
    [
      'meter/site13',
      'registration-id-charset',
      "character '/' (U+002F) at position 6 is not allowed",
    ],
    [
      '-meter-site14',
      'registration-id-edge',
      "first character '-' (U+002D) must be a letter or a digit",
    ],
    [
      'meter-site14-',
      'registration-id-edge',
      "last character '-' (U+002D) must be a letter or a digit",
    ],
    ['_x', 'registration-id-edge', "first character '_' (U+005F) must be a letter or a digit"],
    ['x.', 'registration-id-edge', "last character '.' (U+002E) must be a letter or a digit"],
    ['meter:site15.a_b', 'valid', undefined],
    ['x', 'valid', undefined],
    ['7', 'valid', undefined],
    ['a'.repeat(128), 'valid', undefined],
    ['a'.repeat(129), 'registration-id-length', '129 characters; at most 128'],
    [
      'capteur-température-01',
      'registration-id-charset',
      "character 'é' (U+00E9) at position 13 is not ASCII",
    ],
    ['pump 08', 'registration-id-charset', 'character U+0020 at position 5 is whitespace'],
    ['pump\u00a008', 'registration-id-charset', 'character U+00A0 at position 5 is not ASCII'],
    ['pump\t08', 'registration-id-charset', 'character U+0009 at position 5 is whitespace'],
    [
      '8.96529E+19',
      'spreadsheet-number',
      "'8.96529E+19' looks like a number a spreadsheet turned into",
    ],
    ['1.23457e+11', 'spreadsheet-number', 'format the column as Text before exporting'],
  ];

  it.each(cases)('%s → %s', async (registrationId, expected, fragment) => {
    const row = await checkId(registrationId);

    expect(outcomeOf(row)).toBe(expected);
    if (fragment !== undefined) {
      expect(messagesOf(row)[0]).toContain(`registrationId: ${expected}: `);
      expect(messagesOf(row)[0]).toContain(fragment);
    }
  });

  it('says a blank registration ID is missing, and reports the row with an empty ID', async () => {
    const { rows } = await checkCsv(`registrationId,primaryKey\n,${symmetricKey()}\n`);

    expect(rows[0]?.registrationId).toBe('');
    expect(messagesOf(rows[0]!)).toEqual([
      expect.stringMatching(
        new RegExp(
          String.raw`^manifest-\d+\.csv:2:1 registrationId: registration-id-missing: ` +
            'the cell is blank; every row needs one$',
        ),
      ),
    ]);
  });

  it(
    'marks every later copy of an ID, compared ignoring case, as a duplicate of the first ' +
      'line',
    async () => {
      const { rows } = await checkCsv(
        `registrationId,primaryKey\nSensor-A01,${symmetricKey()}\nother,${symmetricKey()}\n` +
          `sensor-a01,${symmetricKey()}\nSENSOR-A01,${symmetricKey()}\n`,
      );

      expect(rows.map(outcomeOf)).toEqual([
        'valid',
        'valid',
        'registration-id-duplicate',
        'registration-id-duplicate',
      ]);
      expect(messagesOf(rows[3]!)[0]).toContain(
        "'SENSOR-A01' is a duplicate of line 2 (IDs compare case-insensitively)",
      );
    },
  );

  it('warns about upper case only when no deviceId is given', async () => {
    const { rows } = await checkCsv(
      csvText(
        'registrationId,deviceId,primaryKey',
        `Sensor-B01,,${symmetricKey()}`,
        `Sensor-B02,sensor-b02,${symmetricKey()}`,
      ),
    );

    expect(rows.map((row) => row.warnings.map((warning) => warning.rule))).toEqual([
      ['registration-id-case'],
      [],
    ]);
  });

  it('keeps the ID as written (case and all) in the enrollment', async () => {
    const row = await checkId('Meter-Site-77');

    expect(row.kind === 'valid' && row.enrollment.registrationId).toBe('Meter-Site-77');
  });
});

describe('symmetric key rules', () => {
  /** Checks one row with this primaryKey. */
  async function checkKey(primaryKey: string, strict = false) {
    const { rows } = await checkCsv(
      `registrationId,attestation,primaryKey\nkey-device,symmetricKey,${primaryKey}\n`,
      { strict },
    );
    return rows[0]!;
  }

  const random = symmetricKey(12);
  const cases: [string, string, string, string | undefined][] = [
    ['a 64-byte key (88 characters)', 'valid', symmetricKey(64), undefined],
    ['a 16-byte key', 'valid', symmetricKey(16), undefined],
    ['a 32-byte key', 'valid', symmetricKey(32), undefined],
    [
      'a 12-byte key',
      'symmetric-key-size',
      random,
      'decodes to 12 bytes (length 16); a key is 16 to 64 bytes',
    ],
    ['a 15-byte key', 'symmetric-key-size', symmetricKey(15), 'decodes to 15 bytes (length 20)'],
    ['a 65-byte key', 'symmetric-key-size', symmetricKey(65), 'decodes to 65 bytes (length 88)'],
    [
      'a key with *',
      'symmetric-key-base64',
      `${symmetricKey(32).slice(0, 10)}*${symmetricKey(32).slice(11)}`,
      'not base64: character U+002A at position 11 of 44',
    ],
    [
      'a key without padding',
      'symmetric-key-base64',
      symmetricKey(32).replace(/=+$/, ''),
      'not base64: 43 characters, which is not a multiple of 4',
    ],
    [
      'a base64url key',
      'symmetric-key-base64',
      'ab-d'.repeat(8),
      '(base64url alphabet; use + and / instead of - and _)',
    ],
    [
      'a key with = inside',
      'symmetric-key-base64',
      `${'A'.repeat(20)}=${'A'.repeat(23)}`,
      "('=' is only allowed at the end)",
    ],
    [
      'a key whose last character sets unused bits',
      'symmetric-key-base64',
      `${'A'.repeat(42)}B=`,
      'not strict base64',
    ],
  ];

  it.each(cases)('%s → %s', async (_, expected, primaryKey, fragment) => {
    const row = await checkKey(primaryKey);

    expect(outcomeOf(row)).toBe(expected);
    if (fragment !== undefined) {
      expect(messagesOf(row)[0]).toContain(`primaryKey: ${expected}: `);
      expect(messagesOf(row)[0]).toContain(fragment);
    }

    for (const message of messagesOf(row)) expect(message).not.toContain(primaryKey);
  });

  it('accepts a row with no keys and warns that the service generates them', async () => {
    const { rows } = await checkCsv(
      'registrationId,attestation,primaryKey,secondaryKey\nno-keys,symmetricKey,,\n',
    );
    const row = rows[0]!;

    expect(row.kind === 'valid' && row.enrollment.attestation).toEqual({
      symmetricKey: {},
      type: 'symmetricKey',
    });
    expect(row.warnings.map((warning) => warning.rule)).toEqual(['symmetric-key-generated']);
  });

  it(
    'sends the keys with the wire spelling of the attestation, whatever case the cell ' + 'used',
    async () => {
      const primaryKey = symmetricKey();
      const secondaryKey = symmetricKey();
      const { rows } = await checkCsv(
        csvText(
          'registrationId,attestation,primaryKey,secondaryKey',
          `wire-1,SYMMETRICKEY,${primaryKey},${secondaryKey}`,
        ),
      );

      expect(rows[0]?.kind === 'valid' && rows[0].enrollment.attestation).toEqual({
        symmetricKey: { primaryKey, secondaryKey },
        type: 'symmetricKey',
      });
    },
  );

  it('warns when a key appears on two rows, and fails the later row under --strict', async () => {
    const shared = symmetricKey();
    const text = `registrationId,primaryKey,secondaryKey\nfirst,${shared},\nsecond,,${shared}\n`;
    const loose = await checkCsv(text);
    const strict = await checkCsv(text, { strict: true });

    expect(loose.rows.map(outcomeOf)).toEqual(['valid', 'valid']);
    expect(messagesOf(loose.rows[1]!)).toEqual([
      expect.stringContaining(
        ':3:3 secondaryKey: secret-repeated: the same key is on line 2 (primaryKey); an ' +
          'error under --strict',
      ),
    ]);
    expect(strict.rows.map(outcomeOf)).toEqual(['valid', 'secret-repeated']);
    for (const message of messagesOf(strict.rows[1]!)) expect(message).not.toContain(shared);
  });

  it('notes the same key in primaryKey and secondaryKey of one row', async () => {
    const shared = symmetricKey();
    const { rows } = await checkCsv(
      `registrationId,primaryKey,secondaryKey\nsame,${shared},${shared}\n`,
    );

    expect(messagesOf(rows[0]!)).toEqual([
      expect.stringContaining(
        'secondaryKey: secret-repeated: primaryKey and secondaryKey hold the same key',
      ),
    ]);
  });
});

describe('attestation kind', () => {
  it('lists the allowed values when the attestation is none of them', async () => {
    const { rows } = await checkCsv(
      `registrationId,attestation,primaryKey\nsas-1,sas,${symmetricKey()}\n`,
    );

    expect(messagesOf(rows[0]!)[0]).toContain(
      "attestation: attestation-value: found 'sas'; allowed: symmetricKey, tpm, x509",
    );
  });

  it('infers the kind from the material when the attestation cell is blank', async () => {
    const { rows } = await checkCsv(
      `registrationId,attestation,primaryKey\ninferred,,${symmetricKey()}\n`,
    );

    expect(rows[0]?.kind === 'valid' && rows[0].enrollment.attestation.type).toBe('symmetricKey');
  });

  it('refuses a blank attestation with material of two kinds', async () => {
    const { rows } = await checkCsv(
      `registrationId,primaryKey,primaryCertificate\nboth,${symmetricKey()},certs/x.pem\n`,
    );

    expect(messagesOf(rows[0]!)[0]).toContain(
      'attestation: attestation-ambiguous: the cell is blank and the row has material for ' +
        'symmetricKey and x509; say which',
    );
  });

  it('warns that material of another kind is not sent', async () => {
    const { rows } = await checkCsv(
      csvText(
        'registrationId,attestation,primaryKey,primaryCertificate',
        `extra,symmetricKey,${symmetricKey()},whatever`,
      ),
    );

    expect(rows[0]?.kind).toBe('valid');
    expect(messagesOf(rows[0]!)).toEqual([
      expect.stringContaining(
        'primaryCertificate: attestation-material-ignored: not sent: the attestation is ' +
          'symmetricKey',
      ),
    ]);
  });
});

describe('modes that only need the ID', () => {
  it('accepts a delete manifest with only registration IDs, without warnings', async () => {
    const { rows } = await checkCsv('registrationId\nold-device-1\nold-device-2\n', {
      mode: 'delete',
    });

    expect(rows.map((row) => [row.kind, row.warnings.length])).toEqual([
      ['valid', 0],
      ['valid', 0],
    ]);
    expect(rows[0]?.kind === 'valid' && rows[0].enrollment).toEqual({
      attestation: { type: 'none' },
      registrationId: 'old-device-1',
    });
  });

  it('still checks material that a delete or disable row carries', async () => {
    const { rows } = await checkCsv(`registrationId,primaryKey\nold-device,${symmetricKey(8)}\n`, {
      mode: 'disable',
    });

    expect(outcomeOf(rows[0]!)).toBe('symmetric-key-size');
  });

  it(
    'accepts a tpm row without an endorsement key in delete mode, not in create ' + 'mode',
    async () => {
      const text = 'registrationId,attestation,endorsementKey\nold-tpm,tpm,\n';
      const deleting = await checkCsv(text, { mode: 'delete' });
      const creating = await checkCsv(text, { mode: 'create' });

      expect(deleting.rows[0]?.kind === 'valid' && deleting.rows[0].enrollment.attestation).toEqual(
        {
          type: 'tpm',
        },
      );
      expect(messagesOf(creating.rows[0]!)[0]).toContain(
        'endorsementKey: attestation-material-missing: attestation tpm needs endorsementKey; ' +
          'the cell is blank',
      );
    },
  );
});
