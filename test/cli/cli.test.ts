import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { runCli } from '../support/run-cli.js';
import {
  makeTempDir,
  readResults,
  readSummary,
  reportFolders,
  symmetricKeyRows,
  writeManifest,
} from '../support/temp-files.js';

describe('dps-bulk command line', () => {
  it('lists the commands and their options in --help', async () => {
    const top = await runCli(['--help']);
    expect(top.exitCode).toBe(0);
    for (const command of ['run', 'validate', 'emulator']) expect(top.stdout).toContain(command);

    const run = await runCli(['run', '--help']);
    expect(run.exitCode).toBe(0);
    for (const option of [
      '--mode',
      '--concurrency',
      '--max-attempts',
      '--endpoint',
      '--emulator',
      '--report-dir',
      '--no-progress',
      '--log-level',
      '--ops-per-minute',
      '--state',
      '--force',
      '--only-failed',
    ]) {
      expect(run.stdout).toContain(option);
    }
  });

  it('exits 2 and names the variable when no connection string is set', async () => {
    const directory = makeTempDir();
    const manifest = writeManifest(directory, symmetricKeyRows(2));

    const result = await runCli(['run', manifest, '--report-dir', join(directory, 'reports')]);

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('no connection string: set DPS_CONNECTION_STRING');
  });

  it('exits 2 on a bad option value, naming the option and the value', async () => {
    const result = await runCli(['run', 'x.csv', '--concurrency', 'many']);

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("option '--concurrency <n>' argument 'many' is invalid");
    expect(result.stderr).toContain('expected a whole number of at least 1, got "many"');
  });

  it('exits 2 when the manifest cannot be read', async () => {
    const directory = makeTempDir();
    const result = await runCli([
      'run',
      join(directory, 'missing.csv'),
      '--emulator',
      '--report-dir',
      join(directory, 'reports'),
    ]);

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('missing.csv');
  });

  it('validate exits 0 with every row valid and action none, sending nothing', async () => {
    const directory = makeTempDir();
    const manifest = writeManifest(directory, symmetricKeyRows(5));

    const result = await runCli(['validate', manifest, '--report-dir', join(directory, 'reports')]);

    expect(result.exitCode).toBe(0);
    const [report] = reportFolders(join(directory, 'reports'));
    expect(
      readResults(report!).map((row) => `${row.status}/${row.action}/${row.attempts}`),
    ).toEqual(Array(5).fill('valid/none/0'));
    expect(readSummary(report!)).toMatchObject({
      command: 'validate',
      requests: 0,
      counts: { valid: 5 },
      exitCode: 0,
    });
  });

  it('validate exits 1 when a row is invalid', async () => {
    const directory = makeTempDir();
    const rows = symmetricKeyRows(3);
    rows.push('meter@site12,symmetricKey,,,');
    const result = await runCli([
      'validate',
      writeManifest(directory, rows),
      '--report-dir',
      join(directory, 'reports'),
    ]);

    expect(result.exitCode).toBe(1);
    const [report] = reportFolders(join(directory, 'reports'));
    const invalid = readResults(report!).filter((row) => row.status === 'invalid');
    expect(invalid).toHaveLength(1);
    expect(invalid[0]).toMatchObject({ line: 5, registrationId: 'meter@site12', action: 'none' });
    expect(invalid[0]!.message).toContain('@');
  });

  it('runs --emulator end to end and says plainly that the target was the emulator', async () => {
    const directory = makeTempDir();
    const manifest = writeManifest(directory, symmetricKeyRows(25));

    const result = await runCli([
      'run',
      manifest,
      '--emulator',
      '--report-dir',
      join(directory, 'reports'),
    ]);

    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain('local DPS emulator');
    const [report] = reportFolders(join(directory, 'reports'));
    expect(readSummary(report!)).toMatchObject({
      target: 'emulator',
      counts: { succeeded: 25 },
      requests: 3,
      exitCode: 0,
    });
    const firstLogLine = JSON.parse(readFileSync(join(report!, 'run.log'), 'utf8').split('\n')[0]!);
    expect(firstLogLine.msg).toContain('local DPS emulator');
  });
});

describe('dps-bulk run against a standalone emulator with a connection string', () => {
  let emulator: RunningEmulator;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
  });

  afterAll(async () => {
    await emulator.close();
  });

  it('authenticates with the connection string from the environment and never writes the key anywhere', async () => {
    const directory = makeTempDir();
    const manifest = writeManifest(directory, symmetricKeyRows(11));
    const key = /SharedAccessKey=([^;]+)/.exec(emulator.connectionString)![1]!;

    const result = await runCli(
      [
        'run',
        manifest,
        '--endpoint',
        emulator.endpoint,
        '--report-dir',
        join(directory, 'reports'),
        '--log-level',
        'trace',
      ],
      {
        env: { DPS_CONNECTION_STRING: emulator.connectionString },
      },
    );

    expect(result.exitCode).toBe(0);
    const [report] = reportFolders(join(directory, 'reports'));
    for (const file of ['results.csv', 'summary.json', 'run.log']) {
      expect(readFileSync(join(report!, file), 'utf8')).not.toContain(key);
    }
    expect(result.stderr).not.toContain(key);
  });

  it('exits 2 when the service answers 401 to the first call', async () => {
    const directory = makeTempDir();
    const manifest = writeManifest(directory, symmetricKeyRows(3));
    const wrongKey = emulator.connectionString.replace(
      /SharedAccessKey=[^;]+/,
      `SharedAccessKey=${Buffer.alloc(32, 7).toString('base64')}`,
    );

    const result = await runCli(
      [
        'run',
        manifest,
        '--endpoint',
        emulator.endpoint,
        '--report-dir',
        join(directory, 'reports'),
      ],
      {
        env: { DPS_CONNECTION_STRING: wrongKey },
      },
    );

    expect(result.exitCode).toBe(2);
    const [report] = reportFolders(join(directory, 'reports'));
    expect(readResults(report!).map((row) => row.status)).toEqual([
      'pending',
      'pending',
      'pending',
    ]);
  });
});

describe('a manifest that cannot be read to its end', () => {
  it('keeps the rows before an unclosed quote, reports them, names the line and exits 2', async () => {
    const directory = makeTempDir();
    const rows = symmetricKeyRows(3);
    rows.push('dev-broken,symmetricKey,"unterminated,,', 'dev-after,symmetricKey,,,');

    const result = await runCli([
      'validate',
      writeManifest(directory, rows),
      '--report-dir',
      join(directory, 'reports'),
    ]);

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('line 5');
    const [report] = reportFolders(join(directory, 'reports'));
    const results = readResults(report!);
    expect(results.map((row) => `${row.line}:${row.status}`)).toEqual([
      '2:valid',
      '3:valid',
      '4:valid',
      '5:invalid',
    ]);
    expect(results[3]!.message).toContain('nothing after this line was read');
    expect(readSummary(report!)).toMatchObject({ exitCode: 2, counts: { valid: 3, invalid: 1 } });
    expect(readSummary(report!)).toMatchObject({ stopReason: 'manifest' });
  });
});

describe('a report folder that cannot be created', () => {
  it('exits 2 with a one-line message naming --report-dir, not an internal error', async () => {
    const directory = makeTempDir();
    const notAFolder = writeManifest(directory, ['x'], 'a-file');

    const result = await runCli([
      'validate',
      writeManifest(directory, symmetricKeyRows(2)),
      '--report-dir',
      notAFolder,
    ]);

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`--report-dir ${notAFolder}: cannot create the report folder`);
    expect(result.stderr).not.toContain('internal error');
  });
});

describe('an endpoint where nothing answers', () => {
  it('stops as an outage (exit 4, rows pending) even when the manifest is small', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const directory = makeTempDir();
    const key = Buffer.alloc(32, 3).toString('base64');

    const result = await runCli(
      [
        'run',
        writeManifest(directory, symmetricKeyRows(3)),
        '--endpoint',
        `http://127.0.0.1:${closedPort}`,
        '--max-attempts',
        '2',
        '--report-dir',
        join(directory, 'reports'),
      ],
      {
        env: {
          DPS_CONNECTION_STRING: `HostName=127.0.0.1:${closedPort};SharedAccessKeyName=p;SharedAccessKey=${key}`,
        },
      },
    );

    expect(result.exitCode).toBe(4);
    const [report] = reportFolders(join(directory, 'reports'));
    expect(readResults(report!).map((row) => row.status)).toEqual([
      'pending',
      'pending',
      'pending',
    ]);
    expect(readSummary(report!)).toMatchObject({ stopReason: 'outage', exitCode: 4 });
    expect(result.stderr).not.toContain(key);
  });
});

describe('a TLS connection that fails', () => {
  let tlsEmulator: RunningEmulator;

  beforeAll(async () => {
    tlsEmulator = await startEmulator({ port: 0, tls: true });
  });

  afterAll(async () => {
    await tlsEmulator.close();
  });

  it('stops at once with exit 2, rows pending, and says to use --ca-cert', async () => {
    const directory = makeTempDir();

    const result = await runCli(
      [
        'run',
        writeManifest(directory, symmetricKeyRows(25)),
        '--endpoint',
        tlsEmulator.endpoint,
        '--report-dir',
        join(directory, 'reports'),
      ],
      { env: { DPS_CONNECTION_STRING: tlsEmulator.connectionString } },
    );

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--ca-cert');
    const [report] = reportFolders(join(directory, 'reports'));
    expect(new Set(readResults(report!).map((row) => row.status))).toEqual(new Set(['pending']));
    expect(readSummary(report!)).toMatchObject({ stopReason: 'tls' });
    expect(readSummary(report!).stopDetail).toBeTruthy();
    expect(tlsEmulator.stats().enrollments).toBe(0);
  });
});

describe('options and inputs a user gets wrong', () => {
  it('refuses --emulator together with --endpoint (exit 2)', async () => {
    const directory = makeTempDir();
    const result = await runCli([
      'run',
      writeManifest(directory, symmetricKeyRows(1)),
      '--emulator',
      '--endpoint',
      'http://127.0.0.1:9',
      '--report-dir',
      join(directory, 'reports'),
    ]);

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--emulator starts its own emulator');
  });

  it('warns about unknown keys of a .jsonl manifest, found while reading', async () => {
    const directory = makeTempDir();
    const manifest = writeManifest(
      directory,
      ['{"registrationId":"jl-1","primaryKy":"x"}', '{"registrationId":"jl-2","bogus":1}'],
      'devices.jsonl',
    );

    const result = await runCli(['validate', manifest, '--report-dir', join(directory, 'reports')]);

    expect(result.stderr).toMatch(/warning: .*primaryKy/);
    expect(result.stderr).toMatch(/warning: .*bogus/);
  });
});

describe('credentials and files that cannot work', () => {
  it('stops with exit 2 and rows pending when the policy may only read (403), saying why', async () => {
    const readOnly = await startEmulator({
      port: 0,
      policies: [{ name: 'reader', permissions: ['EnrollmentRead'] }],
    });
    try {
      const directory = makeTempDir();
      const result = await runCli(
        [
          'run',
          writeManifest(directory, symmetricKeyRows(25)),
          '--endpoint',
          readOnly.endpoint,
          '--report-dir',
          join(directory, 'reports'),
        ],
        { env: { DPS_CONNECTION_STRING: readOnly.connectionStrings['reader']! } },
      );

      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain('HTTP 403');
      expect(result.stderr).toContain('EnrollmentWrite');
      const [report] = reportFolders(join(directory, 'reports'));
      expect(new Set(readResults(report!).map((row) => row.status))).toEqual(new Set(['pending']));
      expect(readSummary(report!)).toMatchObject({ stopReason: 'auth' });
      expect(readSummary(report!).stopDetail).toMatch(/^HTTP 403/);
      // The calls already in flight (3 here, at concurrency 4) are answered; none start after.
      expect(readOnly.stats().requests).toBeLessThanOrEqual(3);
    } finally {
      await readOnly.close();
    }
  });

  it('refuses a --ca-cert file that is not a certificate (exit 2, one line)', async () => {
    const directory = makeTempDir();
    const notACertificate = writeManifest(directory, ['just,a,csv'], 'ca.pem');
    const key = Buffer.alloc(32, 5).toString('base64');

    const result = await runCli(
      ['run', writeManifest(directory, symmetricKeyRows(1)), '--ca-cert', notACertificate],
      {
        env: {
          DPS_CONNECTION_STRING: `HostName=127.0.0.1:9;SharedAccessKeyName=p;SharedAccessKey=${key}`,
        },
      },
    );

    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`--ca-cert ${notACertificate}: not a PEM certificate`);
    expect(result.stderr).not.toContain('internal error');
  });

  it('never echoes a key shifted into the registrationId column', async () => {
    const directory = makeTempDir();
    const key = 'q8V0o1+Zf3kT9w/Lr2c7YxN4bE6hJ0sDmA1uPiW5gHo=';
    const rows = ['registrationId,attestation,primaryKey', `${key},symmetricKey,`];

    const result = await runCli([
      'validate',
      writeManifest(directory, rows),
      '--report-dir',
      join(directory, 'reports'),
    ]);

    expect(result.exitCode).toBe(1);
    const [report] = reportFolders(join(directory, 'reports'));
    const text = readFileSync(join(report!, 'results.csv'), 'utf8') + result.stderr;
    expect(text).not.toContain(key.slice(0, 16));
    expect(readResults(report!)[0]!.registrationId).toBe('<44 base64-like characters, not shown>');
  });
});
