import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { checkAll, messagesOf, outcomeOf } from '../manifest/support/read-all.js';

const SAMPLES = fileURLToPath(new URL('../../samples/', import.meta.url));

/** The README table: line → expected status and rule. */
function readmeExpectations(): { line: number; status: string; rule: string }[] {
  const readme = readFileSync(`${SAMPLES}README.md`, 'utf8');
  return [...readme.matchAll(/^\| (\d+) \| (invalid|valid) \| `([^`]+)` \|/gm)].map((match) => ({
    line: Number(match[1]),
    status: match[2] ?? '',
    rule: match[3] ?? '',
  }));
}

describe('samples', () => {
  it('manifest-1000.csv holds 1,000 valid rows mixing the three attestation kinds', async () => {
    const { opened, rows } = await checkAll({ path: `${SAMPLES}manifest-1000.csv` });
    const kinds = new Map<string, number>();

    for (const row of rows) {
      if (row.kind !== 'valid') continue;
      const kind = row.enrollment.attestation.type;
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }

    expect(opened.warnings).toEqual([]);
    expect(rows.map(outcomeOf).filter((outcome) => outcome !== 'valid')).toEqual([]);
    expect(rows).toHaveLength(1000);
    expect(Object.fromEntries(kinds)).toEqual({ symmetricKey: 334, tpm: 333, x509: 333 });
    expect(rows.flatMap((row) => row.warnings)).toEqual([]);
    expect(
      rows.every(
        (row) =>
          row.kind === 'valid' &&
          row.enrollment.iotHubs?.every((hub) => hub.endsWith('.azure-devices.net')),
      ),
    ).toBe(true);
  });

  it('invalid-rows.csv shows, line by line, the status and rule its README lists', async () => {
    const expectations = readmeExpectations();
    const { rows } = await checkAll({ path: `${SAMPLES}invalid-rows.csv` });
    const actual = rows.map((row) => ({
      line: row.line,
      status: row.kind,
      rule: row.kind === 'invalid' ? (row.issues[0]?.rule ?? '') : (row.warnings[0]?.rule ?? '-'),
    }));

    expect(expectations.length).toBeGreaterThan(35);
    expect(actual).toEqual(expectations);
  });

  it('invalid-rows.csv shows each invalid rule at most once', () => {
    const rules = readmeExpectations()
      .filter((expectation) => expectation.status === 'invalid')
      .map((expectation) => expectation.rule);
    const repeated = rules.filter((rule, index) => rules.indexOf(rule) !== index);

    // registration-id-charset shows '@', '/', a non-ASCII letter and a space (issues 2 and 4).
    expect(repeated).toEqual([
      'registration-id-charset',
      'registration-id-charset',
      'registration-id-charset',
    ]);
  });

  it('never puts a key or certificate of invalid-rows.csv into a message', async () => {
    const { records, rows } = await checkAll({ path: `${SAMPLES}invalid-rows.csv` });
    const secretCells = records.flatMap((record) =>
      ['primaryKey', 'secondaryKey', 'endorsementKey', 'primaryCertificate']
        .map((column) => record.cells[record.layout.cellIndex[column as 'primaryKey']] ?? '')
        .filter((value) => value.length >= 8),
    );
    const messages = rows.flatMap((row) => messagesOf(row));

    expect(secretCells.length).toBeGreaterThan(60);
    for (const secret of secretCells) {
      expect(messages.filter((message) => message.includes(secret))).toEqual([]);
    }
  });
});
