/**
 * Device registration records (`/registrations/{id}`). The emulator has no device-side API, so
 * records only appear through `POST /__emulator/registrations/{id}`, which stands in for a
 * device registering.
 */
import { ERROR_CODES } from '../../dps/contract/index.js';
import type { DeviceRegistrationState } from '../../dps/contract/index.js';
import { errorReply, jsonReply, NO_CONTENT_REPLY, type RouteReply } from '../http/route-reply.js';
import { createEtag, formatServiceTimestamp } from '../store/timestamps.js';
import type { ServiceState } from '../service-state.js';
import {
  preconditionFailedReply,
  readIfMatch,
  type OperationContext,
} from './operation-context.js';

const REGISTRATION_NOT_FOUND = 'Registration not found.';
/** The hub a simulated registration lands on when its enrollment names none. */
const STAND_IN_HUB = 'emulated-hub.azure-devices.net';

/** GET /registrations/{id}: the device's registration record, or 404201. */
export function getRegistration(context: OperationContext): RouteReply {
  const registration = context.state.registrations.get(context.id!);

  return registration === undefined
    ? errorReply(404, ERROR_CODES.registrationNotFound, REGISTRATION_NOT_FOUND)
    : jsonReply(registration.state);
}

/** DELETE /registrations/{id}: 204, with If-Match checked when given. */
export function deleteRegistration(context: OperationContext): RouteReply {
  const id = context.id!;
  const registration = context.state.registrations.get(id);
  if (registration === undefined) {
    return errorReply(404, ERROR_CODES.registrationNotFound, REGISTRATION_NOT_FOUND);
  }

  const ifMatch = readIfMatch(context.headers);
  if (ifMatch !== undefined && ifMatch !== '*' && ifMatch !== registration.state['etag']) {
    return preconditionFailedReply(
      `If-Match does not name the current etag of registration "${id}"`,
    );
  }

  context.state.registrations.delete(id);

  return NO_CONTENT_REPLY;
}

/** The registration record made, or why there was nothing to register through. */
export type SimulatedRegistration =
  { ok: true; state: DeviceRegistrationState } | { ok: false; status: number; message: string };

/**
 * Records a device registration as the service would after a successful attestation: through
 * its individual enrollment, or through the named enrollment group. The hub is the enrollment's
 * first IoT hub, or a stand-in host name.
 */
export function simulateRegistration(
  state: ServiceState,
  registrationId: string,
  enrollmentGroupId: string | undefined,
  nowMs: number,
): SimulatedRegistration {
  const enrollment =
    enrollmentGroupId === undefined
      ? state.enrollments.get(registrationId)
      : state.enrollmentGroups.get(enrollmentGroupId);
  if (enrollment === undefined) {
    const what =
      enrollmentGroupId === undefined
        ? `enrollment "${registrationId}"`
        : `enrollment group "${enrollmentGroupId}"`;

    return { ok: false, status: 404, message: `No ${what} to register through` };
  }

  const hubs = enrollment['iotHubs'] as string[] | undefined;
  const hostName = enrollment['iotHubHostName'] as string | undefined;
  const timestamp = formatServiceTimestamp(nowMs);
  const earlier = state.registrations.get(registrationId)?.state['createdDateTimeUtc'];
  const registrationState: DeviceRegistrationState = {
    registrationId,
    createdDateTimeUtc: earlier ?? timestamp,
    assignedHub: hubs?.[0] ?? hostName ?? STAND_IN_HUB,
    deviceId: (enrollment['deviceId'] as string | undefined) ?? registrationId,
    status: 'assigned',
    substatus: 'initialAssignment',
    lastUpdatedDateTimeUtc: timestamp,
    etag: createEtag(nowMs),
  };

  state.registrations.put(
    registrationId,
    enrollmentGroupId === undefined
      ? { state: registrationState }
      : { state: registrationState, enrollmentGroupId },
  );

  return { ok: true, state: registrationState };
}
