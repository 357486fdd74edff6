/**
 * The fingerprint of an enrollment: sha256 (hex) of its canonical JSON (object keys in sorted
 * order at every level; integer-like keys first in numeric order, as JavaScript objects keep
 * them), secrets included. Equal fingerprints mean the service was asked for the same thing, so
 * the state store can skip unchanged rows while storing no secret.
 */
import { hash } from 'node:crypto';

import type { IndividualEnrollment, TwinCollection } from '../dps/contract/index.js';

/**
 * Fingerprint of an enrollment built by the row checker. Its own objects are built with sorted
 * keys, so only the JSON objects users gave (twin parts, device information) need sorting.
 */
export function fingerprintOf(enrollment: IndividualEnrollment): string {
  const { initialTwin, optionalDeviceInformation } = enrollment;

  if (initialTwin === undefined && optionalDeviceInformation === undefined) {
    return hash('sha256', JSON.stringify(enrollment), 'hex');
  }

  const canonical: IndividualEnrollment = { ...enrollment };

  if (initialTwin !== undefined) {
    canonical.initialTwin = sortKeysDeep(initialTwin) as typeof initialTwin;
  }
  if (optionalDeviceInformation !== undefined) {
    canonical.optionalDeviceInformation = sortKeysDeep(optionalDeviceInformation) as TwinCollection;
  }

  return hash('sha256', JSON.stringify(canonical), 'hex');
}

/** Fingerprint of any enrollment, whatever its key order (slower: sorts every object). */
export function fingerprintOfAny(enrollment: IndividualEnrollment): string {
  return hash('sha256', canonicalJson(enrollment), 'hex');
}

/** JSON with object keys in canonical order at every level; undefined members dropped. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeysDeep(value));
}

/** A copy of `value` whose objects have their keys inserted in sorted order. */
export function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => sortKeysDeep(item));

  if (typeof value !== 'object' || value === null) return value;

  const record = value as Record<string, unknown>;
  const sorted: Record<string, unknown> = {};

  for (const key of Object.keys(record).sort()) {
    if (key === '__proto__') defineValue(sorted, key, sortKeysDeep(record[key]));
    else sorted[key] = sortKeysDeep(record[key]);
  }

  return sorted;
}

/** Own, enumerable property even for a key such as `__proto__`. */
export function defineValue(node: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
}
