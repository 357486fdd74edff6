import { randomBytes } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { createRowChecker } from '../../src/rows/index.js';
import { openManifest } from '../../src/manifest/index.js';
import { makeTempDir, writeManifest } from '../support/temp-files.js';

describe('a secret pasted into a non-secret column', () => {
  it('is shown only by its shape in the message of that column', async () => {
    const key = randomBytes(32).toString('base64');
    const path = writeManifest(makeTempDir(), [
      'registrationId,attestation,provisioningStatus',
      `dev-1,${key},enabled`,
      `dev-2,symmetricKey,${key}`,
    ]);
    const manifest = await openManifest({ path });
    const checker = createRowChecker({ manifestPath: path, mode: 'upsert', strict: false });
    const messages: string[] = [];

    for await (const record of manifest.records) {
      const row = checker.check(record);
      messages.push(
        ...[...(row.kind === 'invalid' ? row.issues : []), ...row.warnings].map(
          (issue) => issue.message,
        ),
      );
    }

    expect(messages.length).toBeGreaterThanOrEqual(2);
    expect(messages.join('\n')).not.toContain(key.slice(0, 12));
    expect(messages.join('\n')).toContain('base64-like characters, not shown');
  });
});
