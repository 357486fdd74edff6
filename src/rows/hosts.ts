/**
 * Host names (iotHubHostName, iotHubs), the custom-allocation webhook URL and its api-version.
 * Webhook URLs can carry a function key in their query, so messages never echo them.
 */
import { describeCharacter } from './identifiers.js';

const MAX_HOST_NAME_LENGTH = 253;
const MAX_LABEL_LENGTH = 63;

/** `;`, `,` or whitespace separate the hubs of an iotHubs cell. */
export const HUB_SEPARATORS = /[;,\s]+/;

/** Oldest custom-allocation api-version the service accepts (contract section 1.1). */
const OLDEST_WEBHOOK_API_DATE = '2018-09-01';
const API_VERSION = /^(\d{4}-\d{2}-\d{2})(-preview)?$/;

/** Why `host` is not a DNS host name (RFC 1123 labels, at least two), or undefined. */
export function hostNameProblem(host: string): string | undefined {
  if (host.includes('://')) {
    return `'${host}' is a URL; give the host name alone, without the scheme`;
  }

  if (host.length > MAX_HOST_NAME_LENGTH) {
    return `${host.length} characters; a host name has at most ${MAX_HOST_NAME_LENGTH}`;
  }

  const labels = host.split('.');

  if (labels.length < 2) return `'${host}' is not a fully qualified host name (no dot)`;

  for (const label of labels) {
    const problem = labelProblem(label, host);
    if (problem !== undefined) return problem;
  }

  return undefined;
}

function labelProblem(label: string, host: string): string | undefined {
  if (label.length === 0) return `'${host}' has an empty label`;
  if (label.length > MAX_LABEL_LENGTH) {
    return `a label of '${host}' is over ${MAX_LABEL_LENGTH} characters`;
  }

  for (let index = 0; index < label.length; index += 1) {
    const code = label.charCodeAt(index);
    const isLetterOrDigit =
      (code >= 0x30 && code <= 0x39) || ((code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a);

    if (!isLetterOrDigit && code !== 0x2d) {
      return `'${host}' has character ${describeCharacter(code)}, not allowed in host names`;
    }
  }

  if (label.startsWith('-') || label.endsWith('-')) {
    return `a label of '${host}' starts or ends with '-'`;
  }

  return undefined;
}

/** Why the webhook URL is unusable (shape only), or undefined. */
export function webhookUrlProblem(url: string): string | undefined {
  let parsed: URL;

  try {
    parsed = new URL(url);
  } catch {
    return `not an absolute URL (${url.length} characters)`;
  }

  if (parsed.protocol !== 'https:') {
    return `the scheme is ${parsed.protocol.replace(':', '')}; the webhook must be https`;
  }

  return undefined;
}

/** Why the custom-allocation api-version is unusable, or undefined. */
export function webhookApiVersionProblem(version: string): string | undefined {
  const match = API_VERSION.exec(version);

  if (match === null) {
    return `found '${version}'; expected a date version such as 2021-10-01 or 2019-03-31`;
  }

  if ((match[1] ?? '') < OLDEST_WEBHOOK_API_DATE) {
    return `found '${version}'; the oldest accepted is ${OLDEST_WEBHOOK_API_DATE}-preview`;
  }

  return undefined;
}
