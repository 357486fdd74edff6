/** Service targets and keys generated for tests; none of them is a real credential. */
import { randomBytes } from 'node:crypto';

import type { ServiceTarget } from '../../../src/job/run-config.js';

export const TEST_POLICY_NAME = 'provisioningserviceowner';

/** A fresh random policy key (base64 of 32 bytes), new for every call. */
export function generatePolicyKey(): string {
  return randomBytes(32).toString('base64');
}

/** A SAS target pointing at a test server; the host name is the SAS resource. */
export function sasTarget(
  endpoint: string,
  key: string,
  hostName = 'test-dps.example.invalid',
): ServiceTarget {
  return {
    kind: 'emulator',
    endpoint,
    hostName,
    credential: { kind: 'sas', policyName: TEST_POLICY_NAME, key },
  };
}
