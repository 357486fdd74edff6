/**
 * Every field of an individual enrollment (contract section 2.3) from one row. The object is
 * built with its keys in sorted order, so its JSON is already canonical; a blank cell leaves its
 * field out (never an empty string).
 */
import type {
  AllocationPolicy,
  CustomAllocationDefinition,
  IndividualEnrollment,
  ReprovisionPolicy,
} from '../dps/contract/index.js';
import { MAX_MESSAGE_BYTES } from '../dps/contract/index.js';
import type { ManifestColumn } from '../manifest/index.js';
import { buildAttestation } from './attestation.js';
import {
  ALLOCATION_POLICIES,
  BOOLEAN_ALLOWED,
  parseBoolean,
  PROVISIONING_STATUSES,
} from './enum-values.js';
import type { EnumValues } from './enum-values.js';
import { hostNameProblem, webhookApiVersionProblem, webhookUrlProblem } from './hosts.js';
import { checkDeviceId } from './identifiers.js';
import type { RowContext } from './row-context.js';
import type { RowEnvironment } from './row-environment.js';
import { buildTwinParts, parseJsonObject } from './twin.js';

/** Room left in a 96 KB call for the envelope and an etag added by upsert's update. */
const CALL_ALLOWANCE_BYTES = 512;

/** Largest enrollment JSON that still fits alone in one bulk call. */
export const MAX_ENROLLMENT_BYTES = MAX_MESSAGE_BYTES - CALL_ALLOWANCE_BYTES;

/** The row's enrollment, or undefined when a rule failed (the issues are on the context). */
export function buildEnrollment(
  context: RowContext,
  environment: RowEnvironment,
): IndividualEnrollment | undefined {
  const allocationPolicy = enumValue(context, 'allocationPolicy', ALLOCATION_POLICIES);
  const attestation = buildAttestation(context, environment);
  const iotEdge = booleanValue(context, 'iotEdge');
  const customAllocation = customAllocationDefinition(context, allocationPolicy);
  const deviceId = deviceIdValue(context);
  const twin = buildTwinParts(context);
  const iotHubHostName = hostValue(context);
  const iotHubs = hubsValue(context, environment, allocationPolicy);
  const deviceInformation = parseJsonObject(context, 'optionalDeviceInformation');
  const provisioningStatus = enumValue(context, 'provisioningStatus', PROVISIONING_STATUSES);
  const reprovisionPolicy = reprovisionPolicyValue(context);

  if (iotHubHostName !== undefined && allocationPolicy !== undefined) {
    context.warn(
      'iotHubHostName',
      'iot-hub-host-name-conflict',
      'iotHubHostName is the legacy single-hub field; with allocationPolicy, prefer iotHubs',
    );
  }

  if (attestation === undefined || context.issues.length > 0) return undefined;

  // Keys in sorted order: JSON.stringify of this object is the canonical form.
  const enrollment = {} as IndividualEnrollment;
  if (allocationPolicy !== undefined) enrollment.allocationPolicy = allocationPolicy;
  enrollment.attestation = attestation;
  if (iotEdge !== undefined) enrollment.capabilities = { iotEdge };
  if (customAllocation !== undefined) enrollment.customAllocationDefinition = customAllocation;
  if (deviceId !== undefined) enrollment.deviceId = deviceId;
  if (twin.tags !== undefined || twin.desired !== undefined) {
    enrollment.initialTwin = initialTwin(twin);
  }
  if (iotHubHostName !== undefined) enrollment.iotHubHostName = iotHubHostName;
  if (iotHubs !== undefined) enrollment.iotHubs = iotHubs;
  if (deviceInformation !== undefined) enrollment.optionalDeviceInformation = deviceInformation;
  if (provisioningStatus !== undefined) enrollment.provisioningStatus = provisioningStatus;
  enrollment.registrationId = environment.registrationId;
  if (reprovisionPolicy !== undefined) enrollment.reprovisionPolicy = reprovisionPolicy;

  return fitsOneCall(context, enrollment) ? enrollment : undefined;
}

function initialTwin(
  twin: ReturnType<typeof buildTwinParts>,
): NonNullable<IndividualEnrollment['initialTwin']> {
  if (twin.desired === undefined) return { tags: twin.tags };
  if (twin.tags === undefined) return { properties: { desired: twin.desired } };
  return { properties: { desired: twin.desired }, tags: twin.tags };
}

function enumValue<Value extends string>(
  context: RowContext,
  column: ManifestColumn,
  values: EnumValues<Value>,
): Value | undefined {
  const text = context.value(column);

  if (text === undefined) return undefined;

  const value = values.find(text);
  if (value === undefined) {
    context.fail(column, `${ruleStem(column)}-value`, values.describeMismatch(text));
  }
  return value;
}

/** `allocationPolicy` → `allocation-policy`: rule names are kebab-case. */
function ruleStem(column: string): string {
  return column.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

function booleanValue(context: RowContext, column: ManifestColumn): boolean | undefined {
  const text = context.value(column);

  if (text === undefined) return undefined;

  const value = parseBoolean(text);
  if (value === undefined) {
    context.fail(
      column,
      'boolean-value',
      `found '${text.slice(0, 40)}'; allowed: ${BOOLEAN_ALLOWED}`,
    );
  }
  return value;
}

function reprovisionPolicyValue(context: RowContext): ReprovisionPolicy | undefined {
  const updateHubAssignment = booleanValue(context, 'updateHubAssignment');
  const migrateDeviceData = booleanValue(context, 'migrateDeviceData');

  if (updateHubAssignment === undefined && migrateDeviceData === undefined) return undefined;

  // The wire needs both; the service's default for an unset one is true.
  return {
    migrateDeviceData: migrateDeviceData ?? true,
    updateHubAssignment: updateHubAssignment ?? true,
  };
}

function customAllocationDefinition(
  context: RowContext,
  allocationPolicy: AllocationPolicy | undefined,
): CustomAllocationDefinition | undefined {
  const webhookUrl = context.value('webhookUrl');
  const apiVersion = context.value('webhookApiVersion');

  if (webhookUrl === undefined && apiVersion === undefined) {
    if (allocationPolicy === 'custom') {
      context.fail(
        'webhookUrl',
        'custom-allocation-incomplete',
        'allocationPolicy custom needs webhookUrl and webhookApiVersion',
      );
    }

    return undefined;
  }

  if (webhookUrl === undefined || apiVersion === undefined) {
    const missing = webhookUrl === undefined ? 'webhookUrl' : 'webhookApiVersion';
    context.fail(
      missing,
      'custom-allocation-incomplete',
      'webhookUrl and webhookApiVersion go together; this one is blank',
    );
    return undefined;
  }

  const urlProblem = webhookUrlProblem(webhookUrl);
  const versionProblem = webhookApiVersionProblem(apiVersion);

  if (urlProblem !== undefined) context.fail('webhookUrl', 'webhook-url', urlProblem);
  if (versionProblem !== undefined) {
    context.fail('webhookApiVersion', 'webhook-api-version', versionProblem);
  }

  if (allocationPolicy !== 'custom') {
    context.warn(
      'webhookUrl',
      'custom-allocation-unused',
      'sent, but the service calls it only with allocationPolicy custom',
    );
  }

  return { apiVersion, webhookUrl };
}

function deviceIdValue(context: RowContext): string | undefined {
  const value = context.value('deviceId');

  if (value === undefined) return undefined;

  const problem = checkDeviceId(value);
  if (problem !== undefined) context.fail('deviceId', problem.rule, problem.found);
  return value;
}

function hostValue(context: RowContext): string | undefined {
  const value = context.value('iotHubHostName');

  if (value === undefined) return undefined;

  const problem = hostNameProblem(value);
  if (problem !== undefined) context.fail('iotHubHostName', 'iot-hub-host-name', problem);
  return value;
}

function hubsValue(
  context: RowContext,
  environment: RowEnvironment,
  allocationPolicy: AllocationPolicy | undefined,
): string[] | undefined {
  const text = context.value('iotHubs');

  if (text === undefined) return undefined;

  const list = environment.hubs.read(text);

  if ('problem' in list) {
    context.fail('iotHubs', 'iot-hub-host-name', list.problem);
    return undefined;
  }

  if (allocationPolicy === 'static' && list.hubs.length !== 1) {
    context.warn(
      'iotHubs',
      'static-allocation-hubs',
      `allocationPolicy static uses one hub; found ${list.hubs.length}`,
    );
  }

  // A copy: the list is shared with later rows, and the enrollment is the caller's to change.
  return list.hubs.length === 0 ? undefined : [...list.hubs];
}

function fitsOneCall(context: RowContext, enrollment: IndividualEnrollment): boolean {
  if (context.worstCaseJsonBytes() <= MAX_ENROLLMENT_BYTES) return true;

  const bytes = Buffer.byteLength(JSON.stringify(enrollment));

  if (bytes <= MAX_ENROLLMENT_BYTES) return true;

  context.fail(
    'row',
    'enrollment-too-large',
    `the enrollment is ${bytes} bytes of JSON; ` +
      `one bulk call carries at most ${MAX_ENROLLMENT_BYTES} ` +
      '(96 KB less room for the call envelope)',
  );
  return false;
}
