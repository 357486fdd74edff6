/**
 * The targets of issue 6, checked against one bench run. They live here, in the bench, and
 * never in timed tests.
 */
import type { BenchResults, RunFigures, TargetCheck } from './bench-results.js';
import { formatMegabytes, formatPercent, formatSeconds, formatTimes } from './format.js';

/** validate must reach this share of csv-parse's rows per second. */
export const MIN_VALIDATE_SHARE_OF_CEILING = 0.8;
/** Peak RSS of validate on the large manifest must stay under this, in bytes ("200 MB", read
 * as mebibytes: the stricter decimal reading would be 200,000,000 bytes). */
export const MAX_PEAK_RSS_BYTES = 200 * 1024 * 1024;
/** The large manifest may need at most this much more RSS than the small one. */
export const MAX_RSS_GROWTH = 0.2;
/** Throttled runs must reach this share of the quota's ceiling. */
export const MIN_SHARE_OF_QUOTA = 0.95;
/** Share of calls answered 429 allowed when the quota is given, and when adaptive. */
export const MAX_THROTTLED_SHARE_WITH_QUOTA = 0.02;
export const MAX_THROTTLED_SHARE_ADAPTIVE = 0.05;
/** dps-bulk must be at least this many times faster than the SDK at added latency. */
export const MIN_SPEEDUP_OVER_SDK = 5;
/** A nightly rerun may take at most this many times validate's wall time. */
export const MAX_RERUN_TO_VALIDATE = 1.5;

/** Every target that the measured sections allow checking, in the order. */
export function checkTargets(results: BenchResults): TargetCheck[] {
  return [
    ...parseTargets(results),
    ...throttledTargets(results),
    ...peerTargets(results),
    ...nightlyTargets(results),
  ];
}

function parseTargets({ parse }: BenchResults): TargetCheck[] {
  if (parse === undefined) {
    return [];
  }

  const peak = parse.validate.peakRssBytes ?? Number.POSITIVE_INFINITY;
  return [
    {
      name: 'validate vs parse ceiling',
      target: `≥ ${formatPercent(MIN_VALIDATE_SHARE_OF_CEILING)} of csv-parse rows/s`,
      measured: formatPercent(parse.validateShareOfCeiling),
      met: parse.validateShareOfCeiling >= MIN_VALIDATE_SHARE_OF_CEILING,
    },
    {
      name: `validate peak RSS, ${parse.largeRows.toLocaleString('en-US')} rows`,
      target: `< ${formatMegabytes(MAX_PEAK_RSS_BYTES, 0)}`,
      // Two decimals: a figure a hair under the limit must not print as the limit itself.
      measured: formatMegabytes(parse.validate.peakRssBytes, 2),
      met: peak < MAX_PEAK_RSS_BYTES,
    },
    {
      name: 'validate RSS growth, large vs small manifest',
      target: `≤ ${formatPercent(MAX_RSS_GROWTH)} above`,
      measured: `${formatPercent(parse.rssGrowth)} above`,
      met: parse.rssGrowth <= MAX_RSS_GROWTH,
    },
  ];
}

function throttledTargets({ throttled }: BenchResults): TargetCheck[] {
  return (throttled?.runs ?? []).flatMap((run) => {
    const maxThrottled =
      run.label === 'quota given' ? MAX_THROTTLED_SHARE_WITH_QUOTA : MAX_THROTTLED_SHARE_ADAPTIVE;

    return [
      {
        name: `throttled (${run.label}): share of quota`,
        target: `≥ ${formatPercent(MIN_SHARE_OF_QUOTA)} of ceiling`,
        measured: formatPercent(run.shareOfCeiling),
        met: run.shareOfCeiling >= MIN_SHARE_OF_QUOTA,
      },
      {
        name: `throttled (${run.label}): calls answered 429`,
        target: `≤ ${formatPercent(maxThrottled)}`,
        measured: formatPercent(run.throttledShare),
        met: run.throttledShare <= maxThrottled,
      },
      {
        name: `throttled (${run.label}): rows not succeeded`,
        target: '0',
        measured: String(rowsNotSucceeded(run.run)),
        met: rowsNotSucceeded(run.run) === 0,
      },
    ];
  });
}

function peerTargets({ peer }: BenchResults): TargetCheck[] {
  return (peer?.dpsBulk ?? []).map((entry) => ({
    name: `vs official SDK at ${peer?.latencyMs} ms, --concurrency ${entry.concurrency}`,
    target: `≥ ${formatTimes(MIN_SPEEDUP_OVER_SDK)}, calls ≤ SDK's ${peer?.sdk.calls}`,
    measured: `${formatTimes(entry.speedup)}, ${entry.run.requests} calls`,
    met: entry.speedup >= MIN_SPEEDUP_OVER_SDK && entry.run.requests <= (peer?.sdk.calls ?? 0),
  }));
}

function nightlyTargets({ nightly }: BenchResults): TargetCheck[] {
  if (nightly === undefined) {
    return [];
  }

  return [
    {
      name: 'nightly rerun: requests sent',
      target: '0',
      measured: String(nightly.rerun.requests),
      met: nightly.rerun.requests === 0,
    },
    {
      name: 'nightly rerun vs validate, same file',
      target: `≤ ${formatTimes(MAX_RERUN_TO_VALIDATE)} validate's time`,
      measured:
        `${formatTimes(nightly.ratioToValidate)} ` +
        `(${formatSeconds(nightly.rerun.wallSeconds)})`,
      met: nightly.ratioToValidate <= MAX_RERUN_TO_VALIDATE,
    },
  ];
}

/** Rows of a run that ended anything but succeeded (failed, pending, invalid). */
export function rowsNotSucceeded(run: RunFigures): number {
  return Object.entries(run.counts)
    .filter(([status]) => status !== 'succeeded')
    .reduce((sum, [, count]) => sum + count, 0);
}
