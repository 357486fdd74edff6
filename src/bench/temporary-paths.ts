/**
 * Folders the bench creates and must delete: its temp folder under os.tmpdir(), and a state
 * folder in /dev/shm. Each is removed when its work ends; on Ctrl-C, main removes what is left.
 */
import { rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';

const livePaths = new Set<string>();

/** Remembers a folder that must not outlive the bench. */
export function trackTemporaryPath(path: string): void {
  livePaths.add(path);
}

/** Deletes a tracked folder and forgets it. */
export async function removeTemporaryPath(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
  livePaths.delete(path);
}

/** Deletes every folder still tracked; synchronous, for a signal handler about to exit. */
export function removeAllTemporaryPathsSync(): void {
  for (const path of livePaths) {
    rmSync(path, { recursive: true, force: true });
  }

  livePaths.clear();
}
