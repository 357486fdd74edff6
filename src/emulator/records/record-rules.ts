/**
 * The rules the service applies to a record's plain fields (contract 2.3 and 4): enum values,
 * object shapes, and IoT hubs that must be linked to the DPS.
 */
import { describeJson } from './id-rules.js';

type Json = Record<string, unknown>;

/** A checked field's value to store (undefined = leave out), or why it was refused. */
export type FieldResult = { ok: true; value: unknown } | { ok: false; message: string };

/** The answer for an absent optional field; shared, since the bulk path checks many. */
export const ABSENT: FieldResult = { ok: true, value: undefined };

const PROVISIONING_STATUSES = ['enabled', 'disabled'];
const ALLOCATION_POLICIES = ['hashed', 'geoLatency', 'static', 'custom'];
const AZURE_HUB_SUFFIX = '.azure-devices.net';

/** True for `null` or an absent field: both mean "not provided" and are left out on output. */
export function isAbsent(value: unknown): value is null | undefined {
  return value === undefined || value === null;
}

/** True for a plain JSON object (not null, not an array). */
export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `provisioningStatus`: absent → the spec default `enabled`; `null` is echoed (observed). */
export function checkProvisioningStatus(value: unknown): FieldResult {
  if (value === undefined) return { ok: true, value: 'enabled' };
  if (value === null) return { ok: true, value: null };

  return checkEnum('provisioningStatus', value, PROVISIONING_STATUSES);
}

/** `allocationPolicy`: one of hashed, geoLatency, static, custom. */
export function checkAllocationPolicy(value: unknown): FieldResult {
  if (isAbsent(value)) return ABSENT;

  return checkEnum('allocationPolicy', value, ALLOCATION_POLICIES);
}

/** `capabilities`: `{ iotEdge }`, which defaults to false. */
export function checkCapabilities(value: unknown): FieldResult {
  if (isAbsent(value)) return ABSENT;
  if (!isObject(value)) return objectExpected('capabilities', value);

  const iotEdge = value['iotEdge'] ?? false;
  if (typeof iotEdge !== 'boolean') {
    return fail(`capabilities.iotEdge: must be true or false, found ${describeJson(iotEdge)}`);
  }

  return { ok: true, value: { iotEdge } };
}

/** `reprovisionPolicy`: two booleans, each true by default. */
export function checkReprovisionPolicy(value: unknown): FieldResult {
  if (isAbsent(value)) return ABSENT;
  if (!isObject(value)) return objectExpected('reprovisionPolicy', value);

  const policy: Record<string, boolean> = {};
  for (const name of ['updateHubAssignment', 'migrateDeviceData']) {
    const flag = value[name] ?? true;
    if (typeof flag !== 'boolean') {
      return fail(`reprovisionPolicy.${name}: must be true or false, found ${describeJson(flag)}`);
    }

    policy[name] = flag;
  }

  return { ok: true, value: policy };
}

/** `initialTwin`: `{ tags?, properties?: { desired? } }`, each part an object. */
export function checkInitialTwin(value: unknown): FieldResult {
  if (isAbsent(value)) return ABSENT;
  if (!isObject(value)) return objectExpected('initialTwin', value);

  const twin: Json = {};
  if (!isAbsent(value['tags'])) {
    if (!isObject(value['tags'])) return objectExpected('initialTwin.tags', value['tags']);
    twin['tags'] = value['tags'];
  }

  const properties = value['properties'];
  if (!isAbsent(properties)) {
    if (!isObject(properties)) return objectExpected('initialTwin.properties', properties);

    const desired = properties['desired'];
    if (!isAbsent(desired) && !isObject(desired)) {
      return objectExpected('initialTwin.properties.desired', desired);
    }

    twin['properties'] = isAbsent(desired) ? {} : { desired };
  }

  return { ok: true, value: twin };
}

/** Any JSON object (e.g. `optionalDeviceInformation`), stored as sent. */
export function checkFreeObject(field: string, value: unknown): FieldResult {
  if (isAbsent(value)) return ABSENT;

  return isObject(value) ? { ok: true, value } : objectExpected(field, value);
}

/** `customAllocationDefinition`: both `webhookUrl` and `apiVersion`, required with `custom`. */
export function checkCustomAllocation(value: unknown, allocationPolicy: unknown): FieldResult {
  if (isAbsent(value)) {
    return allocationPolicy === 'custom'
      ? fail('customAllocationDefinition: required when allocationPolicy is "custom"')
      : ABSENT;
  }

  if (!isObject(value)) return objectExpected('customAllocationDefinition', value);

  for (const name of ['webhookUrl', 'apiVersion']) {
    if (typeof value[name] !== 'string' || value[name] === '') {
      return fail(
        `customAllocationDefinition.${name}: required non-empty string, ` +
          `found ${describeJson(value[name])}`,
      );
    }
  }

  return { ok: true, value: { webhookUrl: value['webhookUrl'], apiVersion: value['apiVersion'] } };
}

/**
 * `iotHubs` and `iotHubHostName` must name hubs linked to the DPS. With no linked hubs
 * configured, any host name under azure-devices.net counts, so a user can rehearse their own
 * manifest.
 */
export function checkHubList(value: unknown, linkedHubs: readonly string[]): FieldResult {
  if (isAbsent(value)) return ABSENT;
  if (!Array.isArray(value)) return fail(`iotHubs: must be an array, found ${describeJson(value)}`);

  for (const [index, hub] of value.entries()) {
    const problem = findHubProblem(`iotHubs[${index}]`, hub, linkedHubs);
    if (problem !== undefined) return fail(problem);
  }

  return { ok: true, value };
}

/** `iotHubHostName`: one linked hub. */
export function checkHubHostName(value: unknown, linkedHubs: readonly string[]): FieldResult {
  if (isAbsent(value)) return ABSENT;

  const problem = findHubProblem('iotHubHostName', value, linkedHubs);

  return problem === undefined ? { ok: true, value } : fail(problem);
}

function findHubProblem(
  field: string,
  hub: unknown,
  linkedHubs: readonly string[],
): string | undefined {
  if (typeof hub !== 'string' || hub === '') {
    return `${field}: must be an IoT hub host name, found ${describeJson(hub)}`;
  }

  const name = hub.toLowerCase();
  const isLinked =
    linkedHubs.length === 0
      ? name.endsWith(AZURE_HUB_SUFFIX) && name.length > AZURE_HUB_SUFFIX.length
      : linkedHubs.some((linked) => linked.toLowerCase() === name);
  if (isLinked) return undefined;

  const expected =
    linkedHubs.length === 0
      ? `a host name under ${AZURE_HUB_SUFFIX.slice(1)}`
      : `one of the linked hubs (${linkedHubs.join(', ')})`;

  return `${field}: must be ${expected}, found "${hub.slice(0, 120)}"`;
}

function checkEnum(field: string, value: unknown, allowed: readonly string[]): FieldResult {
  if (typeof value === 'string' && allowed.includes(value)) return { ok: true, value };

  const found = typeof value === 'string' ? `"${value.slice(0, 40)}"` : describeJson(value);

  return fail(`${field}: must be one of ${allowed.join(', ')}, found ${found}`);
}

function objectExpected(field: string, value: unknown): FieldResult {
  return fail(`${field}: must be an object, found ${describeJson(value)}`);
}

function fail(message: string): FieldResult {
  return { ok: false, message };
}
