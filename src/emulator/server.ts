/**
 * Starts the emulator: resolves settings, loads the state file, listens on the loopback port,
 * and hands back the handle tests and the CLI use.
 */
import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { formatConnectionString } from '../dps/contract/index.js';
import { Authenticator, type ResolvedPolicy } from './auth/authenticator.js';
import { OWNER_POLICY_NAME } from './auth/permissions.js';
import { FaultPlan } from './faults/fault-plan.js';
import { errorReply } from './http/route-reply.js';
import type { EmulatorOptions } from './options.js';
import { createRequestListener } from './request-handler.js';
import { resetRuntime, type EmulatorRuntime } from './runtime.js';
import { ServiceState } from './service-state.js';
import { resolveSettings, type EmulatorSettings } from './settings.js';
import { loadStateFile, StateJournal, type SavedPolicy } from './state-file.js';
import type { EmulatorStats } from './stats.js';
import { TokenBucket } from './throttle/token-bucket.js';
import { resolveTlsMaterial } from './tls/tls-material.js';
import { ERROR_CODES } from '../dps/contract/index.js';

/** A running emulator. */
export interface RunningEmulator {
  /** Base URL, e.g. `http://127.0.0.1:8443` (https with TLS). */
  endpoint: string;
  /** The SAS resource and the connection string's HostName: `127.0.0.1:<port>`. */
  hostName: string;
  /** `HostName=…;SharedAccessKeyName=provisioningserviceowner;SharedAccessKey=…` (the first
   * policy's). A secret: never log it. */
  connectionString: string;
  /** Connection strings of every policy, by policy name. Secrets. */
  connectionStrings: Record<string, string>;
  /** PEM of the CA to trust, when it serves TLS with a generated certificate. */
  caCertificate?: string;
  /** Seed of the fault random stream, to repeat a run's faults with `seed`. */
  seed: number;
  /** The same object as `GET /__emulator/stats`. */
  stats(): EmulatorStats;
  /** Forgets every record and counter (as `POST /__emulator/reset`). */
  reset(): void;
  /** Stops listening, drops open connections and writes the state file. */
  close(): Promise<void>;
}

const KEY_BYTES = 32;

/** Starts an emulator; see `EmulatorOptions` for what can be set. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const settings = resolveSettings(options);
  const state = new ServiceState();
  const loaded =
    settings.statePath === undefined ? undefined : await loadStateFile(settings.statePath, state);
  const policies = resolvePolicies(settings, loaded?.policies ?? []);
  const tls = resolveTlsMaterial(options.tls);

  const runtime: EmulatorRuntime = {
    state,
    settings,
    // Replaced once the port is known: the SAS resource names it.
    authenticator: new Authenticator('', [], []),
    bucket:
      settings.operationsPerMinute === undefined
        ? undefined
        : new TokenBucket(settings.operationsPerMinute, settings.burst, performance.now()),
    faults: new FaultPlan(settings.faults, settings.seed),
    isTls: tls !== undefined,
    timers: new Set(),
  };

  const listener = createRequestListener(runtime);
  const server =
    tls === undefined
      ? createHttpServer(listener)
      : createHttpsServer({ cert: tls.cert, key: tls.key }, listener);
  server.on('clientError', answerClientError);

  const port = await listen(server, settings);
  const hostName = `${settings.host.includes(':') ? `[${settings.host}]` : settings.host}:${port}`;
  runtime.authenticator = new Authenticator(hostName, policies, settings.bearerTokens);

  const savedPolicies = policies.map(({ name, key }) => ({ name, key }));
  const journal =
    settings.statePath === undefined
      ? undefined
      : await StateJournal.open(settings.statePath, state, savedPolicies);
  state.onChange(journal && ((table, change) => journal.record(table, change)));

  return describeRunning(runtime, server, hostName, policies, tls?.caCertificate, journal);
}

/** Keys: as given, else as kept in the state file, else 32 fresh random bytes. */
function resolvePolicies(
  settings: EmulatorSettings,
  saved: readonly SavedPolicy[],
): ResolvedPolicy[] {
  return settings.policies.map((policy) => {
    const name = policy.name.toLowerCase();
    const savedKey = saved.find((entry) => entry.name.toLowerCase() === name)?.key;
    const key = policy.key ?? savedKey ?? randomBytes(KEY_BYTES).toString('base64');

    return { name: policy.name, key, permissions: new Set(policy.permissions) };
  });
}

function listen(server: Server, settings: EmulatorSettings): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : settings.port);
    });
  });
}

/**
 * Requests Node's parser refuses (malformed start line, headers over the size limit) still get
 * the contract's error body, then the connection is closed.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();

    return;
  }

  const isHeaderOverflow = error.code === 'HPE_HEADER_OVERFLOW';
  const status = isHeaderOverflow ? 431 : 400;
  const message = isHeaderOverflow
    ? 'Request header fields too large'
    : 'Bad request: the HTTP request could not be parsed';
  const reply = errorReply(status, isHeaderOverflow ? 431000 : ERROR_CODES.badRequest, message);
  const body = JSON.stringify(reply.body);
  const reason = isHeaderOverflow ? 'Request Header Fields Too Large' : 'Bad Request';

  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\n` +
      `x-ms-error-code: ${reply.errorCode}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
      `connection: close\r\n\r\n${body}`,
  );
}

function describeRunning(
  runtime: EmulatorRuntime,
  server: Server,
  hostName: string,
  policies: readonly ResolvedPolicy[],
  caCertificate: string | undefined,
  journal: StateJournal | undefined,
): RunningEmulator {
  const connectionStrings = Object.fromEntries(
    policies.map((policy) => [
      policy.name,
      formatConnectionString({
        hostName,
        sharedAccessKeyName: policy.name,
        sharedAccessKey: policy.key,
      }),
    ]),
  );
  const primary = policies.find((policy) => policy.name === OWNER_POLICY_NAME) ?? policies[0];

  const running: RunningEmulator = {
    endpoint: `${runtime.isTls ? 'https' : 'http'}://${hostName}`,
    hostName,
    connectionString: primary === undefined ? '' : connectionStrings[primary.name]!,
    connectionStrings,
    seed: runtime.settings.seed,
    stats: () => runtime.state.stats(),
    reset: () => resetRuntime(runtime),
    close: () => closeEmulator(runtime, server, journal),
  };
  if (caCertificate !== undefined) running.caCertificate = caCertificate;

  return running;
}

async function closeEmulator(
  runtime: EmulatorRuntime,
  server: Server,
  journal: StateJournal | undefined,
): Promise<void> {
  for (const timer of runtime.timers) clearTimeout(timer);
  runtime.timers.clear();

  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
  await journal?.close();
}
