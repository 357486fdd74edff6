/** The api-version every call of ours sends (contract section 1.1). */
export const API_VERSION = '2021-10-01';

/** Versions the emulator accepts: ours, and the one older SDKs (C# v1, Java main) still send. */
export const ACCEPTED_API_VERSIONS: readonly string[] = ['2021-10-01', '2019-03-31'];
