/** Service limits from shared/docs/dps-contract.md sections 3.2 and 3.3. */

/** Most enrollments one bulk call may carry ("maximum of 10 enrollments"). */
export const MAX_BULK_ITEMS = 10;

/** Largest message the service takes, in bytes (96 KB). */
export const MAX_MESSAGE_BYTES = 96 * 1024;

/** Longest registration ID, in characters. */
export const MAX_REGISTRATION_ID_LENGTH = 128;

/** Decoded symmetric key size bounds, in bytes. */
export const MIN_SYMMETRIC_KEY_BYTES = 16;
export const MAX_SYMMETRIC_KEY_BYTES = 64;

/** Size of the keys the service generates when none are sent, in bytes. */
export const GENERATED_SYMMETRIC_KEY_BYTES = 64;

/** Default service quota: operations per minute per provisioning unit. */
export const DEFAULT_OPERATIONS_PER_MINUTE_PER_UNIT = 1_000;
