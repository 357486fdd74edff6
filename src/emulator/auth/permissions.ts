/**
 * Shared access policy permissions of a DPS (contract section 5.1) and the one each route needs.
 */

/** The permission names the Azure portal shows for a DPS shared access policy. */
export type Permission =
  | 'ServiceConfig'
  | 'EnrollmentRead'
  | 'EnrollmentWrite'
  | 'RegistrationStatusRead'
  | 'RegistrationStatusWrite';

/** Every permission, as the default owner policy holds them. */
export const ALL_PERMISSIONS: readonly Permission[] = [
  'ServiceConfig',
  'EnrollmentRead',
  'EnrollmentWrite',
  'RegistrationStatusRead',
  'RegistrationStatusWrite',
];

/** The policy every DPS starts with, and the one the printed connection string names. */
export const OWNER_POLICY_NAME = 'provisioningserviceowner';

/** True when the text is one of the permission names, compared case-insensitively. */
export function findPermission(text: string): Permission | undefined {
  const wanted = text.trim().toLowerCase();

  return ALL_PERMISSIONS.find((permission) => permission.toLowerCase() === wanted);
}
