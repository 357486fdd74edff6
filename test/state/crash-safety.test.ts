import { join } from 'node:path';

import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openStateStore } from '../../src/state/index.js';
import { prepareChildScripts, type ChildScripts } from './child-harness.js';
import { createTempFolder } from './state-test-support.js';

const BATCH_SIZE = 10;

/** Batches each writer reports before it is killed: the kill lands wherever the writer is. */
const REPORTED_BATCHES_BEFORE_KILL = [25, 40, 55, 30, 45, 60];

interface Killed {
  runId: string;
  prefix: string;
  reportedBatches: number;
  /** The run whose dead writer this one's lock was taken over from. */
  tookOverFrom?: string;
}

interface LockLine {
  acquired: boolean;
  tookOverFrom?: { runId: string };
}

/** Reads the killed run's journal lines in order, straight from the file. */
function journalLines(path: string, runId: string): number[] {
  const database = new Database(path, { readonly: true });
  const lines = database
    .prepare<[string], number>('SELECT line FROM journal WHERE run_id = ? ORDER BY line')
    .pluck()
    .all(runId);
  database.close();

  return lines;
}

function inFlightIds(path: string): string[] {
  const database = new Database(path, { readonly: true });
  const ids = database
    .prepare<[], string>('SELECT registration_id FROM in_flight ORDER BY line')
    .pluck()
    .all();
  database.close();

  return ids;
}

function integrity(path: string): string {
  const database = new Database(path, { readonly: true });
  const result = database.pragma('integrity_check', { simple: true }) as string;
  database.close();

  return result;
}

describe('StateStore after SIGKILL', () => {
  let folder: ReturnType<typeof createTempFolder>;
  let children: ChildScripts;

  beforeAll(() => {
    folder = createTempFolder();
    children = prepareChildScripts(join(folder.path, 'build'));
  });

  afterAll(async () => {
    await children.killAll();
    folder.remove();
  });

  /** Starts a writer, lets it report `batches` committed replies, and SIGKILLs it. */
  async function killWriterAfter(path: string, round: number, batches: number): Promise<Killed> {
    const runId = `run-${round}`;
    const prefix = `round${round}`;
    const writer = children.start('journal-writer-child', [path, runId, prefix]);
    const lock = JSON.parse(await writer.nextLine()) as LockLine;
    expect(lock.acquired).toBe(true);

    let reportedBatches = 0;

    while (reportedBatches < batches) {
      reportedBatches = Number(await writer.nextLine());
    }

    await writer.kill();

    return { runId, prefix, reportedBatches, tookOverFrom: lock.tookOverFrom?.runId };
  }

  it('keeps every committed reply, whole, through six killed writers in a row', async () => {
    const path = join(folder.path, 'state.db');
    const killed: Killed[] = [];

    for (const [round, batches] of REPORTED_BATCHES_BEFORE_KILL.entries()) {
      killed.push(await killWriterAfter(path, round, batches));
      expect(integrity(path)).toBe('ok');
    }

    // Each writer died holding the lock; the next took it over and named it.
    expect(killed.map((run) => run.tookOverFrom)).toEqual([
      undefined,
      ...killed.slice(0, -1).map((run) => run.runId),
    ]);

    const store = openStateStore(path);

    for (const { runId, prefix, reportedBatches } of killed) {
      const lines = journalLines(path, runId);
      const committedBatches = lines.length / BATCH_SIZE;

      // Nothing reported is lost, and replies are all-or-nothing: a prefix of whole batches.
      expect(Number.isInteger(committedBatches)).toBe(true);
      expect(committedBatches).toBeGreaterThanOrEqual(reportedBatches);
      expect(lines).toEqual(Array.from({ length: lines.length }, (_, index) => index + 2));
      expect(store.finishedIds(runId).size).toBe(lines.length);

      const last = lines.at(-1)!;
      expect(store.lookup(`${prefix}-${last}`)).toMatchObject({
        status: 'succeeded',
        fingerprint: `fp-${prefix}-${last}`,
        runId,
      });
    }

    // What each writer had sent when killed is still in flight, and only that: either nothing
    // or the one batch after its last committed reply. A later run's takeover does not clear it.
    for (const { runId, prefix } of killed) {
      const next = journalLines(path, runId).length + 2;
      const pending = inFlightIds(path).filter((id) => id.startsWith(`${prefix}-`));
      const expected = Array.from(
        { length: BATCH_SIZE },
        (_, index) => `${prefix}-${next + index}`,
      );

      expect([[], expected]).toContainEqual(pending);
      expect(pending.every((id) => store.wasInFlight(id))).toBe(true);
      expect(store.lookup(`${prefix}-${next}`)).toBeUndefined();
    }

    store.close();
  });
});
