/** Why the state store refused: stable codes the CLI maps to messages and exit codes. */
export type StateStoreErrorCode =
  'state-file-unusable' | 'state-schema-too-new' | 'run-already-exists' | 'run-not-found';

/** A state-store failure that ends the run (a configuration problem, or a bug in the caller). */
export class StateStoreError extends Error {
  override name = 'StateStoreError';
  readonly code: StateStoreErrorCode;
  /** The state file concerned. */
  readonly path: string;

  constructor(code: StateStoreErrorCode, path: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.path = path;
  }
}

/** True for a `StateStoreError`, also across duplicated module copies. */
export function isStateStoreError(value: unknown): value is StateStoreError {
  return value instanceof Error && value.name === 'StateStoreError' && 'code' in value;
}
