/**
 * The entry point: parse argv, run the command, map failures to exit codes. Expected failures
 * (bad arguments, unreadable manifest, lock held) are JobErrors with their own code and a message
 * for the user; anything else is a bug, reported as such.
 */
import { CommanderError } from 'commander';

import { EXIT_CODES, JobError } from '../job/exit-codes.js';
import { createProgram } from './program.js';

export async function main(argv: string[]): Promise<number> {
  let exitCode: number = EXIT_CODES.ok;
  const program = createProgram((code) => {
    exitCode = code;
  });

  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    return exitCodeFor(error);
  }
}

function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) {
    // Help and version end "with an error" in commander's override mode; they are successes.
    const isInformational =
      error.code === 'commander.helpDisplayed' ||
      error.code === 'commander.version' ||
      error.code === 'commander.help';
    return isInformational ? EXIT_CODES.ok : EXIT_CODES.configuration;
  }

  if (error instanceof JobError) {
    process.stderr.write(`dps-bulk: ${error.message}\n`);
    return error.exitCode;
  }

  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`dps-bulk: internal error (please report it): ${detail}\n`);
  return EXIT_CODES.configuration;
}
