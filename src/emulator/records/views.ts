/**
 * What each route shows of a stored record (contract 2.4): PUT returns the full record with its
 * keys; GET and query strip keys and certificates; GET alone adds `registrationState`.
 */
import type { DeviceRegistrationState } from '../../dps/contract/index.js';
import { viewAttestation } from './attestation.js';
import type { StoredRecord } from './normalize-record.js';

/** The PUT answer: keys included (generated ones too), certificates reduced to `info`. */
export function viewAfterWrite(record: StoredRecord): Record<string, unknown> {
  return { ...record, attestation: viewAttestation(record.attestation, WITH_KEYS) };
}

/** The query item: no keys, no certificates, no registration state. */
export function viewInQuery(record: StoredRecord): Record<string, unknown> {
  return { ...record, attestation: viewAttestation(record.attestation, WITHOUT_SECRETS) };
}

/**
 * The GET answer: like a query item, plus `registrationState` right after the device ID (or
 * after the ID when there is no device ID) for individual enrollments.
 */
export function viewOnRead(
  record: StoredRecord,
  registrationState: DeviceRegistrationState | undefined,
): Record<string, unknown> {
  const stripped = viewInQuery(record);
  if (registrationState === undefined) return stripped;

  const anchor = stripped['deviceId'] === undefined ? 'registrationId' : 'deviceId';
  const view: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(stripped)) {
    view[name] = value;
    if (name === anchor) view['registrationState'] = registrationState;
  }

  return view;
}

const WITH_KEYS = { keys: true, certificates: false };
const WITHOUT_SECRETS = { keys: false, certificates: false };
