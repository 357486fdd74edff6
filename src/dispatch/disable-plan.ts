/**
 * Disable's rewrite (issue 5 item 8): set provisioningStatus to `disabled` and keep everything
 * else. A row that carries attestation material is written as the row says; otherwise the
 * stored record is written back, with its symmetric keys read from attestationmechanism so the
 * service keeps them instead of generating new ones. The service never returns certificates,
 * so an X.509 record can only be written back from a row that carries them.
 */
import type { IndividualEnrollment, SymmetricKeyAttestation } from '../dps/contract/index.js';
import type { RewritePlan, RewriteStep } from './rewrite-flow.js';
import type { TrackedRow } from './row-ledger.js';

/** Fields the service computes; they do not go back in a write. */
const READ_ONLY_FIELDS = ['registrationState', 'createdDateTimeUtc', 'lastUpdatedDateTimeUtc'];

/** True when the row's own enrollment holds everything its attestation needs. */
export function carriesAttestationMaterial(enrollment: IndividualEnrollment): boolean {
  const { attestation } = enrollment;

  switch (attestation.type) {
    case 'symmetricKey':
      return Boolean(attestation.symmetricKey?.primaryKey && attestation.symmetricKey.secondaryKey);
    case 'tpm':
      return Boolean(attestation.tpm?.endorsementKey);
    case 'x509': {
      const x509 = attestation.x509;
      return Boolean(x509?.clientCertificates?.primary?.certificate || x509?.caReferences?.primary);
    }
    default:
      return false;
  }
}

function writableCopy(record: IndividualEnrollment): IndividualEnrollment {
  const copy: Record<string, unknown> = { ...record };
  for (const field of READ_ONLY_FIELDS) delete copy[field];

  return copy as unknown as IndividualEnrollment;
}

function storedRecordWrite(
  record: IndividualEnrollment,
  keys?: SymmetricKeyAttestation,
): RewriteStep {
  const type = record.attestation?.type;

  if (type === 'x509' && !record.attestation.x509?.caReferences) {
    return {
      kind: 'fail',
      httpStatus: 200,
      errorCode: 'certificate-required',
      message:
        'an X.509 enrollment can only be disabled from a row that carries its certificate ' +
        '(the service never returns certificates); add primaryCertificate to the row',
    };
  }

  const enrollment = writableCopy(record);

  if (type === 'symmetricKey') {
    if (!keys?.primaryKey || !keys.secondaryKey) {
      return {
        kind: 'fail',
        httpStatus: 200,
        errorCode: 'keys-unreadable',
        message: 'its keys could not be read; not written back, so they are not regenerated',
      };
    }

    enrollment.attestation = { type, symmetricKey: { ...keys } };
  }

  return { kind: 'write', enrollment: { ...enrollment, provisioningStatus: 'disabled' } };
}

/** The rewrite plan of `--mode disable`. */
export const DISABLE_PLAN: RewritePlan = {
  action: 'disabled',

  needsKeys(row: TrackedRow, record: IndividualEnrollment): boolean {
    if (record.provisioningStatus === 'disabled') return false;

    const fromRecord = !carriesAttestationMaterial(row.item.enrollment);
    return fromRecord && record.attestation?.type === 'symmetricKey';
  },

  build(row, record, keys): RewriteStep {
    if (record.provisioningStatus === 'disabled') {
      return { kind: 'done', message: 'already disabled' };
    }

    if (!carriesAttestationMaterial(row.item.enrollment)) return storedRecordWrite(record, keys);

    const enrollment: IndividualEnrollment = {
      ...row.item.enrollment,
      provisioningStatus: 'disabled',
    };
    if (record.etag !== undefined) enrollment.etag = record.etag;

    return { kind: 'write', enrollment };
  },

  absent: () => ({
    httpStatus: 404,
    errorCode: 404201,
    message: 'no enrollment with this registration ID: nothing to disable',
  }),
};
