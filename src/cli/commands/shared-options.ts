/** Options that `run` and `validate` share: the manifest's dialect and the report. */
import { Option, type Command } from 'commander';

import type { LogLevel, ManifestConfig, ReportConfig } from '../../job/run-config.js';
import { parseLogLevel } from '../option-parsers.js';

export interface ManifestAndReportFlags {
  delimiter?: string;
  columns?: string;
  strict?: boolean;
  reportDir: string;
  progress: boolean;
  logLevel: LogLevel;
}

export function addManifestAndReportOptions(command: Command): Command {
  return command
    .option(
      '--delimiter <char>',
      'field delimiter: , ; tab or | (detected from the header when absent)',
    )
    .option('--columns <mapping.json>', "JSON file mapping the manifest's own headers to ours")
    .option('--strict', 'treat repeated keys or certificates across rows as errors, not warnings')
    .option('--report-dir <dir>', 'folder that receives one report folder per run', 'reports')
    .option('--no-progress', 'never draw the progress bar (it is drawn only on a terminal anyway)')
    .addOption(
      new Option('--log-level <level>', 'run.log level: error, warn, info, debug, trace or silent')
        .default('info')
        .argParser(parseLogLevel),
    );
}

export function manifestConfigFrom(path: string, flags: ManifestAndReportFlags): ManifestConfig {
  return {
    path,
    ...(flags.delimiter !== undefined ? { delimiter: normaliseDelimiter(flags.delimiter) } : {}),
    ...(flags.columns !== undefined ? { columnsPath: flags.columns } : {}),
    strict: flags.strict === true,
  };
}

export function reportConfigFrom(flags: ManifestAndReportFlags): ReportConfig {
  return { directory: flags.reportDir, progress: flags.progress, logLevel: flags.logLevel };
}

/** `tab` and `\t` are easier to type than a literal tab. */
function normaliseDelimiter(value: string): string {
  return value === 'tab' || value === '\\t' ? '\t' : value;
}
