import { Command } from 'commander';
import { request } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerEmulatorCommand } from '../../src/cli/commands/emulator.js';
import {
  emulatorOptionsFromFlags,
  parsePolicy,
  type EmulatorCommandFlags,
} from '../../src/emulator/command-flags.js';

interface CommandRun {
  lines: string[];
  stop(): Promise<void>;
}

/** Runs `dps-bulk emulator …args` in-process; resolves once it printed its line. */
async function runCommand(args: string[]): Promise<CommandRun> {
  const lines: string[] = [];
  const capture = (chunk: string | Uint8Array): boolean => {
    lines.push(String(chunk));

    return true;
  };
  const write = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  const program = new Command().exitOverride();
  registerEmulatorCommand(program);

  const finished = program.parseAsync(['node', 'dps-bulk', 'emulator', ...args]);
  await vi.waitFor(() => expect(lines.length).toBeGreaterThan(0), { timeout: 10_000 });

  return {
    lines,
    stop: async () => {
      // emit() calls the listeners in-process; no signal reaches the test worker itself.
      process.emit('SIGTERM');
      await finished;
      write.mockRestore();
    },
  };
}

describe('dps-bulk emulator command', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('prints one JSON line (endpoint, connection string), serves, stops on SIGTERM', async () => {
    const { lines, stop } = await runCommand(['--port', '0']);
    const line = JSON.parse(lines[0]!);

    const stats = await request(`${line.endpoint}/__emulator/stats`);
    const body = await stats.body.json();
    await stop();

    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith('\n')).toBe(true);
    expect(Object.keys(line)).toEqual(['endpoint', 'connectionString']);
    expect(line.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(line.connectionString).toMatch(
      /^HostName=127\.0\.0\.1:\d+;SharedAccessKeyName=provisioningserviceowner;SharedAccessKey=/,
    );
    expect(body).toMatchObject({ requests: 0, operations: 0, enrollments: 0 });
  });

  it('adds the connection string of every policy when several are configured', async () => {
    const { lines, stop } = await runCommand([
      '--port',
      '0',
      '--policy',
      'provisioningserviceowner:EnrollmentRead,EnrollmentWrite',
      '--policy',
      'reader:enrollmentread',
    ]);
    await stop();
    const line = JSON.parse(lines[0]!);

    expect(Object.keys(line.connectionStrings)).toEqual(['provisioningserviceowner', 'reader']);
    expect(line.connectionStrings.reader).toContain('SharedAccessKeyName=reader;');
  });
});

describe('emulatorOptionsFromFlags', () => {
  const defaults: EmulatorCommandFlags = {
    host: '127.0.0.1',
    port: '8443',
    retryAfter: true,
    linkedHub: [],
    policy: [],
    bearerToken: [],
    deviceIdCheck: true,
  };
  const noFiles = (path: string): string => {
    throw Object.assign(new Error(`no ${path}`), { code: 'ENOENT' });
  };

  it('turns throttle, fault and switch flags into options', () => {
    const options = emulatorOptionsFromFlags(
      {
        ...defaults,
        opsPerMinute: '1000',
        burst: '5',
        retryAfter: false,
        fault503: '5%',
        faultDropAfter: 'at:2,4',
        slowMs: '1500',
        updateMissing: 'create',
        permissionDeniedStatus: '401',
      },
      noFiles,
    );

    expect(options).toMatchObject({
      operationsPerMinute: 1000,
      burst: 5,
      retryAfter: false,
      faults: {
        serviceUnavailable: { kind: 'rate', probability: 0.05 },
        dropAfterApply: { kind: 'at', ordinals: [2, 4] },
        slowResponseMs: 1500,
      },
      behavior: { updateMissing: 'create', permissionDeniedStatus: 401, checkDeviceId: true },
    });
  });

  it('refuses a bad value naming the flag, the rule and what was given', () => {
    const withFlags = (flags: Partial<EmulatorCommandFlags>) => () =>
      emulatorOptionsFromFlags({ ...defaults, ...flags }, noFiles);

    expect(withFlags({ port: 'eighty' })).toThrow(
      '--port: expected a whole number of at least 0, got "eighty"',
    );
    expect(withFlags({ fault500: 'often' })).toThrow(
      '--fault-500: fault trigger: expected a rate 0..1, a percentage, "at:N,M" or "every:N", ' +
        'got "often"',
    );
    expect(withFlags({ cert: 'a.pem' })).toThrow('--cert and --key: give both or neither');
    expect(withFlags({ cert: 'a.pem', key: 'b.pem' })).toThrow(
      '--cert a.pem: cannot read the file (ENOENT)',
    );
  });

  it('parses a policy with permissions in any case and an optional key', () => {
    const key = 'a2V5a2V5a2V5a2V5a2V5a2V5';

    expect(parsePolicy('reader:enrollmentread')).toEqual({
      name: 'reader',
      permissions: ['EnrollmentRead'],
    });
    expect(parsePolicy(`writer:EnrollmentRead,EnrollmentWrite:${key}`)).toEqual({
      name: 'writer',
      permissions: ['EnrollmentRead', 'EnrollmentWrite'],
      key,
    });
    expect(() => parsePolicy('reader:Everything')).toThrow(
      '--policy reader: permissions are ServiceConfig',
    );
  });
});
