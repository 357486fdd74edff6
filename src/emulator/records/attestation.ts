/**
 * Checks an incoming attestation mechanism and turns it into the stored one: symmetric keys
 * generated when absent (contract 4.3), certificates kept with their computed `info` (2.4).
 */
import type {
  AttestationMechanism,
  SymmetricKeyAttestation,
  X509Attestation,
  X509Certificates,
} from '../../dps/contract/index.js';
import { describeJson } from './id-rules.js';
import {
  findSymmetricKeyProblem,
  findTpmKeyProblem,
  generateSymmetricKey,
  type TpmCheck,
} from './key-material.js';
import type { RecordKind } from './record-kind.js';
import { readCertificateInfo } from './x509-info.js';

/** The stored attestation, or the message of the first rule it broke. */
export type AttestationResult =
  { ok: true; attestation: AttestationMechanism } | { ok: false; message: string };

/** The switches that shape attestation checks and key handling. */
export interface AttestationRules {
  tpmCheck: TpmCheck;
  /** On update without keys: keep the stored keys, or generate new ones. */
  keysWithoutInput: 'keep' | 'regenerate';
}

type Json = Record<string, unknown>;

/** Checks an incoming attestation for `kind` and builds the stored one (keys, certificate info). */
export function normalizeAttestation(
  input: unknown,
  kind: RecordKind,
  rules: AttestationRules,
  previous: AttestationMechanism | undefined,
): AttestationResult {
  if (!isObject(input)) return fail(`attestation: required object, found ${describeJson(input)}`);

  switch (input['type']) {
    case 'symmetricKey':
      return normalizeSymmetricKey(input['symmetricKey'], rules, previous);
    case 'tpm':
      if (kind.isGroup) return fail('attestation.type: enrollment groups cannot use "tpm"');

      return normalizeTpm(input['tpm'], rules.tpmCheck);
    case 'x509':
      return normalizeX509(input['x509'], kind);
    case 'none':
      return fail(
        'attestation.type: "none" cannot authenticate a device; use symmetricKey, tpm or x509',
      );
    default: {
      const found = describeValue(input['type']);

      return fail(`attestation.type: must be symmetricKey, tpm or x509, found ${found}`);
    }
  }
}

function normalizeSymmetricKey(
  input: unknown,
  rules: AttestationRules,
  previous: AttestationMechanism | undefined,
): AttestationResult {
  if (input !== undefined && input !== null && !isObject(input)) {
    return fail(`attestation.symmetricKey: must be an object, found ${describeJson(input)}`);
  }

  const kept = rules.keysWithoutInput === 'keep' ? previous?.symmetricKey : undefined;
  const keys: SymmetricKeyAttestation = {};

  for (const name of ['primaryKey', 'secondaryKey'] as const) {
    const given = input?.[name];
    // Null and '' both mean "not provided" (the Node SDK sample sends '').
    if (given === undefined || given === null || given === '') {
      keys[name] = kept?.[name] ?? generateSymmetricKey();
      continue;
    }

    if (typeof given !== 'string') {
      const found = describeJson(given);

      return fail(`attestation.symmetricKey.${name}: must be a string, found ${found}`);
    }

    const problem = findSymmetricKeyProblem(`attestation.symmetricKey.${name}`, given);
    if (problem !== undefined) return fail(problem);

    keys[name] = given;
  }

  return { ok: true, attestation: { type: 'symmetricKey', symmetricKey: keys } };
}

function normalizeTpm(input: unknown, tpmCheck: TpmCheck): AttestationResult {
  if (!isObject(input)) {
    return fail(`attestation.tpm: required object, found ${describeJson(input)}`);
  }

  const endorsementField = 'attestation.tpm.endorsementKey';
  const endorsementKey = input['endorsementKey'];
  if (typeof endorsementKey !== 'string' || endorsementKey === '') {
    const found = describeJson(endorsementKey);

    return fail(`${endorsementField}: required non-empty string, found ${found}`);
  }

  const endorsementProblem = findTpmKeyProblem(endorsementField, endorsementKey, tpmCheck);
  if (endorsementProblem !== undefined) return fail(endorsementProblem);

  const storageField = 'attestation.tpm.storageRootKey';
  const storageRootKey = input['storageRootKey'];
  if (storageRootKey === undefined || storageRootKey === null || storageRootKey === '') {
    return { ok: true, attestation: { type: 'tpm', tpm: { endorsementKey } } };
  }

  if (typeof storageRootKey !== 'string') {
    return fail(`${storageField}: must be a string, found ${describeJson(storageRootKey)}`);
  }

  const storageProblem = findTpmKeyProblem(storageField, storageRootKey, tpmCheck);
  if (storageProblem !== undefined) return fail(storageProblem);

  return { ok: true, attestation: { type: 'tpm', tpm: { endorsementKey, storageRootKey } } };
}

/**
 * Individual enrollments name their device certificates (`clientCertificates`); groups name a
 * signing certificate or a CA reference (contract 2.3).
 */
function normalizeX509(input: unknown, kind: RecordKind): AttestationResult {
  if (!isObject(input)) {
    return fail(`attestation.x509: required object, found ${describeJson(input)}`);
  }

  const allowed = kind.isGroup ? ['signingCertificates', 'caReferences'] : ['clientCertificates'];
  const present = ['clientCertificates', 'signingCertificates', 'caReferences'].filter(
    (name) => input[name] !== undefined && input[name] !== null,
  );
  const misplaced = present.find((name) => !allowed.includes(name));
  if (misplaced !== undefined) {
    return fail(
      `attestation.x509.${misplaced}: not allowed on ${kind.label.toLowerCase()}s; ` +
        `use ${allowed.join(' or ')}`,
    );
  }

  if (present.length !== 1) {
    const expected = allowed.join(', ');

    return fail(`attestation.x509: needs exactly one of ${expected}, found ${present.length}`);
  }

  const name = present[0]!;
  if (name === 'caReferences') return normalizeCaReferences(input[name]);

  const certificates = normalizeCertificates(`attestation.x509.${name}`, input[name]);
  if (typeof certificates === 'string') return fail(certificates);

  const x509: X509Attestation = { [name]: certificates };

  return { ok: true, attestation: { type: 'x509', x509 } };
}

function normalizeCertificates(field: string, input: unknown): X509Certificates | string {
  if (!isObject(input)) return `${field}: must be an object, found ${describeJson(input)}`;

  const result: X509Certificates = {};
  for (const slot of ['primary', 'secondary'] as const) {
    const entry = input[slot];
    if (entry === undefined || entry === null) continue;

    const certificate = isObject(entry) ? entry['certificate'] : undefined;
    if (typeof certificate !== 'string' || certificate === '') {
      const found = describeJson(certificate);

      return `${field}.${slot}.certificate: required non-empty string, found ${found}`;
    }

    const read = readCertificateInfo(certificate);
    if (!read.ok) return `${field}.${slot}.certificate: ${read.problem}`;

    result[slot] = { certificate, info: read.info };
  }

  if (result.primary === undefined) return `${field}.primary: a primary certificate is required`;

  return result;
}

function normalizeCaReferences(input: unknown): AttestationResult {
  const field = 'attestation.x509.caReferences';
  if (!isObject(input)) return fail(`${field}: must be an object, found ${describeJson(input)}`);

  const primary = input['primary'];
  if (typeof primary !== 'string' || primary === '') {
    return fail(`${field}.primary: required non-empty string, found ${describeJson(primary)}`);
  }

  const secondary = input['secondary'];
  const references =
    typeof secondary === 'string' && secondary !== '' ? { primary, secondary } : { primary };

  return { ok: true, attestation: { type: 'x509', x509: { caReferences: references } } };
}

/**
 * The attestation as a given view shows it: GET and query drop symmetric keys and
 * certificates (keeping `info`); PUT keeps keys; `attestationmechanism` keeps both.
 */
export function viewAttestation(
  stored: AttestationMechanism,
  show: { keys: boolean; certificates: boolean },
): AttestationMechanism {
  if (stored.type === 'symmetricKey' && !show.keys) return { type: 'symmetricKey' };
  if (stored.type !== 'x509' || show.certificates || stored.x509 === undefined) return stored;

  const x509: X509Attestation = {};
  for (const name of ['clientCertificates', 'signingCertificates'] as const) {
    const certificates = stored.x509[name];
    if (certificates === undefined) continue;

    x509[name] = {};
    if (certificates.primary) x509[name].primary = { info: certificates.primary.info! };
    if (certificates.secondary) x509[name].secondary = { info: certificates.secondary.info! };
  }

  if (stored.x509.caReferences !== undefined) x509.caReferences = stored.x509.caReferences;

  return { type: 'x509', x509 };
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeValue(value: unknown): string {
  return typeof value === 'string' ? `"${value.slice(0, 40)}"` : describeJson(value);
}

function fail(message: string): AttestationResult {
  return { ok: false, message };
}
