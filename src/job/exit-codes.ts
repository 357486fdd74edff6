/**
 * Exit codes, documented in the README; alerting rules watch them.
 * 0 every row succeeded or unchanged; 1 some invalid or failed; 2 configuration or authentication;
 * 3 another run holds the state store; 4 the service kept failing, rerun later to resume;
 * 130 / 143 interrupted by SIGINT / SIGTERM after the report was written.
 */
export const EXIT_CODES = {
  ok: 0,
  rowsNotAllSucceeded: 1,
  configuration: 2,
  locked: 3,
  serviceUnavailable: 4,
  interruptedBySigint: 130,
  interruptedBySigterm: 143,
} as const;

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/** A failure that ends the command before or instead of a run, with the exit code it maps to. */
export class JobError extends Error {
  override name = 'JobError';
  readonly exitCode: ExitCode;

  constructor(message: string, exitCode: ExitCode) {
    super(message);
    this.exitCode = exitCode;
  }
}
