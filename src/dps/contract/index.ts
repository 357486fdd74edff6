export type * from './types.js';
export { API_VERSION, ACCEPTED_API_VERSIONS } from './api-version.js';
export { ERROR_CODES, ERROR_STATUS_TEXT } from './error-codes.js';
export {
  MAX_BULK_ITEMS,
  MAX_MESSAGE_BYTES,
  MAX_REGISTRATION_ID_LENGTH,
  MIN_SYMMETRIC_KEY_BYTES,
  MAX_SYMMETRIC_KEY_BYTES,
  GENERATED_SYMMETRIC_KEY_BYTES,
  DEFAULT_OPERATIONS_PER_MINUTE_PER_UNIT,
} from './limits.js';
export {
  ConnectionStringError,
  parseConnectionString,
  formatConnectionString,
  computeSasSignature,
  createSasToken,
  parseSasToken,
  isSasSignatureValid,
} from './sas.js';
export type { ConnectionString, SasTokenInput, ParsedSasToken } from './sas.js';
