/**
 * The invariants every fault scenario checks after each run and rerun (issue 5, "Proof"):
 * - results.csv gives every manifest row exactly one final status, on the manifest's own lines,
 *   with no gap and no duplicate;
 * - summary.json counts add up to the rows and agree with results.csv, and its exit code is the
 *   process's, consistent with the README's table;
 * - the service holds exactly the rows reported `succeeded` or `unchanged`, with the content the
 *   manifest asked for (a record a run could not confirm may exist only for a row it left
 *   `failed` or `pending` for a reason that leaves the outcome unknown);
 * - no registration ID was created twice.
 */
import { expect } from 'vitest';

import type { EmulatorStats } from '../../src/emulator/index.js';
import type { HeldEnrollment } from './faults-service-reader.js';
import type { DesiredEnrollment, FaultManifest } from './faults-manifest.js';
import { readResults, readSummary, type ResultRow } from './temp-files.js';

const FINAL_STATUSES = new Set(['succeeded', 'unchanged', 'invalid', 'failed', 'pending']);
const DONE_STATUSES = new Set(['succeeded', 'unchanged']);

/** What the report of one run says, once it passed the report invariants. */
export interface ReportFacts {
  rows: ResultRow[];
  counts: Record<string, number>;
  summary: Record<string, any>;
}

/** How a run ended, as the scenario table shows it. */
export interface RunFigures {
  exitCode: number | null;
  counts: Record<string, number>;
  /** Service requests the emulator saw during the run. */
  requests: number;
  /** Most creations of one ID over the emulator's life. */
  mostCreatesOfOneId: number;
  retried: number;
}

/** Checks results.csv and summary.json of one run; returns what they say. */
export function checkReport(
  manifest: FaultManifest,
  reportDirectory: string,
  exitCode: number | null,
): ReportFacts {
  const rows = readResults(reportDirectory);
  const summary = readSummary(reportDirectory);

  // Problems are gathered, then asserted once: one readable list, and fast on 10,000 rows.
  const problems: string[] = [];
  if (rows.length !== manifest.rows.length)
    problems.push(`${rows.length} result rows for ${manifest.rows.length} records`);

  for (const [index, desired] of manifest.rows.entries()) {
    const row = rows[index];
    if (row === undefined) break;

    if (row.line !== desired.line)
      problems.push(`result ${index + 1}: line ${row.line}, expected ${desired.line}`);
    if (row.registrationId !== desired.registrationId)
      problems.push(`line ${desired.line}: ID ${row.registrationId}`);
    if (!FINAL_STATUSES.has(row.status)) problems.push(`line ${row.line}: status "${row.status}"`);
  }

  expect(problems).toEqual([]);

  const counts: Record<string, number> = {};
  for (const row of rows) counts[row.status] = (counts[row.status] ?? 0) + 1;

  const summaryTotal = Object.values(summary['counts'] as Record<string, number>).reduce(
    (sum, count) => sum + count,
    0,
  );
  expect(summaryTotal).toBe(rows.length);
  expect(summary['rows']).toBe(rows.length);
  for (const status of FINAL_STATUSES)
    expect(summary['counts'][status] ?? 0, status).toBe(counts[status] ?? 0);

  expect(summary['exitCode']).toBe(exitCode);
  checkExitCodeMeaning(exitCode, counts, summary['stopReason']);

  return { rows, counts, summary };
}

/** The README's exit-code table, read against the counts and the stop reason. */
function checkExitCodeMeaning(
  exitCode: number | null,
  counts: Record<string, number>,
  stopReason: unknown,
): void {
  const notDone = (counts['invalid'] ?? 0) + (counts['failed'] ?? 0) + (counts['pending'] ?? 0);

  switch (exitCode) {
    case 0:
      expect(notDone).toBe(0);
      expect(stopReason).toBeUndefined();
      break;
    case 1:
      expect(notDone).toBeGreaterThan(0);
      expect(stopReason).toBeUndefined();
      break;
    case 2:
      expect(stopReason).toBe('auth');
      break;
    case 4:
      expect(stopReason).toBe('outage');
      break;
    case 130:
    case 143:
      expect(stopReason).toBe('interrupt');
      break;
    default:
      throw new Error(`exit code ${exitCode} is not one the README documents for a finished run`);
  }
}

/** How strictly the service is compared with a report. */
export interface ServiceCheckOptions {
  /** Held = done exactly, but for records held before the run. */
  strict: boolean;
  /** Compare symmetric keys too. */
  withKeys: boolean;
  /** Records held before the run: a row that did not succeed may leave them, never change them. */
  heldBefore?: Map<string, HeldEnrollment>;
}

/**
 * Checks the service against the report: every done row is held with its content; anything else
 * held was there before the run (unchanged), or, unless `strict`, belongs to a row whose outcome
 * the run could not know (its content may then be an older one, so it is not compared).
 */
export function checkServiceHolds(
  manifest: FaultManifest,
  report: ReportFacts,
  held: Map<string, HeldEnrollment>,
  options: ServiceCheckOptions,
): void {
  const byId = new Map(manifest.rows.map((row) => [row.registrationId.toLowerCase(), row]));
  const problems: string[] = [];

  for (const row of report.rows) {
    const id = row.registrationId.toLowerCase();
    const record = held.get(id);
    const before = options.heldBefore?.get(id);
    const where = `line ${row.line} ${row.registrationId} (${row.status})`;

    if (DONE_STATUSES.has(row.status)) {
      if (record === undefined) problems.push(`${where}: not held`);
      else problems.push(...contentProblems(byId.get(id)!, record, options.withKeys));
    } else if (record !== undefined && before !== undefined) {
      // It was there before this run, and a row that did not succeed must not have changed it.
      if (record.etag !== before.etag) problems.push(`${where}: held before, and changed`);
    } else if (record !== undefined) {
      if (options.strict) problems.push(`${where}: held`);
      else if (!isOutcomeUnknown(row))
        problems.push(`${where}: held, yet its outcome was known (${row.httpStatus})`);
    }
  }

  for (const id of held.keys())
    if (!byId.has(id)) problems.push(`held ${id} is not in the manifest`);

  expect(problems).toEqual([]);
}

/** How one held record differs from what its row asked for; empty when it matches. */
export function contentProblems(
  desired: DesiredEnrollment,
  record: HeldEnrollment,
  withKeys: boolean,
): string[] {
  const where = `line ${desired.line} ${desired.registrationId}`;
  const problems: string[] = [];
  const differs = (field: string, found: unknown): void => {
    problems.push(`${where}: ${field} is ${JSON.stringify(found)}`);
  };

  if (record.registrationId !== desired.registrationId)
    differs('registrationId', record.registrationId);
  if (record.attestationType !== 'symmetricKey')
    differs('attestation type', record.attestationType);
  if (canonicalJson(record.tags) !== canonicalJson(desired.tags)) differs('tags', record.tags);

  const deviceIds =
    desired.deviceId === undefined ? [undefined, desired.registrationId] : [desired.deviceId];
  if (!deviceIds.includes(record.deviceId)) differs('deviceId', record.deviceId);

  const statuses =
    desired.provisioningStatus === undefined
      ? [undefined, null, 'enabled']
      : [desired.provisioningStatus];
  if (!statuses.includes(record.provisioningStatus))
    differs('provisioningStatus', record.provisioningStatus);

  // Keys are secrets even in tests: say which differs, never show it.
  if (withKeys && record.primaryKey !== desired.primaryKey)
    problems.push(`${where}: primary key differs`);
  if (withKeys && record.secondaryKey !== desired.secondaryKey)
    problems.push(`${where}: secondary key differs`);

  return problems;
}

/** JSON with object keys sorted at every depth, so key order never makes two values differ. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'undefined';

  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );

  const members = entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`);

  return `{${members.join(',')}}`;
}

/** No ID created twice over the emulator's life; returns the most creations of one ID. */
export function checkCreatedOnce(stats: EmulatorStats): number {
  const twice = Object.entries(stats.createsPerId).filter(([, count]) => count > 1);
  expect(twice, 'registration IDs created more than once').toEqual([]);

  return Math.max(0, ...Object.values(stats.createsPerId));
}

/** A row the run left undecided: its last call may or may not have been applied. */
function isOutcomeUnknown(row: ResultRow): boolean {
  if (row.status === 'pending') return true;

  return row.status === 'failed' && (row.httpStatus === '' || Number(row.httpStatus) >= 500);
}

/** The figures of one run for the scenario table. */
export function figuresOf(
  report: ReportFacts | undefined,
  exitCode: number | null,
  requests: number,
  stats: EmulatorStats,
): RunFigures {
  return {
    exitCode,
    counts: report?.counts ?? {},
    requests,
    mostCreatesOfOneId: Math.max(0, ...Object.values(stats.createsPerId)),
    retried: report?.rows.filter((row) => row.attempts > 1).length ?? 0,
  };
}
