import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import type { RowOutcome } from '../../src/outcomes/index.js';
import { ResultsWriter } from '../../src/report/results-writer.js';

function outcome(
  line: number,
  registrationId: string,
  overrides: Partial<RowOutcome> = {},
): RowOutcome {
  return {
    line,
    registrationId,
    status: 'succeeded',
    action: 'created',
    attempts: 1,
    httpStatus: 200,
    message: '',
    ...overrides,
  };
}

describe('ResultsWriter', () => {
  it('writes rows in manifest order even when outcomes arrive out of order', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'results-')), 'results.csv');
    const writer = new ResultsWriter(path);

    for (const line of [2, 3, 5, 6]) writer.expect(line);
    writer.record(outcome(5, 'dev-c'));
    writer.record(
      outcome(3, 'dev-b', {
        status: 'invalid',
        action: 'none',
        attempts: 0,
        httpStatus: undefined,
        errorCode: 'registration-id-charset',
        message: 'has "quotes", and a comma',
      }),
    );
    expect(writer.written).toBe(0);

    writer.record(outcome(2, 'dev-a'));
    expect(writer.written).toBe(3);
    expect(writer.undecidedLines()).toEqual([6]);

    writer.record(
      outcome(6, 'dev-d', {
        status: 'failed',
        errorCode: 409201,
        httpStatus: 200,
        message: 'Enrollment already exists.',
      }),
    );
    await writer.close();

    expect(readFileSync(path, 'utf8')).toBe(
      'line,registrationId,status,action,attempts,httpStatus,errorCode,message\n' +
        '2,dev-a,succeeded,created,1,200,,\n' +
        '3,dev-b,invalid,none,0,,registration-id-charset,"has ""quotes"", and a comma"\n' +
        '5,dev-c,succeeded,created,1,200,,\n' +
        '6,dev-d,failed,created,1,200,409201,Enrollment already exists.\n',
    );
  });

  it('refuses a second outcome for the same line', () => {
    const writer = new ResultsWriter(join(mkdtempSync(join(tmpdir(), 'results-')), 'results.csv'));
    writer.expect(2);
    writer.expect(3);
    writer.record(outcome(3, 'dev-b'));

    expect(() => writer.record(outcome(3, 'dev-b'))).toThrow('line 3 received a second outcome');
  });

  it('refuses to close while a row has no outcome', async () => {
    const writer = new ResultsWriter(join(mkdtempSync(join(tmpdir(), 'results-')), 'results.csv'));
    writer.expect(2);

    await expect(writer.close()).rejects.toThrow('closing results with 1 undecided rows');
  });
});
