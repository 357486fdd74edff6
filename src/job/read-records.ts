/**
 * Reads a manifest's records until the end or until the file cannot be read further (an unclosed
 * quote, an oversized record, a read error mid-file). Such an error does not lose the rows read
 * before it: the job finishes them, writes the report, and ends with exit code 2 and the error.
 */
import { isManifestError, type ManifestError, type ManifestRecord } from '../manifest/index.js';

export interface ReadStop {
  /** The manifest error that ended reading early, if one did. */
  error?: ManifestError;
}

export async function readRecords(
  records: AsyncIterable<ManifestRecord>,
  take: (record: ManifestRecord) => Promise<void> | void,
): Promise<ReadStop> {
  try {
    for await (const record of records) await take(record);
  } catch (error) {
    if (isManifestError(error)) return { error };
    throw error;
  }

  return {};
}
