/**
 * The two enrollment kinds share routes and rules; what differs between them lives here.
 */
import { ERROR_CODES, ERROR_STATUS_TEXT } from '../../dps/contract/index.js';
import type { QueryItemType } from '../../dps/contract/index.js';

/** What differs between individual enrollments and enrollment groups. */
export interface RecordKind {
  /** The JSON field holding the record's ID. */
  idField: 'registrationId' | 'enrollmentGroupId';
  /** The field of a bulk request that lists the records. */
  bulkField: 'enrollments' | 'enrollmentGroups';
  /** Used in messages: "Enrollment", "Enrollment group". */
  label: string;
  notFoundCode: number;
  notFoundText: string;
  itemType: QueryItemType;
  isGroup: boolean;
}

/** Individual enrollments: `/enrollments`, 404201, item type `Enrollment`. */
export const INDIVIDUAL_ENROLLMENT: RecordKind = {
  idField: 'registrationId',
  bulkField: 'enrollments',
  label: 'Enrollment',
  notFoundCode: ERROR_CODES.individualEnrollmentNotFound,
  notFoundText: ERROR_STATUS_TEXT.enrollmentNotFound,
  itemType: 'Enrollment',
  isGroup: false,
};

/** Enrollment groups: `/enrollmentGroups`, 404204, item type `EnrollmentGroup`. */
export const ENROLLMENT_GROUP: RecordKind = {
  idField: 'enrollmentGroupId',
  bulkField: 'enrollmentGroups',
  label: 'Enrollment group',
  notFoundCode: ERROR_CODES.enrollmentGroupNotFound,
  notFoundText: 'Enrollment group not found.',
  itemType: 'EnrollmentGroup',
  isGroup: true,
};
