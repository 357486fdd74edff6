/**
 * Everything the emulator can be told, and the defaults it falls back to. Behaviours the public
 * record leaves open (dps-contract.md marks them UNCONFIRMED or ★) are switches here, each with
 * the default written next to it and in the README's "The emulator" section.
 */
import type { Permission } from './auth/permissions.js';
import type { FaultOptions } from './faults/fault-options.js';

/** One shared access policy: a name, its permissions and (optionally) a fixed base64 key. */
export interface PolicyOptions {
  name: string;
  permissions: readonly Permission[];
  /** Base64 key; random 32 bytes per start (or kept in the state file) when absent. */
  key?: string;
}

/**
 * Switches for behaviours the public record does not settle. Each default is the emulator's
 * best reading of the contract; the README's "The emulator" section lists them.
 */
export interface BehaviorOptions {
  /**
   * `docs`: last character a letter, digit or `-` (DPS concepts page). `spec`: first and last
   * character a letter or digit (REST spec 2021-10-01). @default "docs"
   */
  registrationIdRule?: 'docs' | 'spec';
  /** Stored casing of IDs: kept as sent, or lower-cased. Lookups ignore case either way.
   * @default "preserve" */
  idCase?: 'preserve' | 'lower';
  /** Bulk `update` of an ID that does not exist (and carries no etag): 404201, or create it as
   * PUT without If-Match would. @default "not-found" */
  updateMissing?: 'not-found' | 'create';
  /** PUT or DELETE with If-Match (not `*`) on a missing ID: 404 or 412. @default "not-found" */
  ifMatchOnMissing?: 'not-found' | 'precondition-failed';
  /** Status when a policy lacks the permission a route needs. @default 403 */
  permissionDeniedStatus?: 401 | 403;
  /** Query page size when the client sends no `x-ms-max-item-count`; 0 = everything.
   * @default 100 */
  defaultPageSize?: number;
  /** How much of a TPM endorsement key is checked. @default "none" (any non-empty string) */
  tpmCheck?: 'none' | 'base64' | 'structure';
  /** Check `deviceId` against IoT Hub's device ID rules at write time. @default true */
  checkDeviceId?: boolean;
  /** Compare bulk `mode` case-insensitively (the Node SDK spells `updateIfMatchEtag`).
   * @default true */
  bulkModeIgnoresCase?: boolean;
  /** Update that sends no symmetric keys: keep the stored ones, or generate new ones.
   * @default "keep" */
  keysOnUpdate?: 'keep' | 'regenerate';
  /** A bulk call costs one throttle operation per item instead of one per call.
   * @default false */
  countBulkItems?: boolean;
}

/** Options of `startEmulator` and of the `emulator` command. */
export interface EmulatorOptions {
  /** Interface to listen on. @default "127.0.0.1" */
  host?: string;
  /** TCP port; 0 picks a free one. @default 8443 */
  port?: number;
  /** Throttle quota in operations per minute; no throttling when absent. */
  operationsPerMinute?: number;
  /** Token bucket size in operations. @default one second's worth (at least 1) */
  burst?: number;
  /** Send `Retry-After` (whole seconds) on 429. @default true */
  retryAfter?: boolean;
  /** IoT Hub host names linked to this DPS; with none, any `*.azure-devices.net` counts. */
  linkedHubs?: string[];
  /** Seed of the fault-injection random stream. @default derived from the clock */
  seed?: number;
  /** JSON file that keeps enrollments and policy keys across restarts; memory only if absent. */
  statePath?: string;
  /** Serve HTTPS: `true` generates a CA and a loopback certificate, or give PEM text. */
  tls?: boolean | { cert: string; key: string };
  /** Access policies. @default one "provisioningserviceowner" holding every permission */
  policies?: PolicyOptions[];
  /** Static Microsoft Entra bearer tokens accepted with every enrollment permission. */
  bearerTokens?: string[];
  /** Injected failures for rehearsals and tests. */
  faults?: FaultOptions;
  /** Switches for unconfirmed service behaviours. */
  behavior?: BehaviorOptions;
  /** Largest request body in bytes. @default 98304 (96 KB, the service's message limit) */
  maxBodyBytes?: number;
}
