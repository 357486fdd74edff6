/** What the per-row rules need besides the row itself: mode, clock and cross-row memory. */
import type { SecretTracker } from './secret-tracker.js';
import type { HubListReader } from './hub-list.js';

export interface RowEnvironment {
  /** Create and upsert need attestation material; delete and disable only need the ID. */
  needsMaterial: boolean;
  secrets: SecretTracker;
  hubs: HubListReader;
  /** The row's registration ID as checked (original case). */
  registrationId: string;
  /** Clock for certificate validity (read only for X.509 rows). */
  now: () => Date;
}
