/**
 * The service routes (contract section 1), matched case-insensitively on their literal segments
 * (the Node SDK itself sends both `enrollmentGroups` and `enrollmentgroups`).
 */
import type { Permission } from '../auth/permissions.js';
import {
  ENROLLMENT_GROUP,
  INDIVIDUAL_ENROLLMENT,
  type RecordKind,
} from '../records/record-kind.js';

/** What a service request asks for, once its route is known. */
export type Operation =
  | 'bulk'
  | 'query'
  | 'get'
  | 'put'
  | 'delete'
  | 'attestation'
  | 'get-registration'
  | 'delete-registration'
  | 'query-registrations';

/** The operation and ID a request names, or why no route serves it. */
export type RouteMatch =
  | { kind: 'matched'; operation: Operation; recordKind: RecordKind; id: string | undefined }
  | { kind: 'not-found' }
  | { kind: 'method-not-allowed'; allowed: string[] };

/** `null` marks the segment holding an ID. */
interface RouteDefinition {
  pattern: ReadonlyArray<string | null>;
  methods: Readonly<Record<string, Operation>>;
  recordKind: RecordKind;
}

/** What each operation needs of a shared access policy. */
export const REQUIRED_PERMISSION: Readonly<Record<Operation, Permission>> = {
  bulk: 'EnrollmentWrite',
  query: 'EnrollmentRead',
  get: 'EnrollmentRead',
  put: 'EnrollmentWrite',
  delete: 'EnrollmentWrite',
  // It returns keys, so reading it takes the write permission, not the read one.
  attestation: 'EnrollmentWrite',
  'get-registration': 'RegistrationStatusRead',
  'delete-registration': 'RegistrationStatusWrite',
  'query-registrations': 'RegistrationStatusRead',
};

/** Operations whose request carries a JSON body. */
export const TAKES_JSON_BODY: ReadonlySet<Operation> = new Set(['bulk', 'query', 'put']);

function recordRoutes(prefix: string, recordKind: RecordKind): RouteDefinition[] {
  return [
    { pattern: [prefix], methods: { POST: 'bulk' }, recordKind },
    { pattern: [prefix, 'query'], methods: { POST: 'query' }, recordKind },
    { pattern: [prefix, null], methods: { GET: 'get', PUT: 'put', DELETE: 'delete' }, recordKind },
    {
      pattern: [prefix, null, 'attestationmechanism'],
      methods: { POST: 'attestation' },
      recordKind,
    },
  ];
}

const ROUTES: readonly RouteDefinition[] = [
  ...recordRoutes('enrollments', INDIVIDUAL_ENROLLMENT),
  ...recordRoutes('enrollmentgroups', ENROLLMENT_GROUP),
  {
    pattern: ['registrations', null],
    methods: { GET: 'get-registration', DELETE: 'delete-registration' },
    recordKind: INDIVIDUAL_ENROLLMENT,
  },
  {
    pattern: ['registrations', null, 'query'],
    methods: { POST: 'query-registrations' },
    recordKind: ENROLLMENT_GROUP,
  },
];

/** Finds the operation for a method and decoded path segments. */
export function matchRoute(method: string, segments: readonly string[]): RouteMatch {
  const allowed = new Set<string>();

  for (const route of ROUTES) {
    const id = matchPattern(route.pattern, segments);
    if (id === false) continue;

    const operation = route.methods[method];
    if (operation !== undefined) {
      return { kind: 'matched', operation, recordKind: route.recordKind, id };
    }

    for (const name of Object.keys(route.methods)) allowed.add(name);
  }

  return allowed.size === 0
    ? { kind: 'not-found' }
    : { kind: 'method-not-allowed', allowed: [...allowed] };
}

/** The ID the pattern captured, undefined when it has none, or false when it does not match. */
function matchPattern(
  pattern: ReadonlyArray<string | null>,
  segments: readonly string[],
): string | undefined | false {
  if (pattern.length !== segments.length) return false;

  let id: string | undefined;
  for (const [index, expected] of pattern.entries()) {
    const segment = segments[index]!;
    if (expected === null) id = segment;
    else if (segment.toLowerCase() !== expected) return false;
  }

  return id;
}
