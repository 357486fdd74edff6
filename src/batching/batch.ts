import type { BulkMode, IndividualEnrollment } from '../dps/contract/index.js';

/** One valid row on its way to the service. */
export interface SendItem {
  line: number;
  registrationId: string;
  /** Carries secrets; lives only on the path batching → dispatch → dps. */
  enrollment: IndividualEnrollment;
  fingerprint: string;
  /** An earlier run died with this row in flight: a create may already have been applied, so
   * "already exists" must be verified against what was sent rather than trusted or refused. */
  maybeApplied?: boolean;
}

/** At most 10 items and 96 KB of JSON, all in one mode. */
export interface Batch {
  /** Sequence number within the run, for logs. */
  id: number;
  mode: BulkMode;
  items: SendItem[];
}
