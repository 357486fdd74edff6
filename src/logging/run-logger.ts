/**
 * The run's pino logger, writing JSON lines to `run.log` in the report folder.
 *
 * Level rules: `error` the run cannot continue; `warn` a row failed for good or a file-level
 * problem; `info` milestones (start, target, per-batch summary, totals); `debug` every attempt and
 * backoff decision. Retries that may still succeed are never logged above `debug`.
 *
 * Secrets are kept out in two ways: call sites log only IDs, statuses, codes and durations (never
 * bodies or headers), and the redaction paths below censor any field that could carry one, in case
 * a future call site slips.
 */
import { pino, destination as pinoDestination, type Logger, type DestinationStream } from 'pino';

import type { LogLevel } from '../job/run-config.js';

export const REDACTED = '[redacted]';

/** Field names that may hold a key, certificate, token or connection string, at any depth ≤ 2. */
const SECRET_FIELDS = [
  'authorization',
  'Authorization',
  'connectionString',
  'sharedAccessKey',
  'primaryKey',
  'secondaryKey',
  'endorsementKey',
  'storageRootKey',
  'certificate',
  'token',
  'key',
  'enrollment',
  'enrollments',
  'body',
  'headers',
];

const REDACT_PATHS = SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]);

export interface RunLogger {
  logger: Logger;
  /** Writes what is buffered; call before exit so the last lines are not lost. */
  flush(): void;
}

export function createRunLogger(logPath: string, level: LogLevel): RunLogger {
  const destination = pinoDestination({ dest: logPath, mkdir: true, sync: false, minLength: 4096 });
  return wrap(destination, level);
}

/** A logger over any stream, for tests that read the lines back. */
export function createLoggerOn(stream: DestinationStream, level: LogLevel): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: REDACTED }, base: null }, stream);
}

function wrap(destination: ReturnType<typeof pinoDestination>, level: LogLevel): RunLogger {
  const logger = createLoggerOn(destination, level);
  return {
    logger,
    flush: () => destination.flushSync(),
  };
}
