/**
 * Where a run sends its calls, and with which credential. The connection string comes only from
 * the environment (never the command line, where it would sit in shell history and `ps`).
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { ConnectionStringError, parseConnectionString } from '../dps/contract/index.js';
import { EXIT_CODES, JobError } from '../job/exit-codes.js';
import type { ServiceTarget } from '../job/run-config.js';

export const CONNECTION_STRING_VARIABLE = 'DPS_CONNECTION_STRING';

export interface TargetOptions {
  endpoint?: string;
  caCert?: string;
}

export function resolveServiceTarget(
  options: TargetOptions,
  environment: NodeJS.ProcessEnv,
): ServiceTarget {
  const text = environment[CONNECTION_STRING_VARIABLE];
  if (!text || text.trim() === '') {
    throw new JobError(
      `no connection string: set ${CONNECTION_STRING_VARIABLE} to the DPS service connection ` +
        `string (HostName=…;SharedAccessKeyName=…;SharedAccessKey=…), or use --emulator`,
      EXIT_CODES.configuration,
    );
  }

  return targetFromConnectionString(text, 'service', options);
}

export function targetFromConnectionString(
  text: string,
  kind: ServiceTarget['kind'],
  options: TargetOptions,
): ServiceTarget {
  let connection;
  try {
    connection = parseConnectionString(text);
  } catch (error) {
    if (error instanceof ConnectionStringError) {
      throw new JobError(
        `${CONNECTION_STRING_VARIABLE}: ${error.message}`,
        EXIT_CODES.configuration,
      );
    }
    throw error;
  }

  return {
    kind,
    endpoint: options.endpoint ?? `https://${connection.hostName}`,
    hostName: connection.hostName,
    credential: {
      kind: 'sas',
      policyName: connection.sharedAccessKeyName,
      key: connection.sharedAccessKey,
    },
    ...(options.caCert ? { caCertificate: readCaCertificate(options.caCert) } : {}),
  };
}

function readCaCertificate(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new JobError(
      `--ca-cert ${path}: cannot read the file (${code})`,
      EXIT_CODES.configuration,
    );
  }

  try {
    new X509Certificate(text);
  } catch {
    throw new JobError(
      `--ca-cert ${path}: not a PEM certificate (expected -----BEGIN CERTIFICATE----- …)`,
      EXIT_CODES.configuration,
    );
  }

  return text;
}
