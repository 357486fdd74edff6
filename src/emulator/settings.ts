/**
 * `EmulatorOptions` with every default filled in and every value checked, so the request path
 * never has to ask "was this given?".
 */
import { MAX_MESSAGE_BYTES } from '../dps/contract/index.js';
import { ALL_PERMISSIONS, OWNER_POLICY_NAME } from './auth/permissions.js';
import type { FaultOptions } from './faults/fault-options.js';
import type { EmulatorOptions, PolicyOptions } from './options.js';
import type { RecordSettings } from './records/normalize-record.js';

/** Loopback only, unless told otherwise. */
export const DEFAULT_HOST = '127.0.0.1';
/** The port the command listens on by default. */
export const DEFAULT_PORT = 8443;
/** Query page size when the client sends none (the real service was seen paging 150). */
export const DEFAULT_PAGE_SIZE = 100;

/** Options with every default applied; what the running emulator reads. */
export interface EmulatorSettings {
  host: string;
  port: number;
  operationsPerMinute: number | undefined;
  burst: number | undefined;
  retryAfter: boolean;
  seed: number;
  statePath: string | undefined;
  maxBodyBytes: number;
  policies: PolicyOptions[];
  bearerTokens: readonly string[];
  faults: FaultOptions;
  records: RecordSettings;
  updateMissing: 'not-found' | 'create';
  ifMatchOnMissing: 'not-found' | 'precondition-failed';
  permissionDeniedStatus: 401 | 403;
  defaultPageSize: number;
  bulkModeIgnoresCase: boolean;
  countBulkItems: boolean;
}

/** An option (or flag) the emulator cannot start with; the message names it. */
export class EmulatorOptionsError extends Error {
  override name = 'EmulatorOptionsError';
}

/** Applies the defaults and checks every value; throws EmulatorOptionsError. */
export function resolveSettings(options: EmulatorOptions = {}): EmulatorSettings {
  const behavior = options.behavior ?? {};
  const settings: EmulatorSettings = {
    host: options.host ?? DEFAULT_HOST,
    port: options.port ?? DEFAULT_PORT,
    operationsPerMinute: options.operationsPerMinute,
    burst: options.burst,
    retryAfter: options.retryAfter ?? true,
    seed: options.seed ?? Date.now() % 2_147_483_647,
    statePath: options.statePath,
    maxBodyBytes: options.maxBodyBytes ?? MAX_MESSAGE_BYTES,
    policies: options.policies ?? [{ name: OWNER_POLICY_NAME, permissions: ALL_PERMISSIONS }],
    bearerTokens: options.bearerTokens ?? [],
    faults: options.faults ?? {},
    records: {
      idRule: behavior.registrationIdRule ?? 'docs',
      idCase: behavior.idCase ?? 'preserve',
      checkDeviceId: behavior.checkDeviceId ?? true,
      linkedHubs: options.linkedHubs ?? [],
      tpmCheck: behavior.tpmCheck ?? 'none',
      keysWithoutInput: behavior.keysOnUpdate ?? 'keep',
    },
    updateMissing: behavior.updateMissing ?? 'not-found',
    ifMatchOnMissing: behavior.ifMatchOnMissing ?? 'not-found',
    permissionDeniedStatus: behavior.permissionDeniedStatus ?? 403,
    defaultPageSize: behavior.defaultPageSize ?? DEFAULT_PAGE_SIZE,
    bulkModeIgnoresCase: behavior.bulkModeIgnoresCase ?? true,
    countBulkItems: behavior.countBulkItems ?? false,
  };

  checkSettings(settings);

  return settings;
}

function checkSettings(settings: EmulatorSettings): void {
  requireWhole('port', settings.port, 0, 65_535);
  requireWhole('maxBodyBytes', settings.maxBodyBytes, 1, Number.MAX_SAFE_INTEGER);
  requireWhole('defaultPageSize', settings.defaultPageSize, 0, Number.MAX_SAFE_INTEGER);

  if (settings.operationsPerMinute !== undefined && !(settings.operationsPerMinute > 0)) {
    throw new EmulatorOptionsError(
      `operationsPerMinute: must be a number > 0, got ${settings.operationsPerMinute}`,
    );
  }

  if (settings.burst !== undefined) {
    requireWhole('burst', settings.burst, 1, Number.MAX_SAFE_INTEGER);
  }
  if (settings.policies.length === 0 && settings.bearerTokens.length === 0) {
    throw new EmulatorOptionsError('policies: at least one policy or bearer token is needed');
  }

  const names = new Set(settings.policies.map((policy) => policy.name.toLowerCase()));
  if (names.size !== settings.policies.length) {
    throw new EmulatorOptionsError('policies: each policy name must be unique');
  }
}

function requireWhole(name: string, value: number, minimum: number, maximum: number): void {
  if (!Number.isInteger(value) || value < minimum || value > maximum) {
    const message = `${name}: must be a whole number ${minimum}..${maximum}, got ${value}`;
    throw new EmulatorOptionsError(message);
  }
}
