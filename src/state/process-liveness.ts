/**
 * Facts about this machine the run lock needs to tell a live holder from a dead one. A lock
 * records pid, host and boot; only a holder on this host can be checked, and only by pid.
 */
import { readFileSync } from 'node:fs';

/** Linux's id of the current boot; a lock recorded under another boot is stale. */
const BOOT_ID_PATH = '/proc/sys/kernel/random/boot_id';

/** True while a process with this pid exists on this host (whoever owns it). */
export function isProcessAlive(pid: number): boolean {
  // pid 0 and negatives address process groups with kill(); a corrupt row must not do that.
  if (!Number.isSafeInteger(pid) || pid <= 0) {
    return false;
  }

  try {
    process.kill(pid, 0);

    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user; it is still alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** This boot's id, or undefined where the platform does not expose one. */
export function readBootId(): string | undefined {
  try {
    const bootId = readFileSync(BOOT_ID_PATH, 'utf8').trim();

    return bootId === '' ? undefined : bootId;
  } catch {
    return undefined;
  }
}
