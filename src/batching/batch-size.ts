/**
 * Byte sizes of a bulk call's JSON body, computed the way the client serializes it:
 * `JSON.stringify({ mode, enrollments })`, which is the envelope below with the enrollments
 * joined by commas. Sizes are UTF-8 bytes, the unit of the service's 96 KB message limit.
 */
import type { BulkMode, IndividualEnrollment } from '../dps/contract/index.js';
import type { Batch } from './batch.js';

/** Bytes of `{"mode":"<mode>","enrollments":[]}`: what a call costs before its first item. */
export function measureEnvelopeBytes(mode: BulkMode): number {
  return Buffer.byteLength(JSON.stringify({ mode, enrollments: [] }), 'utf8');
}

/** Bytes one enrollment adds to a body, not counting the comma that separates it. */
export function measureEnrollmentBytes(enrollment: IndividualEnrollment): number {
  return Buffer.byteLength(JSON.stringify(enrollment), 'utf8');
}

/** Exact bytes of the body the client sends for this batch. */
export function measureBatchBytes(batch: Batch): number {
  const items = batch.items.map((item) => measureEnrollmentBytes(item.enrollment));
  const commas = Math.max(0, items.length - 1);

  return measureEnvelopeBytes(batch.mode) + commas + items.reduce((sum, bytes) => sum + bytes, 0);
}
