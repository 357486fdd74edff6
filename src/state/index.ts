export { openStateStore, DEFAULT_BUSY_TIMEOUT_MS } from './sqlite-state-store.js';
export type { StateStoreOptions } from './sqlite-state-store.js';
export type {
  InFlightItem,
  LockHolder,
  LockResult,
  OutcomeRecord,
  RunFinish,
  RunStart,
  StateStore,
  StoredEnrollment,
} from './state-store.js';
export { StateStoreError, isStateStoreError } from './state-store-error.js';
export type { StateStoreErrorCode } from './state-store-error.js';
export { foldRegistrationId } from './registration-key.js';
export { LATEST_RUN_REFERENCE } from './run-registry.js';
export { SCHEMA_VERSION } from './schema.js';
