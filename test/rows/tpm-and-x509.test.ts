import { generateKeyPairSync, randomBytes } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { checkTpmPublic } from '../../src/rows/tpm-public.js';
import { messagesOf, outcomeOf } from '../manifest/support/read-all.js';
import { checkCsv, csvLine, csvText } from './support/inline-manifest.js';
import {
  buildSelfSignedCertificate,
  certificateBase64,
  eccEndorsementKey,
  eccTpmPublic,
  rsaEndorsementKey,
  rsaTpmPublic,
} from './support/material.js';

/** A copy of `bytes` with `edit` applied. */
function edited(bytes: Buffer, edit: (copy: Buffer) => void): Buffer {
  const copy = Buffer.from(bytes);
  edit(copy);
  return copy;
}

describe('TPM2B_PUBLIC structure check', () => {
  const rsa = rsaEndorsementKey();
  const ecc = eccEndorsementKey();

  it('accepts RSA 2048 and ECC P-256 endorsement keys and storage root keys', () => {
    expect(checkTpmPublic(rsa)).toEqual({ type: 'RSA', keyBits: 2048 });
    expect(checkTpmPublic(ecc)).toEqual({ type: 'ECC', keyBits: 256 });
    expect(checkTpmPublic(rsaTpmPublic(randomBytes(256), 'srk'))).toEqual({
      type: 'RSA',
      keyBits: 2048,
    });
    expect(checkTpmPublic(eccTpmPublic(randomBytes(32), randomBytes(32), 'srk'))).toEqual({
      type: 'ECC',
      keyBits: 256,
    });
  });

  it(
    'starts like the EKs of Microsoft samples (size 0x013A, RSA, SHA-256, attributes ' +
      '0x000300B2)',
    () => {
      expect(rsa.length).toBe(316);
      expect(rsa.toString('base64').startsWith('AToAAQALAAMAsgAg')).toBe(true);
    },
  );

  const cases: [string, Buffer, string][] = [
    [
      'a size prefix that does not match',
      edited(rsa, (copy) => copy.writeUInt16BE(300, 0)),
      'TPM2B_PUBLIC size prefix says 300 bytes but 314 follow (decoded 316 bytes, starts 01 ' +
        '2c 00 01 00 0b)',
    ],
    [
      'a keyedHash object',
      edited(ecc, (copy) => copy.writeUInt16BE(0x0008, 2)),
      'type 0x0008 is not RSA (0x0001) or ECC (0x0023)',
    ],
    [
      'a structure cut after nameAlg',
      Buffer.from([0x00, 0x04, 0x00, 0x01, 0x00, 0x0b]),
      'objectAttributes at offset 6 runs past the end',
    ],
    [
      'bytes after the structure',
      Buffer.concat([
        edited(ecc, (copy) => copy.writeUInt16BE(ecc.length, 0)),
        Buffer.from([0, 0]),
      ]),
      '2 bytes follow the end of the structure',
    ],
    [
      'an RSA modulus shorter than keyBits',
      edited(rsa, (copy) => copy.writeUInt16BE(4096, 2 + 2 + 2 + 4 + 2 + 32 + 6 + 2)),
      'RSA modulus has 2048 bits but keyBits says 4096',
    ],
    ['two bytes', Buffer.from([0x00, 0x00]), 'too short for a TPM2B_PUBLIC'],
  ];

  it.each(cases)('refuses %s', (_, bytes, expected) => {
    expect(checkTpmPublic(bytes)).toContain(expected);
  });
});

describe('TPM rows', () => {
  it('sends the endorsement key and the storage root key as given', async () => {
    const endorsementKey = rsaEndorsementKey().toString('base64');
    const storageRootKey = rsaTpmPublic(randomBytes(256), 'srk').toString('base64');
    const { rows } = await checkCsv(
      csvText(
        'registrationId,attestation,endorsementKey,storageRootKey',
        `tpm-1,TPM,${endorsementKey},${storageRootKey}`,
      ),
    );

    expect(rows[0]?.kind === 'valid' && rows[0].enrollment.attestation).toEqual({
      tpm: { endorsementKey, storageRootKey },
      type: 'tpm',
    });
  });

  it('names the column, the rule and the shape of a bad key, never its value', async () => {
    const bad = edited(eccEndorsementKey(), (copy) => copy.writeUInt16BE(0x0025, 2)).toString(
      'base64',
    );
    const { rows } = await checkCsv(
      csvText(
        'registrationId,attestation,endorsementKey,storageRootKey',
        `tpm-2,tpm,${eccEndorsementKey().toString('base64')},${bad}`,
      ),
    );
    const message = messagesOf(rows[0]!)[0]!;

    expect(message).toMatch(
      new RegExp(
        String.raw`:2:4 storageRootKey: tpm-key-structure: type 0x0025 is not RSA \(0x0001\) ` +
          String.raw`or ECC \(0x0023\) \(decoded 124 bytes, starts 00 7a 00 25 00 0b\)$`,
      ),
    );
    expect(message).not.toContain(bad);
  });

  it(
    'refuses an endorsement key that is not base64, such as the "a" of an old SDK ' + 'sample',
    async () => {
      const { rows } = await checkCsv('registrationId,attestation,endorsementKey\ntpm-3,tpm,a\n');

      expect(messagesOf(rows[0]!)[0]).toContain(
        'endorsementKey: tpm-key-base64: not base64: 1 characters, which is not a multiple of 4',
      );
    },
  );

  it('reports an endorsement key found on two rows', async () => {
    const endorsementKey = eccEndorsementKey().toString('base64');
    const { rows } = await checkCsv(
      csvText(
        'registrationId,attestation,endorsementKey',
        `chip-1,tpm,${endorsementKey}`,
        `chip-2,tpm,${endorsementKey}`,
      ),
    );

    expect(messagesOf(rows[1]!)).toEqual([
      expect.stringContaining(
        'endorsementKey: secret-repeated: the same endorsement key is on line 2 (endorsementKey)',
      ),
    ]);
  });
});

describe('X.509 rows', () => {
  /** Checks one x509 row whose primaryCertificate is `certificate`. */
  async function checkCertificate(
    certificate: string,
    registrationId = 'cam-0001',
    now?: () => Date,
  ) {
    const { rows } = await checkCsv(
      csvText(
        'registrationId,attestation,primaryCertificate',
        csvLine([registrationId, 'x509', certificate]),
      ),
      now === undefined ? {} : { now },
    );
    return rows[0]!;
  }

  it(
    'accepts PEM text and base64 DER, and sends them as a PEM block or compact ' + 'base64',
    async () => {
      const built = buildSelfSignedCertificate({ commonName: 'cam-0001' });
      const fromPem = await checkCertificate(built.pem.replace(/\n/g, '\r\n'));
      const fromDer = await checkCertificate(built.base64);

      expect(fromPem.kind === 'valid' && fromPem.enrollment.attestation).toEqual({
        type: 'x509',
        x509: { clientCertificates: { primary: { certificate: built.pem.trimEnd() } } },
      });
      expect(
        fromDer.kind === 'valid' &&
          fromDer.enrollment.attestation.x509?.clientCertificates?.primary,
      ).toEqual({
        certificate: built.base64,
      });
      expect([...fromPem.warnings, ...fromDer.warnings]).toEqual([]);
    },
  );

  it(
    'refuses an expired certificate, giving the date, and checks against the given ' + 'clock',
    async () => {
      const certificate = certificateBase64('cam-0001', {
        notBefore: new Date('2020-01-01T00:00:00Z'),
        notAfter: new Date('2030-06-01T00:00:00Z'),
      });
      const today = await checkCertificate(
        certificate,
        'cam-0001',
        () => new Date('2026-01-01T00:00:00Z'),
      );
      const later = await checkCertificate(
        certificate,
        'cam-0001',
        () => new Date('2031-01-01T00:00:00Z'),
      );

      expect(outcomeOf(today)).toBe('valid');
      expect(messagesOf(later)[0]).toContain(
        'primaryCertificate: x509-certificate-expired: the certificate expired on ' +
          '2030-06-01T00:00:00.000Z',
      );
    },
  );

  it(
    'warns about a certificate not valid yet, a CN that is not the ID, and a CA ' + 'certificate',
    async () => {
      const notYet = await checkCertificate(
        certificateBase64('cam-0001', { notBefore: new Date('2090-01-01T00:00:00Z') }),
      );
      const otherName = await checkCertificate(certificateBase64('cam-0099'));
      const authority = await checkCertificate(
        certificateBase64('cam-0001', { isAuthority: true }),
      );

      expect(
        [notYet, otherName, authority].map((row) => [
          row.kind,
          row.warnings.map((warning) => warning.rule),
        ]),
      ).toEqual([
        ['valid', ['x509-certificate-not-yet-valid']],
        ['valid', ['x509-certificate-cn-mismatch']],
        ['valid', ['x509-certificate-ca']],
      ]);
      expect(messagesOf(notYet)[0]).toContain(
        'the certificate is valid only from 2090-01-01T00:00:00.000Z',
      );
    },
  );

  it('compares the CN with the registration ID ignoring case', async () => {
    const row = await checkCertificate(certificateBase64('CAM-0001'));

    expect(row.warnings).toEqual([]);
  });

  it('refuses a private key pasted in place of a certificate, without echoing it', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const row = await checkCertificate(pem);
    const message = messagesOf(row)[0]!;

    expect(message).toMatch(
      new RegExp(
        String.raw`primaryCertificate: x509-private-key: PEM text of \d+ characters holds a ` +
          'PRIVATE KEY block; never put private keys in a manifest$',
      ),
    );
    expect(message).not.toContain(pem.split('\n')[1]);
  });

  it('refuses text that is neither PEM nor base64 DER of a certificate', async () => {
    const notBase64 = await checkCertificate('hello world!');
    const notCertificate = await checkCertificate(
      Buffer.from('not a certificate at all').toString('base64'),
    );

    expect(messagesOf(notBase64)[0]).toContain(
      'x509-certificate-parse: neither PEM nor base64 DER: not base64: character U+0021 at ' +
        'position 11 of 11',
    );
    expect(messagesOf(notCertificate)[0]).toContain(
      'x509-certificate-parse: base64 DER of 24 bytes does not parse as an X.509 certificate',
    );
  });

  it('sends only the first certificate of a PEM chain, with a warning', async () => {
    const device = buildSelfSignedCertificate({ commonName: 'cam-0001' });
    const issuer = buildSelfSignedCertificate({ commonName: 'issuer', isAuthority: true });
    const row = await checkCertificate(`${device.pem}${issuer.pem}`);

    expect(
      row.kind === 'valid' &&
        row.enrollment.attestation.x509?.clientCertificates?.primary?.certificate,
    ).toBe(device.pem.trimEnd());
    expect(row.warnings.map((warning) => warning.message)).toEqual([
      expect.stringContaining(
        'x509-certificate-chain: 1 more certificate(s) after the first; only the first is sent',
      ),
    ]);
  });

  it('takes a secondary certificate, and needs a primary one with it', async () => {
    const primary = certificateBase64('cam-0002');
    const secondary = certificateBase64('cam-0002');
    const { rows } = await checkCsv(
      'registrationId,attestation,primaryCertificate,secondaryCertificate\n' +
        `cam-0002,x509,${primary},${secondary}\ncam-0003,x509,,${certificateBase64('cam-0003')}\n`,
    );

    expect(rows[0]?.kind === 'valid' && rows[0].enrollment.attestation.x509).toEqual({
      clientCertificates: {
        primary: { certificate: primary },
        secondary: { certificate: secondary },
      },
    });
    expect(messagesOf(rows[1]!)[0]).toContain(
      'primaryCertificate: attestation-material-missing: attestation x509 needs ' +
        'primaryCertificate; the cell is blank',
    );
  });

  it('takes CA references instead of certificates, but not both', async () => {
    const { rows } = await checkCsv(
      'registrationId,attestation,primaryCertificate,primaryCaReference,secondaryCaReference\n' +
        'cam-0004,x509,,root-ca,backup-ca\n' +
        `cam-0005,x509,${certificateBase64('cam-0005')},root-ca,\n`,
    );

    expect(rows[0]?.kind === 'valid' && rows[0].enrollment.attestation).toEqual({
      type: 'x509',
      x509: { caReferences: { primary: 'root-ca', secondary: 'backup-ca' } },
    });
    expect(rows[0]?.warnings.map((warning) => warning.rule)).toEqual([
      'x509-ca-reference-individual',
    ]);
    expect(outcomeOf(rows[1]!)).toBe('x509-attestation-conflict');
  });

  it('reports a certificate found on two rows', async () => {
    const certificate = certificateBase64('cam-0006');
    const { rows } = await checkCsv(
      csvText(
        'registrationId,attestation,primaryCertificate',
        `cam-0006,x509,${certificate}`,
        `cam-0007,x509,${certificate}`,
      ),
    );

    expect(rows[1]?.warnings.map((warning) => warning.message)).toEqual([
      expect.stringContaining('x509-certificate-cn-mismatch'),
      expect.stringContaining(
        'primaryCertificate: secret-repeated: the same certificate is on line 2 ' +
          '(primaryCertificate)',
      ),
    ]);
  });
});
