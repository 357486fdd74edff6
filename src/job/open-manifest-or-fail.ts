import { openManifest, ManifestError, type OpenedManifest } from '../manifest/index.js';
import { EXIT_CODES, JobError } from './exit-codes.js';
import type { ManifestConfig } from './run-config.js';

/** Opens the manifest; a file that cannot be read or has no usable header ends the command (2). */
export async function openManifestOrFail(config: ManifestConfig): Promise<OpenedManifest> {
  try {
    return await openManifest({
      path: config.path,
      ...(config.delimiter ? { delimiter: config.delimiter } : {}),
      ...(config.columnsPath ? { columnsPath: config.columnsPath } : {}),
    });
  } catch (error) {
    if (error instanceof ManifestError) throw new JobError(error.message, EXIT_CODES.configuration);
    if (isFileSystemError(error)) {
      throw new JobError(
        `cannot read manifest ${config.path}: ${error.code}`,
        EXIT_CODES.configuration,
      );
    }
    throw error;
  }
}

function isFileSystemError(error: unknown): error is NodeJS.ErrnoException & { code: string } {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string';
}
