/**
 * Turns one row of a generated manifest into the enrollment the SDK peer sends: the same wire
 * fields dps-bulk sends for that row, built the plain way a script around the SDK would build
 * them (no validation: the bench's manifests are valid by construction).
 */
import type { IndividualEnrollment } from '../dps/contract/index.js';

/** A generated manifest's row as csv-parse returns it with `columns: true`. */
export type ManifestCells = Record<string, string | undefined>;

/** The wire enrollment for one generated row (see manifest-writer for the columns). */
export function toSdkEnrollment(cells: ManifestCells): IndividualEnrollment {
  const enrollment: IndividualEnrollment = {
    registrationId: cells['registrationId'] ?? '',
    attestation: attestationOf(cells),
  };

  if (cells['deviceId']) {
    enrollment.deviceId = cells['deviceId'];
  }

  if (cells['iotHubs']) {
    enrollment.iotHubs = cells['iotHubs'].split(/[;\s]+/).filter((hub) => hub !== '');
  }

  if (cells['provisioningStatus'] === 'enabled' || cells['provisioningStatus'] === 'disabled') {
    enrollment.provisioningStatus = cells['provisioningStatus'];
  }

  if (cells['tags']) {
    enrollment.initialTwin = { tags: JSON.parse(cells['tags']) as Record<string, unknown> };
  }

  return enrollment;
}

function attestationOf(cells: ManifestCells): IndividualEnrollment['attestation'] {
  if (cells['attestation'] === 'tpm') {
    return { type: 'tpm', tpm: { endorsementKey: cells['endorsementKey'] ?? '' } };
  }

  return {
    type: 'symmetricKey',
    symmetricKey: {
      primaryKey: cells['primaryKey'] ?? null,
      secondaryKey: cells['secondaryKey'] ?? null,
    },
  };
}
