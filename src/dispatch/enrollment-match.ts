/**
 * Does the record the service holds say what we sent? Used when a create call may have been
 * applied by an attempt whose answer never came, and a later attempt then hears 409201: the row
 * succeeded only if the stored record matches it (issue 5 item 4). Compares what a GET returns
 * (plus the keys from attestationmechanism), with the service's defaults filled in on both sides.
 */
import { X509Certificate } from 'node:crypto';

import type {
  IndividualEnrollment,
  SymmetricKeyAttestation,
  TwinCollection,
  X509CertificateWithInfo,
} from '../dps/contract/index.js';

/** The service's default when an enrollment has no reprovision policy (contract 2.3). */
const DEFAULT_REPROVISION_POLICY = { updateHubAssignment: true, migrateDeviceData: true };

/** Keys the service adds to twin collections on its own. */
const TWIN_METADATA_KEYS = new Set(['version', 'count', 'metadata', '$metadata', '$version']);

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value !== 'object' || value === null) return value;

  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, inner]) => inner !== undefined)
    .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0))
    .map(([key, inner]) => [key, canonical(inner)]);

  return Object.fromEntries(entries);
}

function sameJson(left: unknown, right: unknown): boolean {
  return JSON.stringify(canonical(left)) === JSON.stringify(canonical(right));
}

function twinContent(collection: TwinCollection | undefined): Record<string, unknown> {
  const content: Record<string, unknown> = {};

  for (const [key, value] of Object.entries(collection ?? {})) {
    if (!TWIN_METADATA_KEYS.has(key)) content[key] = value;
  }

  return content;
}

function normalizedHubs(enrollment: IndividualEnrollment): string[] {
  return (enrollment.iotHubs ?? []).map((hub) => hub.toLowerCase()).sort();
}

/** Thumbprints of a certificate given as PEM text or base64 DER, upper-case hex, no colons. */
function thumbprints(certificate: string): { sha1: string; sha256: string } | undefined {
  try {
    const parsed = certificate.includes('-----BEGIN')
      ? new X509Certificate(certificate)
      : new X509Certificate(Buffer.from(certificate, 'base64'));

    return {
      sha1: parsed.fingerprint.replace(/:/g, '').toUpperCase(),
      sha256: parsed.fingerprint256.replace(/:/g, '').toUpperCase(),
    };
  } catch {
    return undefined;
  }
}

function sameCertificate(
  sent: X509CertificateWithInfo | undefined,
  stored: X509CertificateWithInfo | undefined,
): boolean {
  if (sent?.certificate === undefined) return true;

  const expected = thumbprints(sent.certificate);
  const info = stored?.info;
  if (expected === undefined || info === undefined) return false;

  const storedSha256 = info.sha256Thumbprint?.replace(/:/g, '').toUpperCase();
  const storedSha1 = info.sha1Thumbprint?.replace(/:/g, '').toUpperCase();
  return storedSha256 === expected.sha256 || storedSha1 === expected.sha1;
}

function attestationDifferences(
  sent: IndividualEnrollment,
  stored: IndividualEnrollment,
  storedKeys: SymmetricKeyAttestation | undefined,
): string[] {
  const sentAttestation = sent.attestation;
  const storedAttestation = stored.attestation;

  if (sentAttestation.type !== storedAttestation?.type) return ['attestation.type'];

  const differences: string[] = [];
  const sentKeys = sentAttestation.symmetricKey;

  for (const name of ['primaryKey', 'secondaryKey'] as const) {
    const key = sentKeys?.[name];
    if (key && key !== storedKeys?.[name]) differences.push(`attestation.symmetricKey.${name}`);
  }

  const sentTpm = sentAttestation.tpm;
  if (sentTpm && sentTpm.endorsementKey !== storedAttestation.tpm?.endorsementKey) {
    differences.push('attestation.tpm.endorsementKey');
  }

  if (sentTpm?.storageRootKey && sentTpm.storageRootKey !== storedAttestation.tpm?.storageRootKey) {
    differences.push('attestation.tpm.storageRootKey');
  }

  const sentCertificates = sentAttestation.x509?.clientCertificates;
  const storedCertificates = storedAttestation.x509?.clientCertificates;
  for (const slot of ['primary', 'secondary'] as const) {
    if (!sameCertificate(sentCertificates?.[slot], storedCertificates?.[slot])) {
      differences.push(`attestation.x509.clientCertificates.${slot}`);
    }
  }

  const sentReferences = sentAttestation.x509?.caReferences;
  if (sentReferences && !sameJson(sentReferences, storedAttestation.x509?.caReferences)) {
    differences.push('attestation.x509.caReferences');
  }

  return differences;
}

/** Field paths whose stored value differs from what was sent; empty when the record matches. */
export function findDifferences(
  sent: IndividualEnrollment,
  stored: IndividualEnrollment,
  storedKeys?: SymmetricKeyAttestation,
): string[] {
  const differences = attestationDifferences(sent, stored, storedKeys);
  const left = comparableFields(sent);
  const right = comparableFields(stored);

  for (const [path, value] of Object.entries(left)) {
    if (!sameJson(value, right[path])) differences.push(path);
  }

  return differences;
}

/** The fields compared outside attestation, with the service's defaults filled in. */
function comparableFields(enrollment: IndividualEnrollment): Record<string, unknown> {
  const twin = enrollment.initialTwin;

  return {
    deviceId: enrollment.deviceId ?? enrollment.registrationId,
    provisioningStatus: enrollment.provisioningStatus ?? 'enabled',
    iotHubHostName: enrollment.iotHubHostName,
    iotHubs: normalizedHubs(enrollment),
    allocationPolicy: enrollment.allocationPolicy,
    customAllocationDefinition: enrollment.customAllocationDefinition,
    reprovisionPolicy: enrollment.reprovisionPolicy ?? DEFAULT_REPROVISION_POLICY,
    capabilities: enrollment.capabilities ?? { iotEdge: false },
    'initialTwin.tags': twinContent(twin?.tags),
    'initialTwin.properties.desired': twinContent(twin?.properties?.desired),
    optionalDeviceInformation: twinContent(enrollment.optionalDeviceInformation),
  };
}

/** True when verifying this enrollment needs the stored keys (only a POST returns them). */
export function needsStoredKeys(sent: IndividualEnrollment): boolean {
  const keys = sent.attestation.symmetricKey;
  const hasKey = Boolean(keys?.primaryKey || keys?.secondaryKey);

  return sent.attestation.type === 'symmetricKey' && hasKey;
}
