/**
 * Enumerated cells, matched ignoring case, spaces, `_` and `-`, and sent with the service's exact
 * spelling. A value outside the set is invalid with the allowed values listed.
 */
import type { AllocationPolicy, ProvisioningStatus } from '../dps/contract/index.js';

export type AttestationKind = 'symmetricKey' | 'tpm' | 'x509';

/** One enumerated column: the wire spellings and the lookup from normalised text. */
export class EnumValues<Value extends string> {
  readonly allowed: readonly Value[];
  private readonly byText: ReadonlyMap<string, Value>;

  constructor(allowed: readonly Value[], aliases: Readonly<Record<string, Value>> = {}) {
    this.allowed = allowed;
    this.byText = new Map<string, Value>([
      ...allowed.map((value) => [value, value] as const),
      ...allowed.map((value) => [normalizeEnumText(value), value] as const),
      ...Object.entries(aliases),
    ]);
  }

  /** The wire spelling for `text`, or undefined when it is none of the allowed values. */
  find(text: string): Value | undefined {
    return this.byText.get(text) ?? this.byText.get(normalizeEnumText(text));
  }

  /** "found 'x'; allowed: a, b, c". */
  describeMismatch(text: string): string {
    const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text;
    return `found '${shown}'; allowed: ${this.allowed.join(', ')}`;
  }
}

function normalizeEnumText(text: string): string {
  return text.toLowerCase().replace(/[\s_-]+/g, '');
}

export const ATTESTATION_KINDS = new EnumValues<AttestationKind>(['symmetricKey', 'tpm', 'x509'], {
  symmetric: 'symmetricKey',
});

export const PROVISIONING_STATUSES = new EnumValues<ProvisioningStatus>(['enabled', 'disabled']);

export const ALLOCATION_POLICIES = new EnumValues<AllocationPolicy>([
  'hashed',
  'geoLatency',
  'static',
  'custom',
]);

const BOOLEAN_TEXT: ReadonlyMap<string, boolean> = new Map([
  ['true', true],
  ['false', false],
  ['yes', true],
  ['no', false],
  ['1', true],
  ['0', false],
]);

/** true/false (also yes/no and 1/0, any case), or undefined. */
export function parseBoolean(text: string): boolean | undefined {
  return BOOLEAN_TEXT.get(text) ?? BOOLEAN_TEXT.get(text.toLowerCase());
}

export const BOOLEAN_ALLOWED = 'true, false (also yes/no, 1/0)';
