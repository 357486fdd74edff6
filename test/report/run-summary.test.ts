import { describe, expect, it } from 'vitest';

import { SummaryBuilder } from '../../src/report/run-summary.js';

describe('SummaryBuilder', () => {
  it('counts every status and folds repeated errors into one kind with its first lines', () => {
    const builder = new SummaryBuilder(new Date('2026-12-04T10:00:00.000Z'));

    for (let line = 2; line < 10_002; line += 1) {
      builder.add({
        line,
        registrationId: `d${line}`,
        status: 'invalid',
        action: 'none',
        attempts: 0,
        errorCode: 'symmetric-key-length',
        message: `line ${line}`,
      });
    }
    builder.add({
      line: 10_002,
      registrationId: 'x',
      status: 'failed',
      action: 'none',
      attempts: 1,
      httpStatus: 200,
      errorCode: 409201,
      message: 'Enrollment already exists.',
    });
    builder.add({
      line: 10_003,
      registrationId: 'y',
      status: 'succeeded',
      action: 'created',
      attempts: 1,
      message: '',
    });

    const summary = builder.build({
      runId: 'r1',
      command: 'run',
      finishedAt: new Date('2026-12-04T10:00:10.000Z'),
      service: { requests: 1, retries: 0, throttled: 0 },
      manifest: { path: 'm.csv', sha256: 'abc' },
      options: {},
      target: 'emulator',
      exitCode: 1,
    });

    expect(summary.counts).toEqual({
      succeeded: 1,
      unchanged: 0,
      valid: 0,
      invalid: 10_000,
      failed: 1,
      pending: 0,
    });
    expect(summary.rows).toBe(10_002);
    expect(summary.durationSeconds).toBe(10);
    expect(summary.rowsPerSecond).toBe(1000.2);
    expect(summary.errorKinds).toEqual([
      {
        code: 'symmetric-key-length',
        status: 'invalid',
        count: 10_000,
        firstLines: [2, 3, 4, 5, 6],
        example: 'line 2',
      },
      {
        code: '409201',
        status: 'failed',
        count: 1,
        firstLines: [10_002],
        example: 'Enrollment already exists.',
      },
    ]);
  });
});
