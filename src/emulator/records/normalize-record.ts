/**
 * Turns a request's enrollment (or enrollment group) into the record the emulator stores: every
 * rule checked, keys generated, certificate info computed, etag and timestamps set, fields in
 * the order the service was observed to return them (contract 2.4).
 */
import type { AttestationMechanism } from '../../dps/contract/index.js';
import { createEtag } from '../store/timestamps.js';
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
  ABSENT,
  isAbsent,
  isObject,
  type FieldResult,
} from './record-rules.js';

/** The switches and linked hubs that record validation depends on. */
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

/** The record to store, or the message of the first rule the input broke. */
export type NormalizeResult = { ok: true; record: StoredRecord } | { ok: false; message: string };

/**
 * Checks `input` and builds the record to store. `previous` is the record being replaced, whose
 * creation time, ID casing and (by default) keys carry over. `clock` is the request's time, so
 * every item of one bulk call gets the same timestamp.
 */
export function normalizeRecord(
  input: unknown,
  kind: RecordKind,
  settings: RecordSettings,
  previous: StoredRecord | undefined,
  clock: WriteClock,
): NormalizeResult {
  if (!isObject(input)) {
    return fail(`${kind.label}: expected a JSON object, found ${describeJson(input)}`);
  }

  const idProblem = findIdProblem(kind.idField, input[kind.idField], settings.idRule);
  if (idProblem !== undefined) return fail(idProblem);

  const fields = checkFields(input, kind, settings);
  if (typeof fields === 'string') return fail(fields);

  const attestation = normalizeAttestation(
    input['attestation'],
    kind,
    settings,
    previous?.attestation,
  );
  if (!attestation.ok) return fail(attestation.message);

  const id = chooseIdCasing(input[kind.idField] as string, kind, settings, previous);

  const record = assembleRecord(kind, id, fields, attestation.attestation, previous, clock);

  return { ok: true, record };
}

/** The time of one write: epoch milliseconds and the service-format timestamp. */
export interface WriteClock {
  nowMs: number;
  timestamp: string;
}

interface CheckedFields {
  deviceId: unknown;
  capabilities: unknown;
  iotHubHostName: unknown;
  initialTwin: unknown;
  provisioningStatus: unknown;
  reprovisionPolicy: unknown;
  allocationPolicy: unknown;
  iotHubs: unknown;
  customAllocationDefinition: unknown;
  optionalDeviceInformation: unknown;
}

/**
 * The record in the order the service was observed to return fields (contract 2.4); fields it
 * never showed go where they fit. Absent fields stay `undefined`, which JSON leaves out, so
 * every record has the same shape (cheap on the bulk path).
 */
function assembleRecord(
  kind: RecordKind,
  id: string,
  fields: CheckedFields,
  attestation: StoredRecord['attestation'],
  previous: StoredRecord | undefined,
  clock: WriteClock,
): StoredRecord {
  return {
    registrationId: kind.isGroup ? undefined : id,
    enrollmentGroupId: kind.isGroup ? id : undefined,
    deviceId: fields.deviceId,
    attestation,
    capabilities: fields.capabilities,
    iotHubHostName: fields.iotHubHostName,
    initialTwin: fields.initialTwin,
    etag: createEtag(clock.nowMs),
    provisioningStatus: fields.provisioningStatus,
    reprovisionPolicy: fields.reprovisionPolicy,
    createdDateTimeUtc: previous?.createdDateTimeUtc ?? clock.timestamp,
    lastUpdatedDateTimeUtc: clock.timestamp,
    allocationPolicy: fields.allocationPolicy,
    iotHubs: fields.iotHubs,
    customAllocationDefinition: fields.customAllocationDefinition,
    optionalDeviceInformation: fields.optionalDeviceInformation,
  };
}

/** Every plain field, checked in turn; the first problem is returned as its message. */
function checkFields(
  input: Record<string, unknown>,
  kind: RecordKind,
  settings: RecordSettings,
): CheckedFields | string {
  const deviceId = kind.isGroup ? ABSENT : checkDeviceId(input['deviceId'], settings);
  if (!deviceId.ok) return deviceId.message;
  const capabilities = checkCapabilities(input['capabilities']);
  if (!capabilities.ok) return capabilities.message;
  const iotHubHostName = checkHubHostName(input['iotHubHostName'], settings.linkedHubs);
  if (!iotHubHostName.ok) return iotHubHostName.message;
  const initialTwin = checkInitialTwin(input['initialTwin']);
  if (!initialTwin.ok) return initialTwin.message;
  const provisioningStatus = checkProvisioningStatus(input['provisioningStatus']);
  if (!provisioningStatus.ok) return provisioningStatus.message;
  const reprovisionPolicy = checkReprovisionPolicy(input['reprovisionPolicy']);
  if (!reprovisionPolicy.ok) return reprovisionPolicy.message;
  const allocationPolicy = checkAllocationPolicy(input['allocationPolicy']);
  if (!allocationPolicy.ok) return allocationPolicy.message;
  const iotHubs = checkHubList(input['iotHubs'], settings.linkedHubs);
  if (!iotHubs.ok) return iotHubs.message;
  const custom = checkCustomAllocation(
    input['customAllocationDefinition'],
    input['allocationPolicy'],
  );
  if (!custom.ok) return custom.message;
  const information = checkFreeObject(
    'optionalDeviceInformation',
    input['optionalDeviceInformation'],
  );
  if (!information.ok) return information.message;

  return {
    deviceId: deviceId.value,
    capabilities: capabilities.value,
    iotHubHostName: iotHubHostName.value,
    initialTwin: initialTwin.value,
    provisioningStatus: provisioningStatus.value,
    reprovisionPolicy: reprovisionPolicy.value,
    allocationPolicy: allocationPolicy.value,
    iotHubs: iotHubs.value,
    customAllocationDefinition: custom.value,
    optionalDeviceInformation: information.value,
  };
}

function checkDeviceId(value: unknown, settings: RecordSettings): FieldResult {
  if (isAbsent(value)) return ABSENT;
  if (typeof value !== 'string') {
    return { ok: false, message: `deviceId: must be a string, found ${describeJson(value)}` };
  }

  const problem = settings.checkDeviceId ? findDeviceIdProblem(value) : undefined;

  return problem === undefined ? { ok: true, value } : { ok: false, message: problem };
}

function chooseIdCasing(
  id: string,
  kind: RecordKind,
  settings: RecordSettings,
  previous: StoredRecord | undefined,
): string {
  if (settings.idCase === 'lower') return id.toLowerCase();

  // The ID keeps the casing it was created with; lookups ignore case anyway.
  return (previous?.[kind.idField] as string | undefined) ?? id;
}

function fail(message: string): NormalizeResult {
  return { ok: false, message };
}
