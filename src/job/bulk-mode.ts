import type { BulkMode } from '../dps/contract/index.js';
import type { RunMode } from './run-config.js';

/** The bulk mode of a run's first call for each row; dispatch owns any follow-up calls. */
export function bulkModeFor(mode: RunMode): BulkMode {
  switch (mode) {
    case 'upsert':
    case 'create':
      return 'create';
    case 'delete':
      return 'delete';
    case 'disable':
      return 'update';
  }
}
