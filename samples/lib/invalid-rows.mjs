/**
 * The rows of samples/invalid-rows.csv: each validation rule shown once, plus rows that pass
 * with a warning. Each entry says which rule its line shows, so the README table and the test
 * that checks the file come from this one list.
 */
import { randomBytes } from 'node:crypto';

import { buildSelfSignedCertificate } from './x509-builder.mjs';
import { newTpmPublicBase64 } from './tpm-public-builder.mjs';

export const INVALID_ROWS_HEADER = [
  'registrationId',
  'deviceId',
  'attestation',
  'primaryKey',
  'secondaryKey',
  'endorsementKey',
  'primaryCertificate',
  'primaryCaReference',
  'iotHubs',
  'provisioningStatus',
  'allocationPolicy',
  'webhookUrl',
  'webhookApiVersion',
  'iotEdge',
  'tags',
  'tag.site',
];

function key(bytes = 32) {
  return randomBytes(bytes).toString('base64');
}

function csvCell(value) {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One manifest line from named cells; symmetric-key rows by default. */
function line(cells, extraCells = []) {
  const all = { attestation: 'symmetricKey', ...cells };
  return [...INVALID_ROWS_HEADER.map((column) => csvCell(all[column] ?? '')), ...extraCells].join(
    ',',
  );
}

function certificate(commonName, options = {}) {
  return buildSelfSignedCertificate({ commonName, organization: 'dps-bulk samples', ...options })
    .base64;
}

/** An endorsement key whose size prefix is two bytes short of what follows. */
function endorsementKeyWithWrongSize() {
  const bytes = Buffer.from(newTpmPublicBase64('ecc'), 'base64');
  bytes.writeUInt16BE(bytes.length - 4, 0);
  return bytes.toString('base64');
}

/** Entries: { line, expect: 'invalid' | 'valid', rule, shows }. */
export function buildInvalidRows() {
  const repeatedKey = key();
  const keys = () => ({ primaryKey: key(), secondaryKey: key() });
  const invalid = (rule, shows, cells, extra) => ({
    line: line(cells, extra),
    expect: 'invalid',
    rule,
    shows,
  });
  const warns = (rule, shows, cells) => ({ line: line(cells), expect: 'valid', rule, shows });

  return [
    invalid('registration-id-charset', "`meter@site12`: '@' (U+0040) at position 6", {
      registrationId: 'meter@site12',
      ...keys(),
    }),
    invalid('registration-id-charset', "`meter/site13`: '/' (U+002F) at position 6", {
      registrationId: 'meter/site13',
      ...keys(),
    }),
    invalid(
      'registration-id-edge',
      '`-meter-site14`: the first character must be a letter or digit',
      { registrationId: '-meter-site14', ...keys() },
    ),
    {
      line: line({ registrationId: 'meter:site15.a_b', primaryKey: repeatedKey }),
      expect: 'valid',
      rule: '-',
      shows: '`meter:site15.a_b`: `:` `.` `_` are allowed inside an ID',
    },
    invalid(
      'registration-id-charset',
      '`capteur-température-01`: U+00E9 at position 13 is not ASCII',
      { registrationId: 'capteur-température-01', ...keys() },
    ),
    invalid('registration-id-charset', '`pump 08`: U+0020 at position 5 is whitespace', {
      registrationId: 'pump 08',
      ...keys(),
    }),
    invalid('spreadsheet-number', '`8.96529E+19`: an ID a spreadsheet turned into a number', {
      registrationId: '8.96529E+19',
      ...keys(),
    }),
    invalid('registration-id-length', 'an ID of 129 characters', {
      registrationId: `m${'0'.repeat(127)}1`,
      ...keys(),
    }),
    invalid('registration-id-missing', 'a blank registrationId', { ...keys() }),
    warns('registration-id-case', '`Sensor-A01`: upper case and no deviceId (valid)', {
      registrationId: 'Sensor-A01',
      ...keys(),
    }),
    invalid('registration-id-duplicate', '`sensor-a01`: duplicate of line 11 (IDs ignore case)', {
      registrationId: 'sensor-a01',
      ...keys(),
    }),
    invalid('symmetric-key-base64', 'a primaryKey with `*` in it: not base64', {
      registrationId: 'meter-site17',
      primaryKey: `${key().slice(0, 20)}*${key().slice(21)}`,
    }),
    invalid('symmetric-key-size', 'a primaryKey of 12 bytes (16 to 64 allowed)', {
      registrationId: 'meter-site18',
      primaryKey: key(12),
    }),
    warns('symmetric-key-generated', 'no keys: the service generates them', {
      registrationId: 'meter-site19',
    }),
    warns('secret-repeated', 'the primaryKey of line 5 again (an error under --strict)', {
      registrationId: 'meter-site20',
      primaryKey: repeatedKey,
    }),
    invalid('attestation-value', 'attestation `sas`: not one of symmetricKey, tpm, x509', {
      registrationId: 'meter-site21',
      attestation: 'sas',
      ...keys(),
    }),
    invalid('attestation-ambiguous', 'blank attestation with keys and an endorsement key', {
      registrationId: 'meter-site22',
      attestation: '',
      ...keys(),
      endorsementKey: newTpmPublicBase64('ecc'),
    }),
    invalid('attestation-material-missing', 'attestation tpm without an endorsementKey', {
      registrationId: 'meter-site23',
      attestation: 'tpm',
    }),
    invalid('tpm-key-base64', 'an endorsementKey that is not base64', {
      registrationId: 'meter-site24',
      attestation: 'tpm',
      endorsementKey: 'not-a-key!',
    }),
    invalid('tpm-key-structure', 'a TPM2B_PUBLIC whose size prefix does not match', {
      registrationId: 'meter-site25',
      attestation: 'tpm',
      endorsementKey: endorsementKeyWithWrongSize(),
    }),
    warns('attestation-material-ignored', 'symmetricKey attestation with an endorsementKey too', {
      registrationId: 'meter-site26',
      ...keys(),
      endorsementKey: newTpmPublicBase64('ecc'),
    }),
    invalid('x509-certificate-parse', 'a primaryCertificate that is base64 but no certificate', {
      registrationId: 'meter-site27',
      attestation: 'x509',
      primaryCertificate: 'AAAABBBBCCCC',
    }),
    invalid('x509-certificate-expired', 'a certificate that expired in 2021', {
      registrationId: 'meter-site28',
      attestation: 'x509',
      primaryCertificate: certificate('meter-site28', {
        notBefore: new Date('2001-01-01T00:00:00Z'),
        notAfter: new Date('2021-01-01T00:00:00Z'),
      }),
    }),
    warns('x509-certificate-not-yet-valid', 'a certificate valid only from 2090', {
      registrationId: 'meter-site29',
      attestation: 'x509',
      primaryCertificate: certificate('meter-site29', {
        notBefore: new Date('2090-01-01T00:00:00Z'),
      }),
    }),
    warns('x509-certificate-cn-mismatch', 'a certificate whose CN is another device', {
      registrationId: 'meter-site30',
      attestation: 'x509',
      primaryCertificate: certificate('meter-site99'),
    }),
    invalid('x509-attestation-conflict', 'a client certificate and a CA reference together', {
      registrationId: 'meter-site31',
      attestation: 'x509',
      primaryCertificate: certificate('meter-site31'),
      primaryCaReference: 'factory-ca',
    }),
    invalid('twin-json', '`tags` that is not JSON', {
      registrationId: 'meter-site32',
      ...keys(),
      tags: '{site: lyon}',
    }),
    invalid('twin-key', '`tags` with a key starting with `$`', {
      registrationId: 'meter-site33',
      ...keys(),
      tags: '{"$site":"lyon"}',
    }),
    invalid('twin-key-conflict', '`tags` and `tag.site` both set `site`', {
      registrationId: 'meter-site34',
      ...keys(),
      tags: '{"site":"lyon"}',
      'tag.site': 'porto',
    }),
    invalid('twin-size', '`tags` of more than 8 KB', {
      registrationId: 'meter-site35',
      ...keys(),
      tags: JSON.stringify({ notes: 'x'.repeat(9000) }),
    }),
    invalid('provisioning-status-value', 'provisioningStatus `on`', {
      registrationId: 'meter-site36',
      ...keys(),
      provisioningStatus: 'on',
    }),
    invalid('allocation-policy-value', 'allocationPolicy `random`', {
      registrationId: 'meter-site37',
      ...keys(),
      allocationPolicy: 'random',
    }),
    invalid('custom-allocation-incomplete', 'allocationPolicy custom without a webhook', {
      registrationId: 'meter-site38',
      ...keys(),
      allocationPolicy: 'custom',
    }),
    invalid('webhook-url', 'a webhook on http, not https', {
      registrationId: 'meter-site39',
      ...keys(),
      allocationPolicy: 'custom',
      webhookUrl: 'http://allocator.example.com/api/allocate',
      webhookApiVersion: '2021-10-01',
    }),
    invalid('webhook-api-version', 'a webhook api-version older than 2018-09-01-preview', {
      registrationId: 'meter-site40',
      ...keys(),
      allocationPolicy: 'custom',
      webhookUrl: 'https://allocator.example.com/api/allocate',
      webhookApiVersion: '2017-11-15',
    }),
    invalid('boolean-value', 'iotEdge `maybe`', {
      registrationId: 'meter-site41',
      ...keys(),
      iotEdge: 'maybe',
    }),
    invalid('device-id-charset', 'deviceId `pump#09`', {
      registrationId: 'meter-site42',
      deviceId: 'pump#09',
      ...keys(),
    }),
    invalid('iot-hub-host-name', 'iotHubs given as a URL', {
      registrationId: 'meter-site43',
      ...keys(),
      iotHubs: 'https://hub-a.azure-devices.net',
    }),
    invalid(
      'field-count',
      'one field more than the header',
      { registrationId: 'meter-site44', ...keys() },
      ['surplus'],
    ),
    invalid('encoding-invalid', 'a byte that is not UTF-8 (é in Windows-1252)', {
      registrationId: 'meter-site45',
      ...keys(),
      tags: '{"site":"Lyon-V<E9>nissieux"}',
    }),
    warns('whitespace-trimmed', 'an unquoted ID with spaces around it', {
      registrationId: '  meter-site46  ',
      ...keys(),
    }),
  ];
}
