import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { openStateStore, type LockHolder, type StateStore } from '../../src/state/index.js';
import { prepareChildScripts, type ChildScripts } from './child-harness.js';
import { createTempFolder } from './state-test-support.js';

const HOST = hostname();

function holder(runId: string, overrides: Partial<LockHolder> = {}): LockHolder {
  const startedAt = '2026-03-01T02:00:00.000Z';

  return { pid: process.pid, host: HOST, startedAt, runId, ...overrides };
}

/** A lock-child's printed result, as JSON gives it back. */
type RaceResult =
  { acquired: true; tookOverFrom?: LockHolder } | { acquired: false; heldBy: LockHolder };

/** The pid of a process that has exited and been reaped: dead for certain. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolveExit) => child.once('close', resolveExit));

  return child.pid ?? -1;
}

describe('StateStore run lock', () => {
  let folder: ReturnType<typeof createTempFolder>;
  let path: string;
  const stores: StateStore[] = [];

  function open(options: Parameters<typeof openStateStore>[1] = {}): StateStore {
    const store = openStateStore(path, options);
    stores.push(store);

    return store;
  }

  beforeEach(() => {
    folder = createTempFolder();
    path = join(folder.path, 'state.db');
  });

  afterEach(() => {
    for (const store of stores.splice(0)) {
      store.close();
    }

    folder.remove();
  });

  it('gives a free lock to the first run and names that holder to the next', () => {
    const first = open();
    const second = open();

    expect(first.acquireLock(holder('run-1'))).toEqual({ acquired: true });
    expect(second.acquireLock(holder('run-2'))).toEqual({
      acquired: false,
      heldBy: holder('run-1'),
    });
    first.releaseLock('run-1');
  });

  it('lets the holding run take its own lock again', () => {
    const store = open();
    store.acquireLock(holder('run-1'));

    expect(store.acquireLock(holder('run-1'))).toEqual({ acquired: true });
    store.releaseLock('run-1');
  });

  it('releases only for the run that holds the lock', () => {
    const store = open();
    store.acquireLock(holder('run-1'));

    store.releaseLock('run-2');
    expect(store.acquireLock(holder('run-3'))).toEqual({
      acquired: false,
      heldBy: holder('run-1'),
    });

    store.releaseLock('run-1');
    expect(store.acquireLock(holder('run-3'))).toEqual({ acquired: true });
    store.releaseLock('run-3');
  });

  it('takes over from a holder whose process died on this host, returning it', async () => {
    const stale = holder('run-killed', { pid: await deadPid() });
    open().acquireLock(stale);

    expect(open().acquireLock(holder('run-2'))).toEqual({ acquired: true, tookOverFrom: stale });
    expect(open().acquireLock(holder('run-3')).acquired).toBe(false);
  });

  it('never takes over from a holder on another host, whose pid it cannot check', async () => {
    const remote = holder('run-remote', { pid: await deadPid(), host: 'build-agent-7' });
    open({ hostName: 'build-agent-7' }).acquireLock(remote);

    expect(open().acquireLock(holder('run-2'))).toEqual({ acquired: false, heldBy: remote });
  });

  it('takes over from a holder recorded before this host rebooted, though its pid lives', () => {
    const beforeReboot = holder('run-before-power-loss', { pid: process.ppid });
    open({ bootId: 'boot-1' }).acquireLock(beforeReboot);

    expect(open({ bootId: 'boot-2' }).acquireLock(holder('run-2'))).toEqual({
      acquired: true,
      tookOverFrom: beforeReboot,
    });
  });

  it('keeps a live holder on this host when the boot is the same', () => {
    const alive = holder('run-parent', { pid: process.ppid });
    open({ bootId: 'boot-1' }).acquireLock(alive);

    expect(open({ bootId: 'boot-1' }).acquireLock(holder('run-2'))).toEqual({
      acquired: false,
      heldBy: alive,
    });
  });

  it('takes over a lock with our own pid that this process never took (container restart)', () => {
    open().close();
    const database = new Database(path);
    database
      .prepare('INSERT INTO run_lock VALUES (1, ?, ?, ?, ?, NULL)')
      .run(process.pid, HOST, '2026-02-28T02:00:00.000Z', 'run-previous-container');
    database.close();

    expect(open().acquireLock(holder('run-2'))).toEqual({
      acquired: true,
      tookOverFrom: holder('run-previous-container', { startedAt: '2026-02-28T02:00:00.000Z' }),
    });
  });
});

describe('StateStore run lock across processes', () => {
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

  it('lets one of three racing processes take the lock, taken over once it is killed', async () => {
    const path = join(folder.path, 'race', 'state.db');
    const racers = ['run-a', 'run-b', 'run-c'].map((runId) =>
      children.start('lock-child', [path, runId]),
    );
    const results = await Promise.all(
      racers.map(async (child) => JSON.parse(await child.nextLine()) as RaceResult),
    );

    const winners = racers.filter((_, index) => results[index]?.acquired === true);
    expect(winners).toHaveLength(1);

    const winner = winners[0]!;
    const heldBy = results.flatMap((result) => (result.acquired ? [] : [result.heldBy.pid]));
    expect(heldBy).toEqual([winner.pid, winner.pid]);
    expect(results.filter((result) => 'tookOverFrom' in result)).toEqual([]);

    const store = openStateStore(path);
    expect(store.acquireLock(holder('run-parent'))).toMatchObject({
      acquired: false,
      heldBy: { pid: winner.pid, host: HOST },
    });

    await winner.kill();

    expect(store.acquireLock(holder('run-parent'))).toMatchObject({
      acquired: true,
      tookOverFrom: { pid: winner.pid, host: HOST },
    });
    store.releaseLock('run-parent');
    store.close();
  });
});
