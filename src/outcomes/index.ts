export { ROW_STATUSES } from './row-outcome.js';
export type { RowStatus, RowAction, RowOutcome } from './row-outcome.js';
