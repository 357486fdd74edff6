import type { Command } from 'commander';

import { validateJob } from '../../job/validate-job.js';
import {
  addManifestAndReportOptions,
  manifestConfigFrom,
  reportConfigFrom,
  type ManifestAndReportFlags,
} from './shared-options.js';

export function registerValidateCommand(
  program: Command,
  setExitCode: (code: number) => void,
): void {
  const command = program
    .command('validate')
    .description(
      'check every row offline and write the report; sends nothing (exit 0 when all valid)',
    )
    .argument('<manifest>', 'CSV or JSONL manifest');

  addManifestAndReportOptions(command).action(
    async (manifestPath: string, flags: ManifestAndReportFlags) => {
      const result = await validateJob(
        {
          manifest: manifestConfigFrom(manifestPath, flags),
          report: reportConfigFrom(flags),
          optionsForReport: { command: 'validate', ...flags },
        },
        process.stderr,
      );
      setExitCode(result.exitCode);
    },
  );
}
