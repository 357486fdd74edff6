export type { Batch, SendItem } from './batch.js';
export { Batcher } from './batcher.js';
export type { BatcherOptions } from './batcher.js';
export { measureBatchBytes, measureEnrollmentBytes, measureEnvelopeBytes } from './batch-size.js';
