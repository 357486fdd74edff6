/**
 * Upsert's rewrite: a row whose create was answered 409201 is written again as an update, with
 * the etag the service holds. A symmetric-key row that leaves a key blank gets the stored key,
 * because an update without keys would make the service generate new ones and lock the device
 * out: a run must never rotate a device's keys by accident.
 */
import type { IndividualEnrollment, SymmetricKeyAttestation } from '../dps/contract/index.js';
import type { RewritePlan, RewriteStep } from './rewrite-flow.js';
import type { TrackedRow } from './row-ledger.js';

function leavesKeyBlank(enrollment: IndividualEnrollment): boolean {
  const keys = enrollment.attestation.symmetricKey;
  return enrollment.attestation.type === 'symmetricKey' && !(keys?.primaryKey && keys.secondaryKey);
}

/** The row's enrollment with the stored keys filling the blanks it left. */
function withStoredKeys(
  enrollment: IndividualEnrollment,
  stored: SymmetricKeyAttestation,
): IndividualEnrollment {
  const given = enrollment.attestation.symmetricKey;

  return {
    ...enrollment,
    attestation: {
      ...enrollment.attestation,
      symmetricKey: {
        primaryKey: given?.primaryKey || stored.primaryKey,
        secondaryKey: given?.secondaryKey || stored.secondaryKey,
      },
    },
  };
}

/** The rewrite plan of `--mode upsert` for rows that already exist. */
export const UPSERT_PLAN: RewritePlan = {
  action: 'updated',

  needsKeys(row: TrackedRow, record: IndividualEnrollment): boolean {
    return leavesKeyBlank(row.item.enrollment) && record.attestation?.type === 'symmetricKey';
  },

  build(row, record, keys): RewriteStep {
    let enrollment: IndividualEnrollment = { ...row.item.enrollment };

    if (this.needsKeys(row, record)) {
      if (!keys?.primaryKey || !keys.secondaryKey) {
        return {
          kind: 'fail',
          httpStatus: 200,
          errorCode: 'keys-unreadable',
          message:
            'exists, but its keys could not be read; not updated, so they are not regenerated',
        };
      }

      enrollment = withStoredKeys(enrollment, keys);
    }

    if (record.etag !== undefined) enrollment.etag = record.etag;
    return { kind: 'write', enrollment };
  },

  absent: () => ({
    httpStatus: 404,
    errorCode: 404201,
    message: 'create said it exists (409201) but it was gone when read back; rerun to create it',
  }),
};
