import { randomBytes } from 'node:crypto';

/**
 * A run id that sorts by start time and names the report folder: `20261204T155201Z-3f9a1c`.
 * The random suffix keeps two runs started in the same second apart.
 */
export function createRunId(now: Date = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}
