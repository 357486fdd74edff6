/**
 * `npm run bench`: measures dps-bulk side by side with its ceilings and a peer (issue 6 item 3),
 * prints the tables on stdout, and writes bench-results/bench-<UTC timestamp>.json (and .md).
 * Progress goes to stderr. Exit 0 when every measurement was taken (targets may still be
 * missed: the table says which), 1 when one could not be taken, 2 on bad arguments.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Command, CommanderError, InvalidArgumentError } from 'commander';

import { FULL_PLAN, QUICK_PLAN } from './bench-plan.js';
import type { BenchResults } from './bench-results.js';
import { describeMachine, renderResults } from './results-report.js';
import { runBench, SCENARIO_NAMES, type ScenarioName } from './run-bench.js';
import { removeAllTemporaryPathsSync } from './temporary-paths.js';

interface BenchFlags {
  quick?: boolean;
  only: ScenarioName[];
  resultsDir: string;
}

const CLI_SCRIPT = fileURLToPath(new URL('../../bin/dps-bulk.js', import.meta.url));
const EXIT_INTERRUPTED = 130;
const EXIT_BAD_ARGUMENTS = 2;

async function main(argv: readonly string[]): Promise<number> {
  const flags = parseFlags(argv);

  // Children die with the terminal's Ctrl-C on their own; the temp manifests need a hand.
  process.once('SIGINT', () => {
    removeAllTemporaryPathsSync();
    process.exit(EXIT_INTERRUPTED);
  });

  const results = await runBench({
    plan: flags.quick === true ? QUICK_PLAN : FULL_PLAN,
    scenarios: flags.only,
    cliScript: CLI_SCRIPT,
    log: (message) => process.stderr.write(`[bench] ${message}\n`),
  });

  const written = await writeResults(results, resolve(flags.resultsDir));
  process.stdout.write(`\ndps-bulk bench: ${describeMachine(results)}\n\n`);
  process.stdout.write(`${renderResults(results, 'text')}\n\n`);
  process.stdout.write(`Results: ${written.jsonPath}\n`);
  return results.errors.length === 0 ? 0 : 1;
}

function parseFlags(argv: readonly string[]): BenchFlags {
  const program = new Command()
    .name('npm run bench --')
    .description('measure dps-bulk against csv-parse, the emulator, a quota and the official SDK')
    .option('--quick', 'smaller manifests and shorter runs, to try the bench out (~1 minute)')
    .option(
      '--only <scenarios>',
      `comma-separated subset of: ${SCENARIO_NAMES.join(', ')}`,
      parseScenarios,
      [...SCENARIO_NAMES],
    )
    .option('--results-dir <dir>', 'folder for the JSON and Markdown results', 'bench-results')
    .exitOverride();

  try {
    program.parse(argv);
  } catch (error) {
    // commander already printed the refusal or the help text; only the exit code is left.
    const isHelp = error instanceof CommanderError && error.exitCode === 0;
    process.exit(isHelp ? 0 : EXIT_BAD_ARGUMENTS);
  }

  return program.opts<BenchFlags>();
}

function parseScenarios(text: string): ScenarioName[] {
  const names = text.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !(SCENARIO_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new InvalidArgumentError(
      `expected some of ${SCENARIO_NAMES.join(', ')}, got "${unknown.join(', ')}"`,
    );
  }

  return names as ScenarioName[];
}

async function writeResults(
  results: BenchResults,
  directory: string,
): Promise<{ jsonPath: string; markdownPath: string }> {
  await mkdir(directory, { recursive: true });

  // 2026-12-04T16:20:05.123Z → 20261204T162005Z, sortable and safe in file names.
  const stamp = results.startedAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const jsonPath = join(directory, `bench-${stamp}.json`);
  const markdownPath = join(directory, `bench-${stamp}.md`);

  await writeFile(jsonPath, `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(
    markdownPath,
    `Machine: ${describeMachine(results)}\n\n${renderResults(results, 'markdown')}\n`,
  );
  return { jsonPath, markdownPath };
}

process.exitCode = await main(process.argv);
