import { randomBytes } from 'node:crypto';

/**
 * A run id that sorts by start time and names the report folder: `20261204T155201.042Z-3f9a1c`.
 * Milliseconds keep runs of the same second in order; the random suffix keeps apart two runs
 * started in the same millisecond.
 */
export function createRunId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}
