/** The command table. Each command lives in commands/ and reports its exit code back here. */
import { Command } from 'commander';

import { registerEmulatorCommand } from './commands/emulator.js';
import { registerRunCommand } from './commands/run.js';
import { registerValidateCommand } from './commands/validate.js';
import { packageVersion } from './package-version.js';

export function createProgram(setExitCode: (code: number) => void): Command {
  const program = new Command()
    .name('dps-bulk')
    .description(
      'Enroll devices in Azure IoT Hub DPS from a manifest: bulk calls of 10, retries that respect ' +
        'throttling, resume, and a report with one outcome per row.',
    )
    .version(packageVersion())
    .showHelpAfterError('(run "dps-bulk --help" for usage)')
    .exitOverride();

  registerRunCommand(program, setExitCode);
  registerValidateCommand(program, setExitCode);
  registerEmulatorCommand(program);
  return program;
}
