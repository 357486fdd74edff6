/**
 * What the bench learns about a process: its own report of peak memory and CPU, and, for a
 * process that keeps running (the emulator), CPU time read from /proc.
 */
import { readFile } from 'node:fs/promises';

/** Environment variable naming the file that receives a measured child's usage as JSON. */
export const USAGE_PATH_VARIABLE = 'BENCH_USAGE_PATH';

/** A child's own account of its resources, written at exit by usage-preload. */
export interface ProcessUsage {
  maxRssBytes: number;
  userCpuMs: number;
  systemCpuMs: number;
}

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on every Linux we target). */
export const CLOCK_TICKS_PER_SECOND = 100;

/** Fields 14 and 15 of /proc/<pid>/stat (utime, stime), counted from 1. */
const USER_TIME_FIELD = 14;
const SYSTEM_TIME_FIELD = 15;

/**
 * CPU milliseconds (user + system) a live process has used, from the text of /proc/<pid>/stat.
 * The command name (field 2) may hold spaces and parentheses, so fields are counted from the
 * last `)`.
 */
export function parseProcStatCpuMs(statText: string): number {
  const afterName = statText.slice(statText.lastIndexOf(')') + 2).split(' ');

  // afterName[0] is field 3 (state), so field N sits at index N - 3.
  const userTicks = Number(afterName[USER_TIME_FIELD - 3]);
  const systemTicks = Number(afterName[SYSTEM_TIME_FIELD - 3]);
  if (!Number.isFinite(userTicks) || !Number.isFinite(systemTicks)) {
    throw new Error(`/proc stat: fields 14 and 15 are not numbers in "${statText.slice(0, 80)}"`);
  }

  return ((userTicks + systemTicks) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** CPU milliseconds used so far by the process `pid` (Linux only). */
export async function readProcessCpuMs(pid: number): Promise<number> {
  const statText = await readFile(`/proc/${pid}/stat`, 'utf8');
  return parseProcStatCpuMs(statText);
}
