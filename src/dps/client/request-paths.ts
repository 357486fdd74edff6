/**
 * Paths of the individual-enrollment routes (contract section 1), each with the api-version query
 * parameter. IDs are percent-encoded the way the Node SDK does (`encodeURIComponent`, so `:`
 * becomes `%3A`), which keeps any character of an ID from changing the path.
 */
import { API_VERSION } from '../contract/index.js';

const VERSION_QUERY = `api-version=${API_VERSION}`;

/** Builds route paths under an endpoint's base path (empty for a bare host). */
export class RequestPaths {
  readonly #base: string;

  /** `basePath` is the endpoint URL's path without its trailing slash, e.g. "" or "/dps". */
  constructor(basePath: string) {
    this.#base = basePath.replace(/\/+$/, '');
  }

  /** POST /enrollments (bulk). */
  bulk(): string {
    return `${this.#base}/enrollments?${VERSION_QUERY}`;
  }

  /** GET, PUT, DELETE /enrollments/{id}. */
  enrollment(registrationId: string): string {
    return `${this.#base}/enrollments/${encodeURIComponent(registrationId)}?${VERSION_QUERY}`;
  }

  /** POST /enrollments/{id}/attestationmechanism. */
  attestationMechanism(registrationId: string): string {
    const id = encodeURIComponent(registrationId);
    return `${this.#base}/enrollments/${id}/attestationmechanism?${VERSION_QUERY}`;
  }

  /** POST /enrollments/query. */
  query(): string {
    return `${this.#base}/enrollments/query?${VERSION_QUERY}`;
  }
}
