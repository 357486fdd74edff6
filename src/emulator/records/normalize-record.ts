/**
 * Turns a request's enrollment (or enrollment group) into the record the emulator stores: every
 * rule checked, keys generated, certificate info computed, etag and timestamps set, fields in
 * the order the service was observed to return them (contract 2.4).
 */
import type { AttestationMechanism } from '../../dps/contract/index.js';
import { createEtag, formatServiceTimestamp } from '../store/timestamps.js';
import { normalizeAttestation, type AttestationRules } from './attestation.js';
import { describeJson, findDeviceIdProblem, findIdProblem, type IdRule } from './id-rules.js';
import type { RecordKind } from './record-kind.js';
import {
  checkAllocationPolicy,
  checkCapabilities,
  checkCustomAllocation,
  checkFreeObject,
  checkHubHostName,
  checkHubList,
  checkInitialTwin,
  checkProvisioningStatus,
  checkReprovisionPolicy,
  isAbsent,
  isObject,
  type FieldResult,
} from './record-rules.js';

export interface RecordSettings extends AttestationRules {
  idRule: IdRule;
  idCase: 'preserve' | 'lower';
  checkDeviceId: boolean;
  linkedHubs: readonly string[];
}

/** A stored record: the wire object with its secrets, in output order. */
export type StoredRecord = Record<string, unknown> & {
  attestation: AttestationMechanism;
  etag: string;
  createdDateTimeUtc: string;
  lastUpdatedDateTimeUtc: string;
};

export type NormalizeResult = { ok: true; record: StoredRecord } | { ok: false; message: string };

/** Output order observed from the service; fields it never showed go where they fit. */
const FIELD_ORDER = [
  'registrationId',
  'enrollmentGroupId',
  'deviceId',
  'attestation',
  'capabilities',
  'iotHubHostName',
  'initialTwin',
  'etag',
  'provisioningStatus',
  'reprovisionPolicy',
  'createdDateTimeUtc',
  'lastUpdatedDateTimeUtc',
  'allocationPolicy',
  'iotHubs',
  'customAllocationDefinition',
  'optionalDeviceInformation',
] as const;

/**
 * Checks `input` and builds the record to store. `previous` is the record being replaced, whose
 * creation time, ID casing and (by default) keys carry over.
 */
export function normalizeRecord(
  input: unknown,
  kind: RecordKind,
  settings: RecordSettings,
  previous: StoredRecord | undefined,
  nowMs: number,
): NormalizeResult {
  if (!isObject(input)) return fail(`${kind.label}: expected a JSON object, found ${describeJson(input)}`);

  const idProblem = findIdProblem(kind.idField, input[kind.idField], settings.idRule);
  if (idProblem !== undefined) return fail(idProblem);

  const fields = collectFields(input, kind, settings);
  if (!fields.ok) return fail(fields.message);

  const attestation = normalizeAttestation(input['attestation'], kind, settings, previous?.attestation);
  if (!attestation.ok) return fail(attestation.message);

  const timestamp = formatServiceTimestamp(nowMs);
  const values: Record<string, unknown> = {
    ...(fields.value as Record<string, unknown>),
    [kind.idField]: chooseIdCasing(input[kind.idField] as string, kind, settings, previous),
    attestation: attestation.attestation,
    etag: createEtag(nowMs),
    createdDateTimeUtc: previous?.createdDateTimeUtc ?? timestamp,
    lastUpdatedDateTimeUtc: timestamp,
  };

  return { ok: true, record: orderFields(values) as StoredRecord };
}

/** Every plain field, checked; `undefined` values are left out of the record. */
function collectFields(input: Record<string, unknown>, kind: RecordKind, settings: RecordSettings): FieldResult {
  const checks: Array<[string, FieldResult]> = [
    ['deviceId', kind.isGroup ? { ok: true, value: undefined } : checkDeviceId(input['deviceId'], settings)],
    ['capabilities', checkCapabilities(input['capabilities'])],
    ['iotHubHostName', checkHubHostName(input['iotHubHostName'], settings.linkedHubs)],
    ['initialTwin', checkInitialTwin(input['initialTwin'])],
    ['provisioningStatus', checkProvisioningStatus(input['provisioningStatus'])],
    ['reprovisionPolicy', checkReprovisionPolicy(input['reprovisionPolicy'])],
    ['allocationPolicy', checkAllocationPolicy(input['allocationPolicy'])],
    ['iotHubs', checkHubList(input['iotHubs'], settings.linkedHubs)],
    ['customAllocationDefinition', checkCustomAllocation(input['customAllocationDefinition'], input['allocationPolicy'])],
    ['optionalDeviceInformation', checkFreeObject('optionalDeviceInformation', input['optionalDeviceInformation'])],
  ];

  const values: Record<string, unknown> = {};
  for (const [name, result] of checks) {
    if (!result.ok) return result;
    if (result.value !== undefined) values[name] = result.value;
  }

  return { ok: true, value: values };
}

function checkDeviceId(value: unknown, settings: RecordSettings): FieldResult {
  if (isAbsent(value)) return { ok: true, value: undefined };
  if (typeof value !== 'string') {
    return { ok: false, message: `deviceId: must be a string, found ${describeJson(value)}` };
  }

  const problem = settings.checkDeviceId ? findDeviceIdProblem(value) : undefined;

  return problem === undefined ? { ok: true, value } : { ok: false, message: problem };
}

function chooseIdCasing(id: string, kind: RecordKind, settings: RecordSettings, previous?: StoredRecord): string {
  if (settings.idCase === 'lower') return id.toLowerCase();

  // The ID keeps the casing it was created with; lookups ignore case anyway.
  return (previous?.[kind.idField] as string | undefined) ?? id;
}

function orderFields(values: Record<string, unknown>): Record<string, unknown> {
  const ordered: Record<string, unknown> = {};
  for (const name of FIELD_ORDER) {
    if (values[name] !== undefined) ordered[name] = values[name];
  }

  return ordered;
}

function fail(message: string): NormalizeResult {
  return { ok: false, message };
}
