/**
 * The one typed configuration a run gets from the command line. Nothing below cli/ reads argv
 * or the environment; everything it needs arrives here.
 */

/**
 * What the run does with each row:
 * - `upsert`: create; rows that already exist are updated with the etag the service holds.
 * - `create`: create only; an existing enrollment is `failed` with 409201.
 * - `delete`: remove; a row already absent counts as `succeeded`.
 * - `disable`: set provisioningStatus to `disabled`, keeping everything else as the service has it.
 */
export type RunMode = 'upsert' | 'create' | 'delete' | 'disable';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface ManifestConfig {
  path: string;
  /** Forced delimiter; detected from the header line when absent. */
  delimiter?: string;
  /** Path of a JSON file mapping the manifest's own headers to ours. */
  columnsPath?: string;
  /** Repeated secrets become errors instead of warnings. */
  strict: boolean;
}

export interface ReportConfig {
  /** Folder under which each run writes `<run-id>/`. @default "reports" */
  directory: string;
  /** Draw the progress bar (only ever on a TTY). */
  progress: boolean;
  logLevel: LogLevel;
}

export interface ServiceTarget {
  kind: 'service' | 'emulator';
  /** Base URL requests go to, e.g. https://my-dps.azure-devices-provisioning.net */
  endpoint: string;
  /** SAS resource and the name the report shows: the connection string's HostName. */
  hostName: string;
  /** Secret: connection string parts or a bearer token. Never logged or reported. */
  credential: { kind: 'sas'; policyName: string; key: string } | { kind: 'bearer'; token: string };
  /** Extra CA certificate (PEM) to trust, for an emulator or proxy serving HTTPS. */
  caCertificate?: string;
}

export interface DispatchConfig {
  mode: RunMode;
  /** Bulk calls in flight at once. @default 4 */
  concurrency: number;
  /** HTTP attempts per call before its rows fail. @default 6 */
  maxAttempts: number;
  /** Known quota; adaptive when absent. */
  operationsPerMinute?: number;
  /** Per-request timeout in milliseconds. @default 30000 */
  requestTimeoutMs: number;
  /** Consecutive failures of one kind (timeouts, 5xx) after which the run stops. @default 20 */
  outageThreshold: number;
}

export interface StateConfig {
  /** SQLite file. @default "reports/state.db" */
  path: string;
  /** Send every row even when the state store shows it unchanged. */
  force: boolean;
  /** Report folder of an earlier run (or its resolved `latest`) whose unfinished rows to take. */
  onlyFailedRun?: string;
}

export interface RunConfig {
  manifest: ManifestConfig;
  report: ReportConfig;
  target: ServiceTarget;
  dispatch: DispatchConfig;
  state: StateConfig;
  /** How long in-flight calls may finish after SIGINT/SIGTERM, in milliseconds. @default 30000 */
  drainTimeoutMs: number;
  /** The options as given, with secrets removed, for summary.json. */
  optionsForReport: Record<string, unknown>;
}
