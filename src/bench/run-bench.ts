/**
 * One bench run: generate the manifests in a temp folder, take each measurement in turn (a
 * failing one is recorded and the others still run), check the targets, and delete the folder.
 */
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';

import type { BenchContext, BenchManifests } from './bench-context.js';
import type { BenchPlan } from './bench-plan.js';
import type { BenchResults, MachineFacts, ParseResults } from './bench-results.js';
import { writeManifest, type WrittenManifest } from './manifest-writer.js';
import { measureEndToEnd } from './scenarios/end-to-end-scenario.js';
import { measureParse } from './scenarios/parse-scenario.js';
import { measurePeer } from './scenarios/peer-scenario.js';
import { measureThrottled } from './scenarios/throttled-scenario.js';
import { checkTargets } from './targets.js';
import { removeTemporaryPath, trackTemporaryPath } from './temporary-paths.js';

/** The measurements, by the names `--only` takes. End to end includes the nightly rerun. */
export const SCENARIO_NAMES = ['parse', 'end-to-end', 'throttled', 'peer'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export interface BenchRequest {
  plan: BenchPlan;
  scenarios: readonly ScenarioName[];
  /** bin/dps-bulk.js of this checkout. */
  cliScript: string;
  log(message: string): void;
}

export async function runBench(request: BenchRequest): Promise<BenchResults> {
  const startedAt = new Date();
  const machine = describeMachine();
  const workDirectory = await mkdtemp(join(tmpdir(), 'dps-bulk-bench-'));
  trackTemporaryPath(workDirectory);

  try {
    const manifests = await writeManifests(request, workDirectory);
    const context: BenchContext = {
      plan: request.plan,
      cliScript: request.cliScript,
      workDirectory,
      manifests,
      log: request.log,
    };

    const results = await measureAll(context, request.scenarios, startedAt, machine);
    results.targets = checkTargets(results);
    return results;
  } finally {
    await removeTemporaryPath(workDirectory);
  }
}

async function measureAll(
  context: BenchContext,
  scenarios: readonly ScenarioName[],
  startedAt: Date,
  machine: MachineFacts,
): Promise<BenchResults> {
  const results: BenchResults = {
    plan: context.plan.name,
    startedAt: startedAt.toISOString(),
    finishedAt: '',
    durationSeconds: 0,
    machine,
    targets: [],
    errors: [],
  };

  const attempt = async <Value>(scenario: ScenarioName, measure: () => Promise<Value>) => {
    if (!scenarios.includes(scenario)) {
      return undefined;
    }

    try {
      return await measure();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      context.log(`${scenario}: could not be measured: ${message}`);
      results.errors.push({ scenario, message });
      return undefined;
    }
  };

  results.parse = await attempt('parse', () => measureParse(context));
  const endToEnd = await attempt('end-to-end', () =>
    measureEndToEnd(context, validateSecondsOnSmall(results.parse)),
  );
  results.endToEnd = endToEnd?.endToEnd;
  results.nightly = endToEnd?.nightly;
  results.throttled = await attempt('throttled', () => measureThrottled(context));
  results.peer = await attempt('peer', () => measurePeer(context));

  const finishedAt = new Date();
  results.finishedAt = finishedAt.toISOString();
  results.durationSeconds = (finishedAt.getTime() - startedAt.getTime()) / 1000;
  return results;
}

/** The nightly rerun compares itself with validate on the same (small) file. */
function validateSecondsOnSmall(parse: ParseResults | undefined): number | undefined {
  return parse?.validateSmall.wallSeconds;
}

/** Writes only the manifests the chosen scenarios read. */
async function writeManifests(
  request: BenchRequest,
  workDirectory: string,
): Promise<BenchManifests> {
  const { plan, scenarios } = request;
  const write = async (name: string, rows: number, needed: boolean): Promise<WrittenManifest> => {
    const path = join(workDirectory, `${name}.csv`);
    if (!needed) {
      return { path, rows: 0, bytes: 0 };
    }

    request.log(`generating ${name} manifest: ${rows.toLocaleString('en-US')} rows`);
    return writeManifest({ path, rows, idPrefix: `bench-${name}` });
  };

  const needsSmall = scenarios.includes('parse') || scenarios.includes('end-to-end');
  return {
    large: await write('large', plan.largeRows, scenarios.includes('parse')),
    small: await write('small', plan.smallRows, needsSmall),
    throttled: await write('throttled', plan.throttledRows, scenarios.includes('throttled')),
    peer: await write('peer', plan.peerRows, scenarios.includes('peer')),
  };
}

function describeMachine(): MachineFacts {
  const processors = cpus();
  return {
    cpus: processors.length,
    cpuModel: processors[0]?.model.trim() ?? 'unknown',
    memoryTotalBytes: totalmem(),
    node: process.version,
    platform: `${platform()} ${release()}`,
    loadAverageAtStart: loadavg()[0] ?? 0,
  };
}
