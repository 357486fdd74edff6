/**
 * Six-digit DPS error codes (contract section 3.5). Codes marked "placeholder" were never seen in
 * public traffic; the emulator uses them so that every error body carries a code, and the client
 * never depends on their exact values, only on the HTTP status.
 */
export const ERROR_CODES = {
  /** Request body unparsable or invalid (placeholder: the real 6-digit code is unknown). */
  badRequest: 400000,
  /** Seen on the device API; used for bad SAS tokens. */
  unauthorized: 401002,
  /** Policy lacks the permission (placeholder). */
  forbidden: 403000,
  individualEnrollmentNotFound: 404201,
  enrollmentGroupNotFound: 404204,
  registrationNotFound: 404201,
  /** Route does not exist (placeholder). */
  routeNotFound: 404000,
  methodNotAllowed: 405000,
  enrollmentExists: 409201,
  /** ETag mismatch (placeholder). */
  preconditionFailed: 412002,
  payloadTooLarge: 413000,
  unsupportedMediaType: 415000,
  /** Throttled (placeholder modelled on IoT Hub's 429001). */
  throttled: 429001,
  internalError: 500000,
  serviceUnavailable: 503000,
} as const;

export const ERROR_STATUS_TEXT = {
  enrollmentExists: 'Enrollment already exists.',
  enrollmentNotFound: 'Enrollment not found.',
} as const;
