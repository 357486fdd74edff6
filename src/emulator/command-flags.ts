/**
 * The `emulator` command's flags, as commander hands them over, turned into `EmulatorOptions`.
 * Kept free of commander so that it is a plain function to test; every refusal names the flag,
 * the rule and what was given.
 */
import { ALL_PERMISSIONS, findPermission } from './auth/permissions.js';
import { parseFaultTrigger, type FaultOptions } from './faults/fault-options.js';
import type { BehaviorOptions, EmulatorOptions, PolicyOptions } from './options.js';
import { EmulatorOptionsError } from './settings.js';

/** Flags after commander parsed them (strings unless commander converted them). */
export interface EmulatorCommandFlags {
  host: string;
  port: string;
  opsPerMinute?: string;
  burst?: string;
  retryAfter: boolean;
  countBulkItems?: boolean;
  linkedHub: string[];
  policy: string[];
  bearerToken: string[];
  seed?: string;
  state?: string;
  tls?: boolean;
  cert?: string;
  key?: string;
  fault500?: string;
  fault503?: string;
  faultLatency?: string;
  latencyMs?: string;
  faultDropBefore?: string;
  faultDropAfter?: string;
  faultSlow?: string;
  slowMs?: string;
  maxBodyBytes?: string;
  registrationIdRule?: string;
  idCase?: string;
  updateMissing?: string;
  ifMatchMissing?: string;
  permissionDeniedStatus?: string;
  pageSize?: string;
  tpmCheck?: string;
  deviceIdCheck: boolean;
  exactBulkMode?: boolean;
  keysOnUpdate?: string;
}

/** Reads the PEM files of `--cert` / `--key`; given as a function so tests need no files. */
export type ReadTextFile = (path: string) => string;

/** Turns the command's flags into `EmulatorOptions`; throws EmulatorOptionsError on a bad value. */
export function emulatorOptionsFromFlags(
  flags: EmulatorCommandFlags,
  readTextFile: ReadTextFile,
): EmulatorOptions {
  const options: EmulatorOptions = {
    host: flags.host,
    port: readWhole('--port', flags.port, 0),
    retryAfter: flags.retryAfter,
    linkedHubs: flags.linkedHub,
    faults: readFaults(flags),
    behavior: readBehavior(flags),
  };

  const operationsPerMinute = readOptionalWhole('--ops-per-minute', flags.opsPerMinute, 1);
  if (operationsPerMinute !== undefined) options.operationsPerMinute = operationsPerMinute;
  const burst = readOptionalWhole('--burst', flags.burst, 1);
  if (burst !== undefined) options.burst = burst;
  const seed = readOptionalWhole('--seed', flags.seed, 0);
  if (seed !== undefined) options.seed = seed;
  const maxBodyBytes = readOptionalWhole('--max-body-bytes', flags.maxBodyBytes, 1);
  if (maxBodyBytes !== undefined) options.maxBodyBytes = maxBodyBytes;

  if (flags.state !== undefined) options.statePath = flags.state;
  if (flags.policy.length > 0) options.policies = flags.policy.map(parsePolicy);
  if (flags.bearerToken.length > 0) options.bearerTokens = flags.bearerToken;

  const tls = readTls(flags, readTextFile);
  if (tls !== undefined) options.tls = tls;

  return options;
}

/** `name:Permission,Permission[:base64key]`, e.g. `reader:EnrollmentRead`. */
export function parsePolicy(text: string): PolicyOptions {
  const [name = '', permissionList = '', key, ...rest] = text.split(':');
  if (name.trim() === '' || permissionList.trim() === '' || rest.length > 0) {
    // Only the name is echoed: the rest may hold a key.
    const message = `--policy: expected name:Permission,Permission[:base64key], got "${name}:…"`;
    throw new EmulatorOptionsError(message);
  }

  const permissions = permissionList.split(',').map((entry) => {
    const permission = findPermission(entry);
    if (permission === undefined) {
      const known = ALL_PERMISSIONS.join(', ');
      throw new EmulatorOptionsError(`--policy ${name}: permissions are ${known}, got "${entry}"`);
    }

    return permission;
  });

  return key === undefined || key === '' ? { name, permissions } : { name, permissions, key };
}

function readFaults(flags: EmulatorCommandFlags): FaultOptions {
  const faults: FaultOptions = {};
  const triggers: Array<[keyof FaultOptions, string, string | undefined]> = [
    ['internalError', '--fault-500', flags.fault500],
    ['serviceUnavailable', '--fault-503', flags.fault503],
    ['latency', '--fault-latency', flags.faultLatency],
    ['dropBeforeApply', '--fault-drop-before', flags.faultDropBefore],
    ['dropAfterApply', '--fault-drop-after', flags.faultDropAfter],
    ['slowResponse', '--fault-slow', flags.faultSlow],
  ];

  for (const [name, flag, text] of triggers) {
    if (text === undefined) continue;
    try {
      (faults as Record<string, unknown>)[name] = parseFaultTrigger(text);
    } catch (error) {
      throw new EmulatorOptionsError(`${flag}: ${(error as Error).message}`);
    }
  }

  const latencyMs = readOptionalWhole('--latency-ms', flags.latencyMs, 0);
  if (latencyMs !== undefined) faults.latencyMs = latencyMs;
  const slowResponseMs = readOptionalWhole('--slow-ms', flags.slowMs, 0);
  if (slowResponseMs !== undefined) faults.slowResponseMs = slowResponseMs;

  return faults;
}

/** The switch flags; one that was not given keeps the option's own default. */
function readBehavior(flags: EmulatorCommandFlags): BehaviorOptions {
  const chosen: BehaviorOptions = {
    checkDeviceId: flags.deviceIdCheck,
    bulkModeIgnoresCase: flags.exactBulkMode !== true,
    countBulkItems: flags.countBulkItems === true,
    registrationIdRule: readChoice('--registration-id-rule', flags.registrationIdRule, [
      'docs',
      'spec',
    ] as const),
    idCase: readChoice('--id-case', flags.idCase, ['preserve', 'lower'] as const),
    updateMissing: readChoice('--update-missing', flags.updateMissing, [
      'not-found',
      'create',
    ] as const),
    ifMatchOnMissing: readChoice('--if-match-missing', flags.ifMatchMissing, [
      'not-found',
      'precondition-failed',
    ] as const),
    permissionDeniedStatus: readStatus(flags.permissionDeniedStatus),
    defaultPageSize: readOptionalWhole('--page-size', flags.pageSize, 0),
    tpmCheck: readChoice('--tpm-check', flags.tpmCheck, ['none', 'base64', 'structure'] as const),
    keysOnUpdate: readChoice('--keys-on-update', flags.keysOnUpdate, [
      'keep',
      'regenerate',
    ] as const),
  };

  // Left out rather than set to undefined, so the options' defaults apply.
  return Object.fromEntries(
    Object.entries(chosen).filter(([, value]) => value !== undefined),
  ) as BehaviorOptions;
}

function readStatus(text: string | undefined): 401 | 403 | undefined {
  const status = readChoice('--permission-denied-status', text, ['401', '403'] as const);

  return status === undefined ? undefined : status === '401' ? 401 : 403;
}

function readTls(flags: EmulatorCommandFlags, readTextFile: ReadTextFile): EmulatorOptions['tls'] {
  if ((flags.cert === undefined) !== (flags.key === undefined)) {
    throw new EmulatorOptionsError('--cert and --key: give both or neither');
  }

  if (flags.cert !== undefined && flags.key !== undefined) {
    return {
      cert: readPem('--cert', flags.cert, readTextFile),
      key: readPem('--key', flags.key, readTextFile),
    };
  }

  return flags.tls === true ? true : undefined;
}

function readPem(flag: string, path: string, readTextFile: ReadTextFile): string {
  try {
    return readTextFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new EmulatorOptionsError(`${flag} ${path}: cannot read the file (${code})`);
  }
}

function readWhole(flag: string, text: string, minimum: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < minimum || !Number.isSafeInteger(value)) {
    const message = `${flag}: expected a whole number of at least ${minimum}, got "${text}"`;
    throw new EmulatorOptionsError(message);
  }

  return value;
}

function readOptionalWhole(
  flag: string,
  text: string | undefined,
  minimum: number,
): number | undefined {
  return text === undefined ? undefined : readWhole(flag, text, minimum);
}

function readChoice<Choice extends string>(
  flag: string,
  text: string | undefined,
  choices: readonly Choice[],
): Choice | undefined {
  if (text === undefined) return undefined;

  const found = choices.find((choice) => choice === text.trim().toLowerCase());
  if (found === undefined) {
    throw new EmulatorOptionsError(`${flag}: expected one of ${choices.join(', ')}, got "${text}"`);
  }

  return found;
}
