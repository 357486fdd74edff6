/**
 * Issue 6 item 3a: csv-parse alone against `dps-bulk validate` on the large manifest (rows per
 * second, peak RSS), and validate on the small manifest as the memory baseline.
 */
import type { BenchContext } from '../bench-context.js';
import type { ParseResults, ProcessFigures } from '../bench-results.js';
import { runValidate } from '../dps-bulk-process.js';
import { describeExit, lastLines, processFigures } from '../figures.js';
import { benchScriptPath, runMeasured } from '../measured-process.js';
import type { WrittenManifest } from '../manifest-writer.js';

export async function measureParse(context: BenchContext): Promise<ParseResults> {
  const { large, small } = context.manifests;

  context.log(`parse: csv-parse alone on ${large.rows.toLocaleString('en-US')} rows`);
  const ceiling = await measureCeiling(context, large);

  context.log(`parse: dps-bulk validate on the same ${large.rows.toLocaleString('en-US')} rows`);
  const validate = await measureValidate(context, large);

  context.log(`parse: dps-bulk validate on ${small.rows.toLocaleString('en-US')} rows`);
  const validateSmall = await measureValidate(context, small);

  return {
    largeRows: large.rows,
    largeFileBytes: large.bytes,
    ceiling,
    validate,
    validateShareOfCeiling: validate.rowsPerSecond / ceiling.rowsPerSecond,
    validateSmall,
    rssGrowth: (validate.peakRssBytes ?? 0) / (validateSmall.peakRssBytes ?? 1) - 1,
  };
}

async function measureCeiling(
  context: BenchContext,
  manifest: WrittenManifest,
): Promise<ProcessFigures> {
  const measured = await runMeasured({
    script: benchScriptPath('parse-ceiling-child.js'),
    arguments: [manifest.path],
    workDirectory: context.workDirectory,
  });

  if (measured.exitCode !== 0) {
    throw new Error(
      `parse ceiling: the csv-parse child exited ${describeExit(measured)}: ` +
        lastLines(measured.stderr),
    );
  }

  // The child counts every record, the header included.
  const { records } = JSON.parse(measured.stdout) as { records: number };
  return processFigures(measured, records - 1);
}

async function measureValidate(
  context: BenchContext,
  manifest: WrittenManifest,
): Promise<ProcessFigures> {
  const result = await runValidate(context, manifest.path);
  if (result.summary === undefined) {
    throw new Error(
      `validate: dps-bulk exited ${describeExit(result.process)} without a summary.json: ` +
        lastLines(result.process.stderr),
    );
  }

  const valid = result.summary.counts['valid'] ?? 0;
  if (valid !== manifest.rows) {
    context.log(
      `validate: only ${valid} of ${manifest.rows} generated rows were valid ` +
        `(exit ${result.summary.exitCode}); the rate still counts every row read`,
    );
  }

  return processFigures(result.process, result.summary.rows);
}
