/**
 * The shape of bench-results/bench-<timestamp>.json: one run's figures, side by side, with the
 * machine they ran on. Rates are per second of wall time of the whole command, start to exit.
 */

/** One measured process. */
export interface ProcessFigures {
  /** Rows it read (parse, validate) or enrollments it made (run, SDK). */
  rows: number;
  wallSeconds: number;
  rowsPerSecond: number;
  /** Peak resident set size, from the process's own resourceUsage() at exit. */
  peakRssBytes?: number;
  /** CPU time (user + system) over wall time; 1.0 = one core busy the whole time. */
  cpuShare?: number;
  exitCode: number | null;
}

/** What a dps-bulk run reported in its summary.json, next to its process figures. */
export interface RunFigures extends ProcessFigures {
  /** The run's own clock (summary.json durationSeconds): wall time less start-up and exit. */
  runSeconds: number;
  requests: number;
  retries: number;
  throttled: number;
  counts: Record<string, number>;
  stopReason?: string;
}

export interface ParseResults {
  largeRows: number;
  largeFileBytes: number;
  /** csv-parse alone on the large manifest. */
  ceiling: ProcessFigures;
  /** `dps-bulk validate` on the same file. */
  validate: ProcessFigures;
  /** validate rows/s over the ceiling's rows/s. */
  validateShareOfCeiling: number;
  /** `dps-bulk validate` on the small manifest: the RSS baseline. */
  validateSmall: ProcessFigures;
  /** Large validate's peak RSS over the small one's, minus 1 (0.2 = 20% above). */
  rssGrowth: number;
}

export interface EndToEndResults {
  run: RunFigures;
  /** The same first run with the state store in /dev/shm, where it exists: no disk syncs. */
  memoryState?: { run: RunFigures; emulatorCpuShare: number };
  /** Emulator CPU time over the run's wall time. */
  emulatorCpuShare: number;
  /** The side closer to a full core during the run. */
  boundBy: 'dps-bulk' | 'emulator' | 'neither';
}

export interface ThrottledRun {
  label: 'quota given' | 'adaptive';
  flags: string[];
  run: RunFigures;
  /** The quota's ceiling in enrollments per second: ops/min ÷ 60 × 10. */
  ceilingPerSecond: number;
  shareOfCeiling: number;
  /** 429 answers over calls sent, from the run's own summary. */
  throttledShare: number;
  /** The emulator's own count of calls and 429s during this run. */
  emulatorRequests: number;
  emulatorThrottled: number;
}

export interface ThrottledResults {
  operationsPerMinute: number;
  /** The emulator's token bucket size; its default is one second's worth. */
  burst: string;
  runs: ThrottledRun[];
}

export interface SdkPeerFigures extends ProcessFigures {
  calls: number;
  failedCalls: number;
  failedItems: number;
  firstError?: string;
}

export interface PeerRun {
  concurrency: number;
  run: RunFigures;
  /** dps-bulk's rows/s over the SDK's rows/s. */
  speedup: number;
}

export interface PeerResults {
  latencyMs: number;
  rows: number;
  sdk: SdkPeerFigures;
  dpsBulk: PeerRun[];
}

export interface NightlyResults {
  rows: number;
  /** The second run over the unchanged manifest, with the same --state. */
  rerun: RunFigures;
  /** validate on the same file (the parse section's small validate). */
  validateWallSeconds: number;
  /** Rerun wall time over validate's. */
  ratioToValidate: number;
}

export interface TargetCheck {
  name: string;
  target: string;
  measured: string;
  met: boolean;
}

export interface MachineFacts {
  cpus: number;
  cpuModel: string;
  memoryTotalBytes: number;
  node: string;
  platform: string;
  /** 1-minute load average when the bench started: other work sharing the cores. */
  loadAverageAtStart: number;
}

export interface ScenarioError {
  scenario: string;
  message: string;
}

export interface BenchResults {
  plan: string;
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  machine: MachineFacts;
  parse?: ParseResults;
  endToEnd?: EndToEndResults;
  nightly?: NightlyResults;
  throttled?: ThrottledResults;
  peer?: PeerResults;
  targets: TargetCheck[];
  errors: ScenarioError[];
}
