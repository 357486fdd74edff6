/** Which function serves each operation of the route table. */
import type { RouteReply } from '../http/route-reply.js';
import { runBulk } from './bulk-route.js';
import type { OperationContext } from './operation-context.js';
import { queryRecords, queryRegistrations } from './query-route.js';
import { deleteRecord, getAttestation, getRecord, putRecord } from './record-routes.js';
import { deleteRegistration, getRegistration } from './registration-routes.js';
import type { Operation } from './route-table.js';

/** The function that serves each operation of the route table. */
export const OPERATIONS: Readonly<Record<Operation, (context: OperationContext) => RouteReply>> = {
  bulk: runBulk,
  query: queryRecords,
  get: getRecord,
  put: putRecord,
  delete: deleteRecord,
  attestation: getAttestation,
  'get-registration': getRegistration,
  'delete-registration': deleteRegistration,
  'query-registrations': queryRegistrations,
};
