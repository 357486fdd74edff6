/**
 * Scenario 4: the client is killed with SIGKILL mid-run (no handler runs, no report is written),
 * then rerun with the same `--state`. The rerun must take over the dead run's lock, finish every
 * row, resend nothing the dead run had committed to its journal, and create nothing twice.
 */
import { join } from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { openStateStore } from '../../src/state/index.js';
import {
  startEmulatorProcess,
  waitUntil,
  type EmulatorHandle,
} from '../support/faults-emulators.js';
import { createFaultManifest, type FaultManifest } from '../support/faults-manifest.js';
import {
  checkRun,
  finishCliRun,
  recordScenario,
  reportFolderNames,
  startCliRun,
} from '../support/faults-runs.js';
import { makeTempDir } from '../support/temp-files.js';

const ROWS = 300;
const BULK_ITEMS = 10;

/** IDs the state store records as succeeded: the rows the dead run committed. */
function committedIds(statePath: string, manifest: FaultManifest): Set<string> {
  const store = openStateStore(statePath);

  try {
    const ids = manifest.rows
      .filter((row) => store.lookup(row.registrationId)?.status === 'succeeded')
      .map((row) => row.registrationId);

    return new Set(ids);
  } finally {
    store.close();
  }
}

describe('fault scenario 4: client killed with SIGKILL mid-run', () => {
  let emulator: EmulatorHandle | undefined;

  afterEach(async () => {
    await emulator?.stop();
    emulator = undefined;
  });

  it('finishes on rerun, resending no committed row and creating none twice', async () => {
    // Every call is held 150 ms, so a 30-call run lasts long enough to be killed in the middle.
    emulator = await startEmulatorProcess(['--fault-latency', 'every:1', '--latency-ms', '150']);
    const directory = makeTempDir('dps-bulk-faults-');
    const manifest = createFaultManifest(directory, ROWS, 'killed');
    const access = emulator;

    const victim = startCliRun(access, manifest, directory, ['--concurrency', '2']);
    await waitUntil(
      '8 requests of the first run',
      async () => (await access.stats()).requests >= 8,
    );
    victim.child.kill('SIGKILL');
    const killed = await victim;

    expect(killed.signal).toBe('SIGKILL');
    const committed = committedIds(join(directory, 'state.db'), manifest);
    const killedStats = await emulator.stats();
    const afterKill = await emulator.reader.readAll(false);

    expect(committed.size).toBeGreaterThanOrEqual(BULK_ITEMS);
    expect(committed.size).toBeLessThan(ROWS);
    for (const id of committed) expect(afterKill.has(id.toLowerCase()), id).toBe(true);

    const requestsBefore = (await emulator.stats()).requests;
    const foldersBefore = new Set(reportFolderNames(directory));
    const rerun = await finishCliRun(
      startCliRun(access, manifest, directory, ['--concurrency', '4']),
      directory,
      foldersBefore,
    );
    // Keys are compared in the other scenarios; here every read would wait out the latency.
    const checked = await checkRun(manifest, emulator, rerun, { requestsBefore, withKeys: false });

    expect(rerun.exitCode).toBe(0);
    expect(rerun.stderr).toContain('took over a stale lock');
    expect(checked.report.counts).toEqual({
      unchanged: committed.size,
      succeeded: ROWS - committed.size,
    });
    for (const row of checked.report.rows) {
      const wasCommitted = committed.has(row.registrationId);
      expect(row.status, `line ${row.line}`).toBe(wasCommitted ? 'unchanged' : 'succeeded');
      if (wasCommitted) expect(row.attempts).toBe(0);
    }

    // A committed row resent would show up as a changed etag (upsert rewrites it).
    for (const id of committed) {
      expect(checked.held.get(id.toLowerCase())!.etag, id).toBe(
        afterKill.get(id.toLowerCase())!.etag,
      );
    }

    // Exactly one bulk call per ten rows not committed, plus a GET and a key read for each row
    // whose lost create had landed: no request for a committed row.
    const sent = ROWS - committed.size;
    const verified = checked.report.rows.filter((row) =>
      row.message.includes('stored as sent'),
    ).length;
    expect(checked.figures.requests).toBe(Math.ceil(sent / BULK_ITEMS) + 2 * verified);

    recordScenario(
      '4. client killed with SIGKILL, rerun',
      `latency 150 ms per call, ${ROWS} rows, killed after 8 requests`,
      [
        {
          run: 'run (killed)',
          figures: {
            exitCode: null,
            counts: {},
            requests: killedStats.requests,
            mostCreatesOfOneId: Math.max(...Object.values(killedStats.createsPerId)),
            retried: 0,
          },
          note:
            `SIGKILL; ${committed.size} rows committed in the state store, ` +
            `${afterKill.size} held`,
        },
        {
          run: 'rerun (same --state)',
          figures: checked.figures,
          note: `stale lock taken over; ${verified} in-flight rows read back`,
        },
      ],
    );
  });
});
