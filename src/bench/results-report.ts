/**
 * The bench's results as tables: one per measurement of issue 6 item 3, then the targets. The
 * same sections render as text for the terminal or as Markdown for docs/performance.md.
 */
import type {
  BenchResults,
  EndToEndResults,
  ProcessFigures,
  RunFigures,
  ThrottledRun,
} from './bench-results.js';
import {
  formatCount,
  formatGigabytes,
  formatMegabytes,
  formatPercent,
  formatRate,
  formatSeconds,
  formatTimes,
} from './format.js';
import { rowsNotSucceeded } from './targets.js';
import { renderMarkdownTable, renderTextTable } from './text-table.js';

export type TableStyle = 'text' | 'markdown';

interface Section {
  title: string;
  headers: string[];
  rows: string[][];
  notes: string[];
}

/** Every section that has figures, rendered in `style`, separated by blank lines. */
export function renderResults(results: BenchResults, style: TableStyle): string {
  const render = style === 'text' ? renderTextTable : renderMarkdownTable;
  const sections = [
    parseSection(results),
    endToEndSection(results),
    throttledSection(results),
    peerSection(results),
    nightlySection(results),
    targetsSection(results),
    errorsSection(results),
  ].filter((section): section is Section => section !== undefined);

  const heading = (title: string): string => (style === 'text' ? `${title}\n` : `### ${title}\n\n`);
  return sections
    .map((section) => {
      const notes = section.notes.length > 0 ? `\n\n${section.notes.join('\n')}` : '';
      return `${heading(section.title)}${render(section.headers, section.rows)}${notes}`;
    })
    .join('\n\n');
}

/** One line naming the machine, for the table's top and the docs. */
export function describeMachine(results: BenchResults): string {
  const { machine } = results;
  return (
    `${machine.cpus} CPU cores (${machine.cpuModel}), ` +
    `${formatGigabytes(machine.memoryTotalBytes)} RAM, ` +
    `Node ${machine.node} on ${machine.platform}, ` +
    `1-minute load ${machine.loadAverageAtStart.toFixed(2)} at start; plan "${results.plan}", ` +
    `${formatSeconds(results.durationSeconds)} in all`
  );
}

function parseSection({ parse }: BenchResults): Section | undefined {
  if (parse === undefined) {
    return undefined;
  }

  return {
    title:
      `a. Parse ceiling: ${formatCount(parse.largeRows)} rows, ` +
      `${formatMegabytes(parse.largeFileBytes)} of CSV`,
    headers: ['measurement', 'rows', 'rows/s', 'wall', 'peak RSS', 'CPU'],
    rows: [
      processRow('csv-parse alone', parse.ceiling),
      processRow('dps-bulk validate', parse.validate),
      processRow('dps-bulk validate (small)', parse.validateSmall),
    ],
    notes: [
      `validate runs at ${formatPercent(parse.validateShareOfCeiling)} of the ceiling; its peak ` +
        `RSS is ${formatPercent(parse.rssGrowth)} above the small manifest's.`,
    ],
  };
}

function endToEndSection({ endToEnd }: BenchResults): Section | undefined {
  if (endToEnd === undefined) {
    return undefined;
  }

  return {
    title: 'b. End to end against the standalone emulator, no throttling',
    headers: [
      'measurement',
      'enrollments',
      'per second',
      'wall',
      'calls',
      'dps-bulk CPU',
      'emulator CPU',
    ],
    rows: [
      endToEndRow('dps-bulk run', endToEnd.run, endToEnd.emulatorCpuShare),
      ...(endToEnd.memoryState !== undefined
        ? [
            endToEndRow(
              'dps-bulk run, --state in /dev/shm',
              endToEnd.memoryState.run,
              endToEnd.memoryState.emulatorCpuShare,
            ),
          ]
        : []),
    ],
    notes: [describeBound(endToEnd.boundBy), ...describeMemoryState(endToEnd)],
  };
}

function throttledSection({ throttled }: BenchResults): Section | undefined {
  if (throttled === undefined) {
    return undefined;
  }

  return {
    title: `c. Throttled emulator: ${formatCount(throttled.operationsPerMinute)} operations/min`,
    headers: [
      'run',
      'enrollments',
      'per second',
      'of ceiling',
      'calls',
      '429s',
      '429 share',
      'not succeeded',
    ],
    rows: throttled.runs.map((entry) => [
      `dps-bulk run, ${entry.label}`,
      formatCount(entry.run.rows),
      formatRate(entry.run.rowsPerSecond),
      formatPercent(entry.shareOfCeiling),
      formatCount(entry.run.requests),
      formatCount(entry.run.throttled),
      formatPercent(entry.throttledShare),
      formatCount(rowsNotSucceeded(entry.run)),
    ]),
    notes: [
      `Ceiling: ops/min ÷ 60 × 10 = ${formatRate(throttled.runs[0]?.ceilingPerSecond ?? 0)}; ` +
        `burst: ${throttled.burst}. The emulator counted ` +
        throttled.runs.map(describeEmulatorCounts).join(', ') +
        '.',
    ],
  };
}

function peerSection({ peer }: BenchResults): Section | undefined {
  if (peer === undefined) {
    return undefined;
  }

  const sdkRow = [
    'official SDK, sequential calls of 10',
    formatCount(peer.sdk.rows),
    formatRate(peer.sdk.rowsPerSecond),
    formatSeconds(peer.sdk.wallSeconds),
    formatCount(peer.sdk.calls),
    '1.00×',
  ];
  const dpsBulkRows = peer.dpsBulk.map((entry) => [
    `dps-bulk run, --concurrency ${entry.concurrency}`,
    formatCount(entry.run.rows),
    formatRate(entry.run.rowsPerSecond),
    formatSeconds(entry.run.wallSeconds),
    formatCount(entry.run.requests),
    formatTimes(entry.speedup),
  ]);

  const { failedCalls, failedItems } = peer.sdk;
  return {
    title: `d. Peer: ${formatCount(peer.rows)} rows over HTTPS, ${peer.latencyMs} ms per call`,
    headers: ['client', 'enrollments', 'per second', 'wall', 'calls', 'speed-up'],
    rows: [sdkRow, ...dpsBulkRows],
    notes:
      failedCalls + failedItems > 0
        ? [`The SDK saw ${failedCalls} failed calls and ${failedItems} failed items.`]
        : [],
  };
}

function nightlySection({ nightly }: BenchResults): Section | undefined {
  if (nightly === undefined) {
    return undefined;
  }

  return {
    title: `e. Nightly rerun of an unchanged ${formatCount(nightly.rows)}-row manifest`,
    headers: ['measurement', 'wall', 'calls', 'rows unchanged'],
    rows: [
      [
        'dps-bulk run, same --state',
        formatSeconds(nightly.rerun.wallSeconds),
        formatCount(nightly.rerun.requests),
        formatCount(nightly.rerun.counts['unchanged'] ?? 0),
      ],
      ['dps-bulk validate, same file', formatSeconds(nightly.validateWallSeconds), '0', ''],
    ],
    notes: [`The rerun takes ${formatTimes(nightly.ratioToValidate)} validate's time.`],
  };
}

function targetsSection({ targets }: BenchResults): Section | undefined {
  if (targets.length === 0) {
    return undefined;
  }

  return {
    title: 'Targets of issue 6',
    headers: ['target', 'wanted', 'measured', 'met'],
    rows: targets.map((check) => [
      check.name,
      check.target,
      check.measured,
      check.met ? 'yes' : 'NO',
    ]),
    notes: [],
  };
}

function errorsSection({ errors }: BenchResults): Section | undefined {
  if (errors.length === 0) {
    return undefined;
  }

  return {
    title: 'Measurements that could not be taken',
    headers: ['scenario', 'error'],
    rows: errors.map((error) => [error.scenario, error.message.replace(/\s+/g, ' ').slice(0, 400)]),
    notes: [],
  };
}

function endToEndRow(label: string, run: RunFigures, emulatorCpuShare: number): string[] {
  return [
    label,
    formatCount(run.rows),
    formatRate(run.rowsPerSecond),
    formatSeconds(run.wallSeconds),
    formatCount(run.requests),
    formatCpu(run.cpuShare),
    formatCpu(emulatorCpuShare),
  ];
}

function describeMemoryState(endToEnd: EndToEndResults): string[] {
  if (endToEnd.memoryState === undefined) {
    return [];
  }

  const speedup = endToEnd.memoryState.run.rowsPerSecond / endToEnd.run.rowsPerSecond;
  return [
    `With the state store in memory (no disk syncs) the same run goes ${formatTimes(speedup)} ` +
      'as fast.',
  ];
}

function describeBound(boundBy: EndToEndResults['boundBy']): string {
  const unit = 'CPU is core-seconds per second of wall time; 1.00 = one core busy throughout.';
  if (boundBy === 'neither') {
    return (
      'Neither side keeps a core busy, so neither CPU is the limit: the time goes to waiting ' +
      `(I/O, pacing) or to other processes sharing the cores. ${unit}`
    );
  }

  return `Bound by ${boundBy}: its CPU share is closest to a full core. ${unit}`;
}

function describeEmulatorCounts(entry: ThrottledRun): string {
  return `${entry.emulatorRequests} calls / ${entry.emulatorThrottled} 429s (${entry.label})`;
}

function processRow(label: string, figures: ProcessFigures): string[] {
  return [
    label,
    formatCount(figures.rows),
    formatRate(figures.rowsPerSecond),
    formatSeconds(figures.wallSeconds),
    formatMegabytes(figures.peakRssBytes),
    formatCpu(figures.cpuShare),
  ];
}

function formatCpu(share: number | undefined): string {
  return share === undefined || !Number.isFinite(share) ? 'n/a' : share.toFixed(2);
}
