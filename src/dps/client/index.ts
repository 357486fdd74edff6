export { CLOSE_GRACE_MS, createDpsClient } from './dps-client.js';
export { DpsClientError, isDpsClientError } from './errors.js';
export type { DpsClientErrorCode } from './errors.js';
export {
  SAS_TOKEN_LIFETIME_SECONDS,
  SAS_RENEW_BEFORE_EXPIRY_SECONDS,
  createCredentialSource,
} from './credentials.js';
export type { CredentialSource } from './credentials.js';
export { MAX_RESPONSE_BYTES } from './transport.js';
export type {
  DpsAnswer,
  DpsClient,
  DpsClientOptions,
  DpsReply,
  DpsTransportError,
  TransportErrorCode,
} from './types.js';
