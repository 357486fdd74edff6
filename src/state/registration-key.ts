/**
 * Registration IDs are case-insensitive for the service (dps-contract.md §4), so the store keys
 * every ID by one folded spelling and keeps the spelling last written beside it.
 */

/** The spelling the store keys an ID by; compare `finishedIds` entries against it. */
export function foldRegistrationId(registrationId: string): string {
  // Valid IDs are ASCII; toLowerCase (not the locale variant) keeps the fold the same everywhere.
  return registrationId.toLowerCase();
}
