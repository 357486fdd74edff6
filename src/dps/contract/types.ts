/**
 * Wire shapes of the DPS service API, version 2021-10-01, as recorded in
 * shared/docs/dps-contract.md section 2. Shared by the client (dps/client) and the emulator.
 * Field names and enum spellings are the service's own; do not rename them.
 */

export type AttestationType = 'none' | 'tpm' | 'x509' | 'symmetricKey';

export interface TpmAttestation {
  endorsementKey: string;
  storageRootKey?: string;
}

export interface SymmetricKeyAttestation {
  primaryKey?: string | null;
  secondaryKey?: string | null;
}

/** Computed by the service from the certificate; clients never send it. */
export interface X509CertificateInfo {
  subjectName: string;
  sha1Thumbprint: string;
  sha256Thumbprint: string;
  issuerName: string;
  notBeforeUtc: string;
  notAfterUtc: string;
  serialNumber: string;
  version: number;
}

export interface X509CertificateWithInfo {
  /** PEM text or base64 DER on the way in; never returned by GET or query. */
  certificate?: string;
  info?: X509CertificateInfo;
}

export interface X509Certificates {
  primary?: X509CertificateWithInfo;
  secondary?: X509CertificateWithInfo;
}

export interface X509CaReferences {
  primary?: string;
  secondary?: string;
}

export interface X509Attestation {
  clientCertificates?: X509Certificates;
  signingCertificates?: X509Certificates;
  caReferences?: X509CaReferences;
}

export interface AttestationMechanism {
  type: AttestationType;
  tpm?: TpmAttestation;
  x509?: X509Attestation;
  symmetricKey?: SymmetricKeyAttestation;
}

/** Free-form JSON object with optional service metadata (version, count, metadata). */
export type TwinCollection = Record<string, unknown>;

export interface InitialTwin {
  tags?: TwinCollection;
  properties?: { desired?: TwinCollection };
}

export type ProvisioningStatus = 'enabled' | 'disabled';
export type AllocationPolicy = 'hashed' | 'geoLatency' | 'static' | 'custom';

export interface ReprovisionPolicy {
  updateHubAssignment: boolean;
  migrateDeviceData: boolean;
}

export interface CustomAllocationDefinition {
  webhookUrl: string;
  apiVersion: string;
}

export interface DeviceCapabilities {
  iotEdge: boolean;
}

export interface DeviceRegistrationState {
  registrationId: string;
  status: 'unassigned' | 'assigning' | 'assigned' | 'failed' | 'disabled';
  [field: string]: unknown;
}

export interface IndividualEnrollment {
  registrationId: string;
  deviceId?: string;
  registrationState?: DeviceRegistrationState;
  optionalDeviceInformation?: TwinCollection;
  attestation: AttestationMechanism;
  capabilities?: DeviceCapabilities;
  iotHubHostName?: string;
  initialTwin?: InitialTwin;
  etag?: string;
  provisioningStatus?: ProvisioningStatus | null;
  reprovisionPolicy?: ReprovisionPolicy;
  createdDateTimeUtc?: string;
  lastUpdatedDateTimeUtc?: string;
  allocationPolicy?: AllocationPolicy;
  iotHubs?: string[];
  customAllocationDefinition?: CustomAllocationDefinition;
}

export interface EnrollmentGroup extends Omit<
  IndividualEnrollment,
  'registrationId' | 'deviceId' | 'registrationState'
> {
  enrollmentGroupId: string;
}

/** Bulk modes, with the spec's spelling (`updateIfMatchETag`, capital T). */
export type BulkMode = 'create' | 'update' | 'updateIfMatchETag' | 'delete';

export interface BulkEnrollmentOperation {
  mode: BulkMode;
  enrollments: IndividualEnrollment[];
}

export interface BulkEnrollmentGroupOperation {
  mode: BulkMode;
  enrollmentGroups: EnrollmentGroup[];
}

export interface BulkOperationError {
  registrationId: string;
  errorCode: number;
  errorStatus: string;
}

export interface BulkEnrollmentOperationResult {
  isSuccessful: boolean;
  errors: BulkOperationError[];
}

export interface BulkGroupOperationError {
  enrollmentGroupId: string;
  errorCode: number;
  errorStatus: string;
}

export interface BulkEnrollmentGroupOperationResult {
  isSuccessful: boolean;
  errors: BulkGroupOperationError[];
}

/** The error body of every non-2xx answer (ProvisioningServiceErrorDetails). */
export interface ServiceErrorDetails {
  errorCode?: number;
  /** C# v2 also accepts `code` as an alias, so a client reads either. */
  code?: number;
  trackingId?: string;
  message?: string;
  timestampUtc?: string;
  info?: Record<string, string> | null;
}

export interface QuerySpecification {
  query: string;
}

export type QueryItemType = 'Enrollment' | 'EnrollmentGroup' | 'DeviceRegistration';
