import { describe, expect, it } from 'vitest';

import type { BenchResults, RunFigures } from '../../src/bench/bench-results.js';
import { renderResults } from '../../src/bench/results-report.js';
import { toSdkEnrollment } from '../../src/bench/sdk-enrollment.js';
import { checkTargets } from '../../src/bench/targets.js';
import { renderMarkdownTable, renderTextTable } from '../../src/bench/text-table.js';

const MEGABYTE = 1024 * 1024;

function runFigures(overrides: Partial<RunFigures>): RunFigures {
  return {
    rows: 60_000,
    wallSeconds: 61,
    rowsPerSecond: 983.6,
    exitCode: 0,
    runSeconds: 60.2,
    requests: 6_000,
    retries: 0,
    throttled: 0,
    counts: { succeeded: 60_000 },
    ...overrides,
  };
}

function results(): BenchResults {
  return {
    plan: 'full',
    startedAt: '2026-12-04T16:00:00.000Z',
    finishedAt: '2026-12-04T16:10:00.000Z',
    durationSeconds: 600,
    machine: {
      cpus: 2,
      cpuModel: 'test cpu',
      memoryTotalBytes: 1024 * MEGABYTE,
      node: 'v20.0.0',
      platform: 'linux 6',
      loadAverageAtStart: 0.5,
    },
    parse: {
      largeRows: 1_000_000,
      largeFileBytes: 280 * MEGABYTE,
      ceiling: { rows: 1_000_000, wallSeconds: 20, rowsPerSecond: 50_000, exitCode: 0 },
      validate: {
        rows: 1_000_000,
        wallSeconds: 40,
        rowsPerSecond: 25_000,
        peakRssBytes: 150 * MEGABYTE,
        exitCode: 0,
      },
      validateShareOfCeiling: 0.5,
      validateSmall: {
        rows: 100_000,
        wallSeconds: 4,
        rowsPerSecond: 25_000,
        peakRssBytes: 100 * MEGABYTE,
        exitCode: 0,
      },
      rssGrowth: 0.5,
    },
    throttled: {
      operationsPerMinute: 6_000,
      burst: 'default',
      runs: [
        {
          label: 'quota given',
          flags: ['--ops-per-minute', '6000'],
          run: runFigures({}),
          ceilingPerSecond: 1_000,
          shareOfCeiling: 0.9836,
          throttledShare: 0,
          emulatorRequests: 6_000,
          emulatorThrottled: 0,
        },
        {
          label: 'adaptive',
          flags: [],
          run: runFigures({
            throttled: 600,
            requests: 6_600,
            counts: { succeeded: 59_990, failed: 10 },
          }),
          ceilingPerSecond: 1_000,
          shareOfCeiling: 0.97,
          throttledShare: 600 / 6_600,
          emulatorRequests: 6_600,
          emulatorThrottled: 600,
        },
      ],
    },
    targets: [],
    errors: [],
  };
}

describe('checkTargets', () => {
  it('checks each measured target of issue 6 and says exactly which are met', () => {
    const checks = checkTargets(results());

    expect(checks.map((check) => [check.name, check.measured, check.met])).toEqual([
      ['validate vs parse ceiling', '50.0%', false],
      ['validate peak RSS, 1,000,000 rows', '150.00 MiB', true],
      ['validate RSS growth, large vs small manifest', '50.0% above', false],
      ['throttled (quota given): share of quota', '98.4%', true],
      ['throttled (quota given): calls answered 429', '0.0%', true],
      ['throttled (quota given): rows not succeeded', '0', true],
      ['throttled (adaptive): share of quota', '97.0%', true],
      ['throttled (adaptive): calls answered 429', '9.1%', false],
      ['throttled (adaptive): rows not succeeded', '10', false],
    ]);
  });

  it('prints a peak RSS a hair under 200 MiB with two decimals, and the limit itself as missed', () => {
    const near = results();
    const parse = near.parse!;
    parse.validate.peakRssBytes = 209_678_336;
    const atLimit = structuredClone(near);
    atLimit.parse!.validate.peakRssBytes = 200 * 1024 * 1024;

    const nearCheck = checkTargets(near)[1];
    const limitCheck = checkTargets(atLimit)[1];

    expect([nearCheck?.target, nearCheck?.measured, nearCheck?.met]).toEqual([
      '< 200 MiB',
      '199.96 MiB',
      true,
    ]);
    expect([limitCheck?.measured, limitCheck?.met]).toEqual(['200.00 MiB', false]);
  });

  it('checks nothing for measurements that were not taken', () => {
    const partial = { ...results(), parse: undefined, throttled: undefined };

    expect(checkTargets(partial)).toEqual([]);
  });
});

describe('renderResults', () => {
  it('renders each measured section and the targets as text tables', () => {
    const bench = results();
    bench.targets = checkTargets(bench);

    const text = renderResults(bench, 'text');

    expect(text).toContain('a. Parse ceiling: 1,000,000 rows, 280.0 MiB of CSV');
    expect(text).toContain('csv-parse alone');
    expect(text).toContain('c. Throttled emulator: 6,000 operations/min');
    expect(text).toContain('Targets of issue 6');
    expect(text).not.toContain('b. End to end');
  });

  it('renders the same sections as Markdown headings and tables', () => {
    const markdown = renderResults(results(), 'markdown');

    expect(markdown).toContain('### a. Parse ceiling');
    expect(markdown).toContain('| measurement | rows | rows/s | wall | peak RSS | CPU |');
  });
});

describe('renderResults, end to end', () => {
  it('shows the run with its state in memory next to the plain one, and how much faster', () => {
    const bench: BenchResults = {
      ...results(),
      parse: undefined,
      throttled: undefined,
      endToEnd: {
        run: runFigures({ rows: 100_000, rowsPerSecond: 1_000, requests: 10_000, cpuShare: 0.3 }),
        emulatorCpuShare: 0.06,
        boundBy: 'neither',
        memoryState: {
          run: runFigures({ rows: 100_000, rowsPerSecond: 2_500, requests: 10_000 }),
          emulatorCpuShare: 0.15,
        },
      },
    };

    const text = renderResults(bench, 'text');

    expect(text).toContain('b. End to end against the standalone emulator, no throttling');
    const lines = text.split('\n');
    expect(lines[3]?.split(/ {2,}/)).toEqual([
      'dps-bulk run',
      '100,000',
      '1,000/s',
      '61.00 s',
      '10,000',
      '0.30',
      '0.06',
    ]);
    expect(lines[4]?.startsWith('dps-bulk run, --state in /dev/shm      100,000     2,500/s')).toBe(
      true,
    );
    expect(text).toContain('the same run goes 2.50× as fast.');
    expect(text).toContain('Neither side keeps a core busy');
  });
});

describe('renderTextTable', () => {
  it('pads the first column left and the others right, under a rule', () => {
    const table = renderTextTable(
      ['name', 'count'],
      [
        ['a', '1'],
        ['longer', '1,000'],
      ],
    );

    expect(table).toBe(
      ['name    count', '------  -----', 'a           1', 'longer  1,000'].join('\n'),
    );
  });
});

describe('renderMarkdownTable', () => {
  it('aligns the first column left and the others right', () => {
    expect(renderMarkdownTable(['name', 'count'], [['a', '1']])).toBe(
      ['| name | count |', '| :--- | ---: |', '| a | 1 |'].join('\n'),
    );
  });
});

describe('toSdkEnrollment', () => {
  it('builds the wire enrollment of a symmetric-key row, without blank cells', () => {
    const enrollment = toSdkEnrollment({
      registrationId: 'unit-0000001',
      deviceId: 'sensor-0000001',
      attestation: 'symmetricKey',
      primaryKey: 'cHJpbWFyeS1rZXktMTYtYnl0ZXM=',
      secondaryKey: 'c2Vjb25kYXJ5LWtleS0xNmJ5dA==',
      endorsementKey: '',
      iotHubs: 'hub-1.azure-devices.net;hub-2.azure-devices.net',
      provisioningStatus: 'enabled',
      tags: '{"site":"plant-1"}',
    });

    expect(enrollment).toEqual({
      registrationId: 'unit-0000001',
      deviceId: 'sensor-0000001',
      attestation: {
        type: 'symmetricKey',
        symmetricKey: {
          primaryKey: 'cHJpbWFyeS1rZXktMTYtYnl0ZXM=',
          secondaryKey: 'c2Vjb25kYXJ5LWtleS0xNmJ5dA==',
        },
      },
      iotHubs: ['hub-1.azure-devices.net', 'hub-2.azure-devices.net'],
      provisioningStatus: 'enabled',
      initialTwin: { tags: { site: 'plant-1' } },
    });
  });

  it('builds a TPM attestation from the endorsement key column', () => {
    const enrollment = toSdkEnrollment({
      registrationId: 'unit-0000010',
      attestation: 'tpm',
      endorsementKey: 'AToAAQ',
    });

    expect(enrollment).toEqual({
      registrationId: 'unit-0000010',
      attestation: { type: 'tpm', tpm: { endorsementKey: 'AToAAQ' } },
    });
  });
});
