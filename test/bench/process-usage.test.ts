import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { assertLoopback } from '../../src/bench/loopback-json.js';
import { runMeasured } from '../../src/bench/measured-process.js';
import { parseProcStatCpuMs, readProcessCpuMs } from '../../src/bench/process-usage.js';

describe('parseProcStatCpuMs', () => {
  it('adds utime and stime (fields 14 and 15) and converts ticks to milliseconds', () => {
    const stat = '4242 (node) S 1 4242 4242 0 -1 4194304 900 0 0 0 250 37 0 0 20 0 11 0 100 0 0';

    expect(parseProcStatCpuMs(stat)).toBe(2_870);
  });

  it('counts fields from the last parenthesis, so a spaced command name cannot shift them', () => {
    const stat = '7 (a) b (c) R 1 7 7 0 -1 0 0 0 0 0 3 4 0 0 20 0 1 0 5 0 0';

    expect(parseProcStatCpuMs(stat)).toBe(70);
  });

  it('refuses text whose fields 14 and 15 are not numbers', () => {
    expect(() => parseProcStatCpuMs('1 (x) S 1 2')).toThrow('/proc stat: fields 14 and 15');
  });

  it('reads a live process: this one has used some CPU', async () => {
    expect(await readProcessCpuMs(process.pid)).toBeGreaterThan(0);
  });
});

/** `npm test` builds first; the preload must be JavaScript for `node --import`. */
const PRELOAD_PATH = fileURLToPath(new URL('../../dist/bench/usage-preload.js', import.meta.url));

describe('runMeasured', () => {
  let directory: string;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'bench-measured-test-'));
  });

  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it("reports the child's exit code, output and its own peak RSS and CPU time", async () => {
    const script = join(directory, 'child.mjs');
    await writeFile(
      script,
      [
        'const held = Buffer.alloc(64 * 1024 * 1024, 1);',
        'process.stdout.write(`held ${held.length} ${process.env.BENCH_GREETING}`);',
        'process.exitCode = 3;',
      ].join('\n'),
    );

    const measured = await runMeasured({
      script,
      arguments: [],
      workDirectory: directory,
      environment: { BENCH_GREETING: 'hello' },
      preloadPath: PRELOAD_PATH,
    });

    expect(measured.exitCode).toBe(3);
    expect(measured.signal).toBeNull();
    expect(measured.stdout).toBe('held 67108864 hello');
    expect(measured.usage?.maxRssBytes).toBeGreaterThan(64 * 1024 * 1024);
    expect(measured.usage?.userCpuMs).toBeGreaterThan(0);
  });

  it('reports no usage for a child killed by a signal, which runs no exit handler', async () => {
    const script = join(directory, 'killed.mjs');
    await writeFile(script, "process.kill(process.pid, 'SIGKILL');");

    const measured = await runMeasured({
      script,
      arguments: [],
      workDirectory: directory,
      preloadPath: PRELOAD_PATH,
    });

    expect(measured.signal).toBe('SIGKILL');
    expect(measured.usage).toBeUndefined();
  });
});

describe('assertLoopback', () => {
  it('accepts the loopback addresses the bench starts its children on', () => {
    expect(() => assertLoopback(new URL('http://127.0.0.1:8443/__emulator/stats'))).not.toThrow();
    expect(() => assertLoopback(new URL('https://[::1]:8443/'))).not.toThrow();
  });

  it('refuses any other host, naming it', () => {
    expect(() => assertLoopback(new URL('http://169.254.169.254/latest'))).toThrow(
      'bench: refusing to contact 169.254.169.254: only loopback addresses are allowed',
    );
  });
});
