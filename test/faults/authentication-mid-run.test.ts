/**
 * Scenario 7: authentication that fails mid-run. A token that expires is renewed once and the run
 * goes on; a key rotated on the service side (the emulator restarted with another policy key)
 * cannot be fixed by a renewal, so the run stops with exit 2 and leaves the rest `pending`,
 * never `failed` one by one. A rerun with the new key finishes.
 */
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { ALL_PERMISSIONS, OWNER_POLICY_NAME } from '../../src/emulator/index.js';
import {
  startInProcessEmulator,
  waitUntil,
  type EmulatorHandle,
} from '../support/faults-emulators.js';
import { createFaultManifest } from '../support/faults-manifest.js';
import { checkRun, recordScenario, runInProcess } from '../support/faults-runs.js';
import { TokenExpiryProxy } from '../support/faults-token-proxy.js';
import { makeTempDir, testKey } from '../support/temp-files.js';

const ROWS = 100;
const SLOW_START = {
  latency: { kind: 'at', ordinals: [1, 2, 3, 4, 5, 6] },
  latencyMs: 150,
} as const;

describe('fault scenario 7: authentication lost mid-run', () => {
  let emulator: EmulatorHandle | undefined;
  let proxy: TokenExpiryProxy | undefined;

  afterEach(async () => {
    await proxy?.close();
    await emulator?.stop();
    proxy = undefined;
    emulator = undefined;
  });

  it('renews an expired token once and finishes every row', async () => {
    emulator = await startInProcessEmulator({ faults: SLOW_START });
    const tokens = await TokenExpiryProxy.start(emulator.endpoint);
    proxy = tokens;
    const directory = makeTempDir('dps-bulk-faults-');
    const manifest = createFaultManifest(directory, ROWS, 'token');
    const viaProxy = { endpoint: tokens.endpoint, connectionString: emulator.connectionString };

    const running = runInProcess(viaProxy, manifest, directory, { concurrency: 1 });
    await waitUntil('3 calls through the proxy', () => tokens.counts.forwarded >= 3);
    tokens.expireTokensSeenSoFar();
    const run = await running;
    const checked = await checkRun(manifest, emulator, run, { requestsBefore: 0 });

    expect(run.exitCode).toBe(0);
    expect(checked.report.counts).toEqual({ succeeded: ROWS });
    expect(tokens.counts.refused).toBe(1);
    // One renewal: the token refused, then the one signed after it, never a third.
    expect(tokens.counts.expiries).toHaveLength(2);

    recordScenario(
      '7a. token expires mid-run',
      `proxy refuses the current token after 3 calls, ${ROWS} rows`,
      [
        {
          run: 'run',
          figures: checked.figures,
          note: `${tokens.counts.refused} call refused (401), token renewed once`,
        },
      ],
    );
  });

  it('exits 2, rest pending, on a rotated key; a rerun with the new key finishes', async () => {
    const directory = makeTempDir('dps-bulk-faults-');
    const statePath = join(directory, 'emulator-state.jsonl');
    const manifest = createFaultManifest(directory, ROWS, 'rotated');
    const owner = (key: string) => [{ name: OWNER_POLICY_NAME, permissions: ALL_PERMISSIONS, key }];
    const first = await startInProcessEmulator({
      statePath,
      policies: owner(testKey()),
      faults: SLOW_START,
    });
    emulator = first;

    const running = runInProcess(first, manifest, directory, { concurrency: 1 });
    await waitUntil(
      '3 requests before the rotation',
      async () => (await first.stats()).requests >= 3,
    );
    await first.stop();
    const firstLife = await first.stats();
    emulator = await startInProcessEmulator({
      statePath,
      port: first.port,
      policies: owner(testKey()),
    });
    const rotated = emulator;

    const run = await running;
    const checked = await checkRun(manifest, rotated, run, {
      requestsBefore: 0,
      earlierLives: firstLife,
    });
    const done = checked.report.counts['succeeded'] ?? 0;

    expect(run.exitCode).toBe(2);
    expect(checked.report.counts).toEqual({ succeeded: done, pending: ROWS - done });
    expect(done).toBeGreaterThanOrEqual(20);
    expect(ROWS - done).toBeGreaterThan(0);
    // After the rotation: the call, then the same call with a renewed token; both refused.
    expect(checked.figures.requests).toBe(2);

    const rerun = await runInProcess(rotated, manifest, directory, { concurrency: 1 });
    const rerunChecked = await checkRun(manifest, rotated, rerun, {
      requestsBefore: checked.requestsAfterChecks,
      earlierLives: firstLife,
    });

    expect(rerun.exitCode).toBe(0);
    expect(rerunChecked.report.counts).toEqual({ unchanged: done, succeeded: ROWS - done });

    recordScenario(
      '7b. key rotated mid-run',
      `emulator restarted with a new owner key after 3 calls, ${ROWS} rows`,
      [
        {
          run: 'run (old key)',
          figures: { ...checked.figures, requests: firstLife.requests + checked.figures.requests },
          note: 'after the rotation: 2 calls, both 401 (the second with a renewed token): stopped',
        },
        { run: 'rerun (new key)', figures: rerunChecked.figures },
      ],
    );
  });
});
