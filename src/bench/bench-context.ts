/** What every scenario of the bench gets: the plan, where things live, and the manifests. */
import type { BenchPlan } from './bench-plan.js';
import type { CommandContext } from './dps-bulk-process.js';
import type { WrittenManifest } from './manifest-writer.js';

export interface BenchManifests {
  /** `plan.largeRows` rows: parse ceiling and validate. */
  large: WrittenManifest;
  /** `plan.smallRows` rows: validate baseline, end to end, nightly rerun. */
  small: WrittenManifest;
  /** `plan.throttledRows` rows: both throttled runs. */
  throttled: WrittenManifest;
  /** `plan.peerRows` rows: the SDK and dps-bulk at added latency. */
  peer: WrittenManifest;
}

export interface BenchContext extends CommandContext {
  plan: BenchPlan;
  manifests: BenchManifests;
  /** A progress line on stderr (stdout carries the table). */
  log(message: string): void;
}
