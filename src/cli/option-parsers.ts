/**
 * Parsers for option values. Numbers are never cast silently: a value that is not what the option
 * takes ends the command with a message that names the option, the rule and what was given.
 */
import { InvalidArgumentError } from 'commander';

import type { LogLevel, RunMode } from '../job/run-config.js';

export const RUN_MODES: readonly RunMode[] = ['upsert', 'create', 'delete', 'disable'];
export const LOG_LEVELS: readonly LogLevel[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];

export function parsePositiveInteger(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) {
    throw new InvalidArgumentError(`expected a whole number of at least 1, got "${value}"`);
  }

  return Number(value);
}

export function parseSeconds(value: string): number {
  if (!/^\d+(\.\d+)?$/.test(value.trim())) {
    throw new InvalidArgumentError(`expected a number of seconds, got "${value}"`);
  }

  return Number(value);
}

export function parseMode(value: string): RunMode {
  const mode = value.trim().toLowerCase() as RunMode;
  if (!RUN_MODES.includes(mode)) {
    throw new InvalidArgumentError(`expected one of ${RUN_MODES.join(', ')}, got "${value}"`);
  }

  return mode;
}

export function parseLogLevel(value: string): LogLevel {
  const level = value.trim().toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(level)) {
    throw new InvalidArgumentError(`expected one of ${LOG_LEVELS.join(', ')}, got "${value}"`);
  }

  return level;
}

export function parseEndpoint(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(`expected an http:// or https:// URL, got "${value}"`);
  }

  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InvalidArgumentError(`expected an http:// or https:// URL, got "${value}"`);
  }

  return url.origin + url.pathname.replace(/\/+$/, '');
}
